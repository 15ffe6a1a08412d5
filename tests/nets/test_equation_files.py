"""Reading YAML without surprises, and saving a network that reads back bit for bit."""
import numpy as np
import pytest

from bpcli import nets


@pytest.mark.parametrize("text, value", [
    ("010", 10.0),       # YAML 1.1 would read octal 8
    ("1e-3", 0.001),     # YAML 1.1 would read a string
    ('"0.5"', 0.5),      # quoted numbers are numbers
    ("-2", -2.0),
    ("+.5", 0.5),
])
def test_numbers_mean_what_they_say(text, value):
    net = nets.loads(f"params: {{w: {text}}}\nloss: w\n")
    assert net.params["w"] == value


def test_yaml_words_are_plain_names():
    # YAML 1.1 reads on/yes/no as booleans: here they are names like any other.
    net = nets.loads("params: {on: 1, no: 2}\nloss: on + no\n")
    assert list(net.params) == ["on", "no"]


def test_lines_are_recorded():
    net = nets.load_default()
    assert net.lines["w1"] == 5 and net.lines["H1"] == 8 and net.lines["E"] == 18


@pytest.mark.parametrize("value", [5e-324, -0.0, 1.7976931348623157e308, 0.1 + 0.2, -1e-300])
def test_save_round_trips_params_bit_for_bit(value):
    net = nets.loads("params: {w: 1}\nnodes:\n  a: -w + 2\nloss: a^2\n")
    text = net.with_params({"w": value}).to_yaml("# header\n")
    back = nets.loads(text)
    assert np.float64(back.params["w"]).tobytes() == np.float64(value).tobytes()
    assert back.nodes["a"][0] == "-w + 2"
    assert text.startswith("# header\n")


def test_saved_network_keeps_every_section_and_order():
    net = nets.load_default()
    back = nets.loads(net.to_yaml())
    assert back.name == net.name
    assert list(back.leaves()) == list(net.leaves())
    assert {k: t for k, (t, _) in back.nodes.items()} == {k: t for k, (t, _) in net.nodes.items()}
    assert back.loss[0] == net.loss[0]


@pytest.mark.parametrize("text, line, message", [
    ("params: {z: [1, 2]}\ntargets: {y: [1, 2, 3]}\nnodes:\n  d: z - y\nloss: sum(d)\n", 4,
     "'d': shapes do not match in 'z - y'"),
    ("params: {z: [1, 2]}\nloss: softmax(z)\n", 2, "the loss must be one number, but it is (2,)"),
    ("params: {z: 2.0}\nnodes: {a: softmax(z)}\nloss: a\n", 2, "softmax takes a vector, but 'z' is a number"),
    ("params: {z: [[1, 2], [3, 5]]}\nloss: sum(z)\n", 1, "must be a number or a vector"),
    ("params: {z: []}\nloss: sum(z)\n", 1, "is empty"),
])
def test_vector_shape_mistakes(text, line, message):
    with pytest.raises(nets.NetError) as e:
        nets.loads(text, "v.yaml")
    assert e.value.line == line and message in str(e.value)
