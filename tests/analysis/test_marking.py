"""Marking a learner's derivation: hand derivations with planted slips, marked as intended.

The right values the marker compares with are themselves checked against central
differences of E (float64) and against Matt Mazur's published worked example; a derivation
rounded to 4 (and 3) decimals throughout, each number worked from the learner's own
rounded numbers, is all right: no false alarm from carried rounding.
"""
import math
from pathlib import Path

import numpy as np
import pytest

import bpcli
from bpcli.analysis.marking import CARRIED, RIGHT, WRONG, world_for
from bpcli.analysis.work import half_unit

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
SEED = bpcli.default()

LAYER_NET = """
name: tiny mean-pool net
input: [[[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 2], [1, 1, 0, 0]]]
layers:
  - {type: conv2d, name: conv1, filters: 1, kernel: 2, weight: [[[[0.5, -0.25], [0.25, 0.5]]]], bias: [0.1]}
  - {type: sigmoid, name: act1}
  - {type: meanpool, name: pool1, size: 3, stride: 3}
  - {type: flatten, name: flat}
  - {type: dense, name: fc1, units: 1, weight: [[0.8]], bias: [0.0]}
loss: {type: half_sse, target: [1.0]}
"""


def marked(text, net=SEED, **kw):
    report = bpcli.mark(net, "work.yaml", text=text, **kw)
    return report, {r.claim.label: r for r in report.rows}


def right_values(net=SEED):
    r = bpcli.run(net)
    return {k: float(v) for k, v in r.values.items()}, {k: float(v) for k, v in r.grads.items()}


def central(net, param, eps=1e-6):
    """∂E/∂param by central differences in float64."""
    w = net.params[param]
    up = bpcli.run(net.with_params({param: w + eps})).loss
    down = bpcli.run(net.with_params({param: w - eps})).loss
    return (up - down) / (2 * eps)


def r4(v, d=4):
    return f"{v:.{d}f}"


def rounded(v, d):
    """v to d decimals, or to 2 significant digits if d decimals would show fewer (a
    learner writes 0.00044, not 0.000)."""
    if v and abs(v) < 10.0 ** (1 - d):
        d = 1 - math.floor(math.log10(abs(v)))
    return f"{v:.{d}f}"


# ------------------------------------------------------------------ rounding: no false alarms

def test_half_unit_is_read_from_the_number_as_written():
    assert half_unit("0.5374") == pytest.approx(5e-5)
    assert half_unit("0.40") == pytest.approx(5e-3)
    assert half_unit("12") == 0.5
    assert half_unit("1.25e-3") == pytest.approx(5e-6)
    assert half_unit("-0.0770") == pytest.approx(5e-5)


def learner_chain(net, decimals):
    """A learner who works every step from their own numbers rounded to ``decimals``: each
    number is the step done on the earlier rounded numbers, then rounded."""
    world = world_for(net)
    keys = ([("value", n) for n in world.order] + [("factor", a, b) for a, b in world.symbols]
            + [("grad", n) for n in world.backward] + [("update", p) for p in net.params])
    patches, written = {}, {}
    for key in keys:  # in derivation order, one at a time: each from the rounded ones before
        v = float(world.run(patches, 0.5)[key])
        written[key] = rounded(v, decimals)
        patches[key] = {(): float(written[key])}
    lines = {"values": [], "grads": [], "factors": [], "update": ["eta: 0.5"]}
    section = {"value": "values", "grad": "grads", "factor": "factors", "update": "update"}
    for key, text in written.items():
        name = f'"{key[1]}/{key[2]}"' if key[0] == "factor" else key[1]
        lines[section[key[0]]].append(f"{name}: {text}")
    return "\n".join(f"{s}:\n" + "\n".join("  " + x for x in xs) for s, xs in lines.items())


@pytest.mark.parametrize("config", ["<default>", "mazur-2-2-2.yaml", "sigmoid-222.yaml"])
@pytest.mark.parametrize("decimals", [4, 3])
def test_a_right_derivation_rounded_throughout_is_all_right(config, decimals):
    net = SEED if config == "<default>" else bpcli.load(CONFIGS / config)
    report, _ = marked(learner_chain(net, decimals), net)
    assert report.all_right, [(r.claim.label, r.claim.text, r.right, r.verdict) for r in report.rows
                              if r.verdict != RIGHT]
    assert len(report.rows) > 30 and report.first_wrong is None


def test_numbers_rounded_from_the_right_values_are_all_right():
    values, grads = right_values()
    text = ("values: {" + ", ".join(f"{k}: {r4(v)}" for k, v in values.items()) + "}\n"
            "grads: {" + ", ".join(f"{k}: {r4(v)}" for k, v in grads.items()) + "}\n")
    report, _ = marked(text)
    assert report.all_right and len(report.rows) == len(values) + len(grads)


def test_mazurs_published_numbers_are_all_right():
    """Matt Mazur, "A Step by Step Backpropagation Example" (2015), as published."""
    net = bpcli.load(CONFIGS / "mazur-2-2-2.yaml")
    text = """
values: {net_h1: 0.3775, out_h1: 0.593269992, out_h2: 0.596884378, net_o1: 1.105905967,
         out_o1: 0.75136507, out_o2: 0.772928465, E: 0.298371109}
grads: {out_o1: 0.74136507, w5: 0.082167041, out_h1: 0.036350306, w1: 0.000438568}
factors: {"out_o1/net_o1": 0.186815602, "out_h1/net_h1": 0.241300709}
update: {eta: 0.5, w5: 0.35891648, w6: 0.408666186, w7: 0.511301270, w8: 0.561370121,
         w1: 0.149780716, w2: 0.19956143, w3: 0.24975114, w4: 0.29950229}
"""
    report, rows = marked(text, net)
    assert report.all_right, [(r.claim.label, r.right) for r in report.rows if r.verdict != RIGHT]
    assert rows["∂E/∂w5"].right == pytest.approx(central(net, "w5"), abs=1e-9)
    assert rows["∂E/∂w1"].right == pytest.approx(central(net, "w1"), abs=1e-9)


# ------------------------------------------------------------------ planted slips, equations

def test_the_notes_sign_slip_is_named_and_its_error_carried_three_steps_down():
    values, grads = right_values()
    text = f"""
values: {{fO1: {r4(values['fO1'])}}}
grads:
  fO1: {r4(-grads['fO1'])}                     # y − f(O): the seed note's sign
  O1: {r4(-grads['O1'])}                       # then every step right on it
  w3: {r4(-grads['w3'])}
update: {{eta: 0.5, w3: {r4(0.4 + 0.5 * grads['w3'])}}}
"""
    report, rows = marked(text)
    assert rows["fO1"].verdict == RIGHT
    assert rows["∂E/∂fO1"].verdict == WRONG
    assert "wrong sign" in rows["∂E/∂fO1"].diagnosis and "y − f(O)" in rows["∂E/∂fO1"].diagnosis
    for label in ("∂E/∂O1", "∂E/∂w3", "w3′"):
        assert rows[label].verdict == CARRIED, label
    assert report.first_wrong.label == "∂E/∂fO1"
    assert report.first_wrong.formula.startswith("∂E/∂fO1 = ∂E/∂E")
    assert report.first_wrong.right == pytest.approx(grads["fO1"])
    assert [r.claim.label for r in report.rows] == ["fO1", "∂E/∂fO1", "∂E/∂O1", "∂E/∂w3", "w3′"]


def test_one_path_only_names_the_path_missed():
    net = SEED
    world = world_for(net)
    right = world.run({}, 0.5)
    through_o1 = np.prod([right[("factor",) + f] for f in
                          [("E", "fO1"), ("fO1", "O1"), ("O1", "fH1"), ("fH1", "H1"), ("H1", "w1")]])
    report, rows = marked(f"grads: {{w1: {through_o1:.6f}}}")
    assert rows["∂E/∂w1"].verdict == WRONG
    assert "one path only (E → fO1 → O1 → fH1 → H1 → w1)" in rows["∂E/∂w1"].diagnosis
    assert "the path through fO2" in rows["∂E/∂w1"].diagnosis
    assert rows["∂E/∂w1"].right == pytest.approx(central(net, "w1"), abs=1e-9)


def test_f_used_for_f_prime_as_a_factor_and_inside_a_gradient():
    values, grads = right_values()
    text = f"""
grads: {{fH1: {r4(grads['fH1'])}, H1: {grads['fH1'] * values['fH1']:.6f}}}
factors: {{"fO1/O1": {r4(values['fO1'])}}}
"""
    report, rows = marked(text)
    assert "f used where f′ was due: ∂fO1/∂O1 = fO1·(1 − fO1)" in rows["∂fO1/∂O1"].diagnosis
    assert rows["∂E/∂fH1"].verdict == RIGHT
    assert "f used where f′ was due: ∂fH1/∂H1" in rows["∂E/∂H1"].diagnosis
    assert report.first_wrong.label == "∂fO1/∂O1"  # a factor comes before the ∂E it makes


def test_a_factor_left_out():
    _, grads = right_values()
    report, rows = marked(f"grads: {{fO1: {r4(grads['fO1'])}, O1: {r4(grads['fO1'])}}}")
    assert rows["∂E/∂O1"].verdict == WRONG
    assert "a factor left out: ∂fO1/∂O1 = fO1·(1 − fO1)" in rows["∂E/∂O1"].diagnosis
    assert report.first_wrong.uses[0][0] == "∂E/∂fO1"


def test_plus_instead_of_minus_in_the_update_and_eta_left_out():
    _, grads = right_values()
    report, rows = marked(f"update: {{eta: 0.5, w3: {0.4 + 0.5 * grads['w3']:.6f}, "
                          f"w5: {0.5 - grads['w5']:.6f}, w1: {0.15 - 0.5 * grads['w1']:.6f}}}")
    assert "w′ = w − η·∂E/∂w, not w + η·∂E/∂w" in rows["w3′"].diagnosis
    assert "η left out" in rows["w5′"].diagnosis
    assert rows["w1′"].verdict == RIGHT


def test_a_wrong_number_without_a_known_slip_has_no_diagnosis():
    report, rows = marked("values: {fH1: 0.6000}")
    assert rows["fH1"].verdict == WRONG and rows["fH1"].diagnosis == ""
    assert report.first_wrong.formula == "fH1 = sigmoid(H1)"
    assert report.first_wrong.uses == [("H1", 0.15)]


def test_a_number_just_past_its_rounding_is_wrong_and_says_so():
    _, grads = right_values()  # ∂E/∂fH1 = 0.017072…: 0.0170 is not it to 4 decimals
    _, rows = marked("grads: {fH1: 0.0170}")
    assert rows["∂E/∂fH1"].verdict == WRONG
    assert "to the places you wrote is 0.0171" in rows["∂E/∂fH1"].diagnosis


def test_tol_replaces_the_rounding_rule():
    _, rows = marked("grads: {fH1: 0.0170}", tol=1e-3)
    assert rows["∂E/∂fH1"].verdict == RIGHT and rows["∂E/∂fH1"].tolerance == 1e-3


# ------------------------------------------------------------------ planted slips, layers

def layer_work(pool_share):
    net = bpcli.loads(LAYER_NET)
    r = bpcli.run(net)
    dact = float(r.grads["pool1"].ravel()[0]) * pool_share
    act = np.asarray(r.values["act1"])
    dconv = dact * act * (1 - act)  # the learner's next steps, done right on their number
    grid = [[[r4(dact)] * 3] * 3]
    text = f"""
values: {{conv1: {[[[r4(v) for v in row] for row in np.asarray(r.values['conv1'])[0]]]}}}
grads:
  "pool1[0,0,0]": {r4(float(r.grads['pool1'].ravel()[0]))}
  act1: {grid}
  "conv1[0,0,0]": {r4(dconv[0, 0, 0])}
  conv1.bias: {r4(dconv.sum())}
update: {{eta: 0.5, conv1.bias: {r4(0.1 - 0.5 * dconv.sum())}}}
""".replace("'", "")
    return net, text


def test_mean_pool_share_one_over_k_is_named_and_carried_three_steps_down():
    net, text = layer_work(1 / 3)
    report, rows = marked(text, net)
    assert all(rows[f"conv1[0,{i},{j}]"].verdict == RIGHT for i in range(3) for j in range(3))
    assert rows["∂E/∂pool1[0,0,0]"].verdict == RIGHT
    act = rows["∂E/∂act1[0,1,1]"]
    assert act.verdict == WRONG
    assert "mean-pool share is 1/(k·k) = 1/9 for a 3×3 window, not 1/k = 1/3" in act.diagnosis
    for label in ("∂E/∂conv1[0,0,0]", "∂E/∂conv1.bias[0]", "conv1.bias[0]′"):
        assert rows[label].verdict == CARRIED, label
    assert report.first_wrong.label == "∂E/∂act1[0,0,0]"
    assert "passed back through meanpool 3×3" in report.first_wrong.formula


def test_a_right_layer_derivation_rounded_to_4_decimals_is_all_right():
    net, text = layer_work(1 / 9)
    report, _ = marked(text, net)
    assert report.all_right, [(r.claim.label, r.right, r.claim.text) for r in report.rows
                              if r.verdict != RIGHT]


def test_layer_sign_and_factor_left_out():
    net = bpcli.loads(LAYER_NET)
    r = bpcli.run(net)
    dact = np.asarray(r.grads["act1"])
    report, rows = marked(f'grads: {{"act1[0,0,0]": {r4(dact[0, 0, 0])}, '
                          f'"conv1[0,0,0]": {r4(dact[0, 0, 0])}, '
                          f'"conv1[0,0,1]": {r4(-float(r.grads["conv1"][0, 0, 1]))}}}', net)
    assert "a factor left out: the derivative of sigmoid" in rows["∂E/∂conv1[0,0,0]"].diagnosis
    assert "wrong sign" in rows["∂E/∂conv1[0,0,1]"].diagnosis
    assert rows["∂E/∂act1[0,0,0]"].verdict == RIGHT


def test_layer_param_grads_match_central_differences():
    net = bpcli.loads(LAYER_NET)
    _, rows = marked('grads: {"conv1.weight[0,0,1,1]": 0.0, "fc1.weight[0,0]": 0.0}', net)
    for label, param, index in (("∂E/∂conv1.weight[0,0,1,1]", "conv1.weight", (0, 0, 1, 1)),
                                ("∂E/∂fc1.weight[0,0]", "fc1.weight", (0, 0))):
        w = np.array(net.params[param])
        bumped = []
        for sign in (1, -1):
            v = w.copy()
            v[index] += sign * 1e-6
            bumped.append(bpcli.run(net.with_params({param: v})).loss)
        assert rows[label].right == pytest.approx((bumped[0] - bumped[1]) / 2e-6, abs=1e-9)


# ------------------------------------------------------------------ edges a review found

def test_the_right_values_are_the_backward_pass_for_every_name():
    """The marker's right values come from the named steps and the ops' symbolic factors;
    they must equal the graph's backward pass (an independent computation) for every name."""
    for net in (SEED, bpcli.load(CONFIGS / "mazur-2-2-2.yaml")):
        right = world_for(net).run({}, 0.5)
        r = bpcli.run(net)
        for name, g in r.grads.items():
            assert float(right[("grad", name)]) == pytest.approx(float(g), rel=1e-12, abs=1e-15)
        for name, v in r.values.items():
            assert float(right[("value", name)]) == pytest.approx(float(v), rel=1e-12)


def test_a_node_the_loss_does_not_use_has_a_zero_gradient():
    net = bpcli.loads("inputs: {x: 1}\nparams: {w1: 0.5, w2: 0.3}\n"
                      "nodes: {H: w1 * x, D: w2 * x}\nloss: 0.5 * (H - 1)^2\n")
    report, rows = marked("grads: {D: 0, w2: 0.5, w1: -0.5}", net)  # ∂E/∂w1 = (H − 1)·x
    assert rows["∂E/∂D"].verdict == RIGHT and rows["∂E/∂w1"].verdict == RIGHT
    assert rows["∂E/∂w2"].verdict == WRONG
    assert report.first_wrong.formula == "∂E/∂w2 = 0: E does not depend on w2"
    q = bpcli.quiz(net, "grad", 4, 0)
    assert {x.prompt for x in q.questions} <= {"∂E/∂H", "∂E/∂w1"}


def test_a_net_over_vectors_is_marked_through_its_graph():
    net = bpcli.load(CONFIGS / "softmax-equations.yaml")
    r = bpcli.run(net)
    dz = np.asarray(r.grads["z"])
    report, rows = marked("values: {a: [0.0900, 0.2447, 0.6652]}\n"
                          f"grads: {{z: [{-dz[0]:.4f}, {dz[1]:.4f}, {dz[2]:.4f}]}}\n", net)
    assert [rows[f"a[{i}]"].verdict for i in range(3)] == [RIGHT] * 3
    assert rows["∂E/∂z[0]"].verdict == WRONG and "wrong sign" in rows["∂E/∂z[0]"].diagnosis
    assert rows["∂E/∂z[1]"].verdict == RIGHT
    assert report.first_wrong.label == "∂E/∂z[0]"


def test_numbers_written_too_roughly_are_right_to_their_places_and_say_so():
    """The rule is the learner's own rounding (0 is 0.0042 to no decimals), so a derivation
    rounded to 4 decimals that writes 0.0000 for 0.00004 has no false alarm; but it is said."""
    report, rows = marked("values: {fO1: 1, E: 0}\ngrads: {w1: 0, w3: 0.08}")
    for label in ("fO1", "E", "∂E/∂w1"):
        assert rows[label].verdict == RIGHT, label
        assert "only to the places written, too few to show" in rows[label].diagnosis
    assert "(it needs 3 decimals)" in rows["∂E/∂w1"].diagnosis
    assert rows["∂E/∂w3"].verdict == RIGHT and rows["∂E/∂w3"].diagnosis == ""
    assert report.all_right
    from bpcli.render.marking import summary
    assert summary(report) == "4 numbers: 4 right (3 of the right only to too few places)"


def test_a_max_pool_tie_in_the_learners_numbers_does_not_widen_the_tolerance_without_bound():
    net = bpcli.loads(LAYER_NET.replace("meanpool", "maxpool"))
    r = bpcli.run(net)
    act = np.asarray(r.values["act1"])[0]
    # act1 written with no decimals: 1s tie in the window, the learner's max goes elsewhere
    text = ("values:\n  act1: " + str([[[f"{v:.0f}" for v in row] for row in act]]).replace("'", "")
            + "\ngrads:\n" + "".join(f'  "act1[0,{i},{j}]": 5.0000\n' for i in range(3) for j in range(3)))
    report, rows = marked(text, net)
    assert all(rows[f"∂E/∂act1[0,{i},{j}]"].verdict == WRONG for i in range(3) for j in range(3))
    assert max(r.tolerance for r in report.rows) < 2


def test_a_layer_derivation_worked_from_its_own_rounded_activations_is_all_right():
    net = bpcli.loads(LAYER_NET)
    r = bpcli.run(net)
    act, dact = np.asarray(r.values["act1"])[0], np.asarray(r.grads["act1"])[0]
    for d in (2, 3):
        written = np.round(act, d)
        dconv = dact * written * (1 - written)  # f(1 − f) of the learner's own f
        text = ("values:\n" + "".join(f'  "act1[{i},{j}]": {act[i, j]:.{d}f}\n'.replace("[", "[0,", 1)
                                      for i in range(3) for j in range(3))
                + "grads:\n" + "".join(f'  "act1[0,{i},{j}]": {dact[i, j]:.6f}\n'
                                       f'  "conv1[0,{i},{j}]": {dconv[i, j]:.6f}\n'
                                       for i in range(3) for j in range(3)))
        report, _ = marked(text, net)
        assert report.all_right, [(x.claim.label, x.verdict) for x in report.rows
                                  if x.verdict != RIGHT]


def test_slips_that_give_the_right_value_or_are_too_far_are_not_named():
    # with η = 0 the update's + and − agree: no "+" diagnosis for a wrong w3′
    _, rows = marked("update: {eta: 0, w3: 0.5}")
    assert rows["w3′"].verdict == WRONG and rows["w3′"].diagnosis == ""
    # 0.2 for ∂E/∂fO2 = −0.349 is no sign slip (0.3 is one, to its places)
    _, rows = marked("grads: {fO2: 0.2}")
    assert rows["∂E/∂fO2"].verdict == WRONG and "wrong sign" not in rows["∂E/∂fO2"].diagnosis
    _, rows = marked("grads: {fO2: 0.3}")
    assert "wrong sign" in rows["∂E/∂fO2"].diagnosis


def test_layer_slips_in_the_update_and_f_for_f_prime():
    net = bpcli.loads(LAYER_NET)
    r = bpcli.run(net)
    act, dact = np.asarray(r.values["act1"])[0], np.asarray(r.grads["act1"])[0]
    db = float(np.asarray(r.grads["conv1.bias"])[0])
    w = float(np.asarray(r.grads["fc1.weight"])[0, 0])
    report, rows = marked(f'grads: {{"conv1[0,1,1]": {dact[1, 1] * act[1, 1]:.6f}}}\n'
                          f'update: {{eta: 0.5, "conv1.bias[0]": {0.1 + 0.5 * db:.6f}, '
                          f'"fc1.weight[0,0]": {0.8 - w:.6f}}}', net)
    assert "f used where f′ was due: ∂act1/∂conv1 = f(1 − f)" in rows["∂E/∂conv1[0,1,1]"].diagnosis
    assert "you added η·∂E/∂w" in rows["conv1.bias[0]′"].diagnosis
    assert "η left out" in rows["fc1.weight[0,0]′"].diagnosis
    assert report.first_wrong.label == "∂E/∂conv1[0,1,1]"
    assert report.first_wrong.uses[0][0] == "∂E/∂act1[0,1,1]"  # the values it should use
