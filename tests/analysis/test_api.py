"""`import bpcli`: the library a notebook uses gives the command line's numbers, and a wrong
call is one clear BpcliError, never a TypeError or AttributeError."""
import json
import math
import re
import warnings

import numpy as np
import pytest

import bpcli
from bpcli.analysis import explain

from conftest import CONFIGS, ROOT, SMALL_CONFIGS, run


def test_readmes_library_example_runs_and_gives_the_command_lines_numbers(tmp_path, monkeypatch,
                                                                         capsys):
    example = re.search(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    (tmp_path / "configs").symlink_to(CONFIGS)
    monkeypatch.chdir(tmp_path)  # README's paths are relative to the clone; it saves a file
    scope = {}
    exec(example, scope)
    printed = capsys.readouterr().out
    cli = json.loads(run("grad", CONFIGS / "xor.yaml", "--format", "json").stdout)
    assert scope["r"].loss == cli["loss"] and scope["r"].grads["w1"] == cli["grads"]["w1"]
    assert "∂E_2/∂w1 by the chain rule" in printed  # bpcli.show printed the tables
    assert scope["chain"].sample == 2 and scope["chain"].verdict == "equal"
    assert scope["result"].accuracy == (0.5, 1.0) and len(scope["result"].history) == 2000
    # the trained net is a net: its E is the run's final E, bit for bit, and it was saved whole
    assert bpcli.run(scope["result"].net).loss == scope["result"].final_loss
    assert bpcli.load("xor-trained.yaml").params == scope["result"].net.params
    # the numbers README's comments show are the ones printed
    for comment in re.findall(r"# ([-\d.…() ,]+(?:equal|True)?)\n", example):
        for word in comment.replace(",", " ").split():
            assert word.rstrip("…").strip("()") in printed, word


@pytest.mark.parametrize("config", ["sigmoid-222.yaml", "xor.yaml", "softmax-equations.yaml",
                                    *SMALL_CONFIGS])
def test_the_library_gives_the_command_lines_numbers(config):
    net = bpcli.load(str(CONFIGS / config))
    cli = json.loads(run("grad", CONFIGS / config, "--format", "json").stdout)
    assert bpcli.document(bpcli.grad(net)) == cli
    r = bpcli.run(net)
    for name, g in cli["node_grads"].items():
        np.testing.assert_array_equal(np.asarray(r.grads[name], dtype=float),
                                      np.asarray(g, dtype=float), err_msg=name)
    fwd = json.loads(run("forward", CONFIGS / config, "--format", "json").stdout)
    assert bpcli.document(bpcli.forward(net)) == fwd


def test_save_and_load_round_trip(tmp_path):
    net = bpcli.default()
    trained = bpcli.train(net, eta=0.5, steps=10).net
    bpcli.save(trained, str(tmp_path / "t.yaml"))
    back = bpcli.load(str(tmp_path / "t.yaml"))
    assert back.params == trained.params
    assert bpcli.check(back).passed


def test_show_prints_the_commands_tables(capsys):
    bpcli.show(bpcli.grad(bpcli.default(), wrt="w1"), width=100)
    shown = capsys.readouterr().out
    assert "∂E/∂w1 by the chain rule — 2 paths from E down to w1 (param)" in shown


@pytest.mark.parametrize("call, message", [
    (lambda net: bpcli.run("net.yaml"), "expected a network (from bpcli.load, bpcli.loads or "
                                        "bpcli.default), not str"),
    (lambda net: bpcli.grad(net, wrt="zz"), "wrt='zz': no such name in the default net; names are"),
    (lambda net: bpcli.grad(net, wrt=["w1", 3]), "wrt=3: must be a name (text), such as 'w1'"),
    (lambda net: bpcli.grad(net, wrt=5), "wrt=5: must be a name, or a list of names"),
    (lambda net: bpcli.grad(net, sample=1), "sample=1: this network has no data set"),
    (lambda net: bpcli.grad(net, sample=-1), "sample=-1: must be a whole number ≥ 0"),
    (lambda net: bpcli.train(net, eta="0.5"), "eta='0.5': must be a finite number"),
    (lambda net: bpcli.train(net, eta=math.nan), "eta=nan: must be a finite number"),
    (lambda net: bpcli.train(net, steps=2.5), "steps=2.5: must be a whole number ≥ 0"),
    (lambda net: bpcli.train(net, steps=1, epochs=1), "give steps or epochs, not both"),
    (lambda net: bpcli.train(net, momentum=1), "momentum=1: must be a number in [0, 1)"),
    (lambda net: bpcli.check(net, eps=0), "eps=0: must be a number > 0"),
    (lambda net: bpcli.train(bpcli.loads("inputs: {x: 1}\nparams: {}\nloss: x\n")),
     "<string>: the network has no params, so there is nothing to train"),
    (lambda net: bpcli.load(3), "path=3: must be a path (text or a pathlib.Path)"),
    (lambda net: bpcli.show(bpcli.explain(net, "w1")), "expected a report (from bpcli.forward"),
    (lambda net: bpcli.document(bpcli.run(net)), "expected a report (from bpcli.forward"),
    (lambda net: bpcli.show(bpcli.forward(net), precision=99), "precision=99: must be at most 15"),
    (lambda net: bpcli.train(net, eta=True), "eta=True: must be a finite number"),
    (lambda net: bpcli.train(net, shuffle="no"), "shuffle='no': must be True or False"),
    (lambda net: bpcli.check(net, eps=math.inf), "eps=inf: must be a finite number"),
    (lambda net: net.with_params({"w7": 1.0}), "params='w7': no such param; params are w1, w2"),
    (lambda net: net.with_params({"w1": [1, 2]}), "params='w1': is 2, but the param is a number"),
    (lambda net: bpcli.loads("params: {w: 1}\n"), "<string>: missing section 'loss'"),
    (lambda net: bpcli.explain(bpcli.load(str(CONFIGS / "mixed-small.yaml")), "conv1.weight[9]"),
     "conv1.weight is 1×1×2×2; an element is conv1.weight[0..0, 0..0, 0..1, 0..1]"),
])
def test_a_wrong_call_is_one_clear_error(call, message):
    with pytest.raises(bpcli.BpcliError) as e:
        call(bpcli.default())
    assert message in str(e.value) and "\n" not in str(e.value)


def test_explanations_called_the_wrong_way_say_why():
    layers = bpcli.load(str(CONFIGS / "mixed-small.yaml"))
    trace = layers.build().run()
    with pytest.raises(bpcli.UsageError, match="paths of named nodes are for nets written as "
                                               "equations"):
        explain.chain(layers, trace, "fc1.weight")
    seed = bpcli.default()
    with pytest.raises(bpcli.UsageError, match="element breakdowns are for layer nets"):
        explain.element_chain(seed, seed.build().run(), "w1", ())
    xor = bpcli.load(str(CONFIGS / "xor.yaml"))
    with pytest.raises(bpcli.UsageError, match="on a data set the paths are one sample's"):
        explain.chain(xor, xor.build().run(), "w1")
    vectors = bpcli.load(str(CONFIGS / "softmax-equations.yaml"))
    with pytest.raises(bpcli.UsageError, match="this net has vectors"):
        explain.chain(vectors, vectors.build().run(), "z")


def test_a_notebook_users_habits_work(capsys):
    net = bpcli.default()
    net.params["w1"] = 0.3  # a plain float put in by hand
    assert bpcli.run(net).values["w1"] == 0.3
    half = bpcli.default().with_params({"w1": 0.3})  # only the params that change
    assert bpcli.run(half).loss == bpcli.run(net).loss
    bpcli.show(bpcli.grad(bpcli.load(CONFIGS / "xor.yaml"), sample=2), width=100)  # a Path
    shown = capsys.readouterr().out
    assert "sample 2" in shown and "sample 1" not in shown and "sample 3" not in shown


def test_the_library_neither_warns_nor_saves_what_would_not_load(tmp_path):
    net = bpcli.loads("params: {w: 3}\nloss: w^4\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's overflow warnings would be errors here
        result = bpcli.train(net, eta=1, steps=8)
    assert result.warnings[0].startswith("E became inf at step 6: training diverged; it stopped")
    bpcli.save(result, tmp_path / "kept.yaml")  # the params of step 5, whose E was finite
    assert np.isfinite(bpcli.run(bpcli.load(tmp_path / "kept.yaml")).loss)
    never = bpcli.train(bpcli.loads("params: {w: 0.5}\nloss: log(w - 1)\n"), eta=1, steps=3)
    for what in (never, net.with_params({"w": np.float64(np.inf)})):
        with pytest.raises(bpcli.BpcliError, match="not saved"):
            bpcli.save(what, tmp_path / "w.yaml")
    assert not (tmp_path / "w.yaml").exists()
