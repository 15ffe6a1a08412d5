"""The expression language: precedence, errors with columns, printing, derivatives."""
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcli.engine import derivative, evaluate
from bpcli.nets import expressions
from bpcli.nets.expressions import ExprError, parse, parse_names
from bpcli.symbolic import Call, Name, Num, calls, names, to_text


def value(text, **env):
    return float(evaluate(parse(text), {k: np.float64(v) for k, v in env.items()}))


@pytest.mark.parametrize("text, expected", [
    ("-2^2", -4.0),            # unary minus binds looser than ^, as in maths and Python
    ("2^3^2", 512.0),          # ^ is right-associative
    ("2**3", 8.0),             # ** is ^
    ("2^-1", 0.5),             # a signed exponent
    ("8 - 3 - 2", 3.0),        # - and / are left-associative
    ("8 / 4 / 2", 1.0),
    ("1 + 2 * 3", 7.0),
    ("(1 + 2) * 3", 9.0),
    ("--3", 3.0),
    ("+3", 3.0),
    ("1.5e2 + .5", 150.5),
    ("sigmoid(0)", 0.5),
    ("relu(-2) + relu(3)", 3.0),
    ("exp(log(2))", 2.0),
    ("sqrt(9) * tanh(0)", 0.0),
])
def test_precedence_and_values(text, expected):
    assert value(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("text, message", [
    ("", "empty expression"),
    ("w1 *", "expected a number, a name or '(' at column 5, found the end"),
    ("(w1 + x", "expected ')' at column 8, found the end"),
    ("w1 x", "expected an operator at column 4, found 'x'"),
    ("w1 $ x", "unexpected character '$' at column 4"),
    ("sigmod(x)", "unknown function 'sigmod'; did you mean 'sigmoid'?"),
    ("foo(x)", "unknown function 'foo'; functions are sigmoid, tanh, relu, leaky_relu, exp, log, sqrt, sum, mean, softmax"),
    ("x y", "expected an operator at column 3, found 'y'"),
    ("x)", "expected an operator at column 2, found ')'"),
])
def test_errors_say_where(text, message):
    with pytest.raises(ExprError) as e:
        parse(text)
    assert str(e.value) == message


def test_parser_builds_trees_not_code():
    assert parse("w3 * fH1 + w4 * fH2") == Call("add", (
        Call("mul", (Name("w3"), Name("fH1"))), Call("mul", (Name("w4"), Name("fH2")))))
    # Python syntax that is not ours is refused, never evaluated.
    for text in ["__import__('os')", "x.y", "x[0]", "lambda: 1", "x if y else z"]:
        with pytest.raises(ExprError):
            parse(text)


def test_seed_derivatives_print_as_the_note_writes_them():
    loss = parse("0.5 * (fO1 - y1)^2 + 0.5 * (fO2 - y2)^2")
    assert to_text(derivative(loss, "fO1", "E")) == "fO1 − y1"
    assert to_text(derivative(parse("sigmoid(O1)"), "O1", "fO1")) == "fO1·(1 − fO1)"
    assert to_text(derivative(parse("w3 * fH1 + w4 * fH2"), "w3", "O1")) == "fH1"
    assert to_text(derivative(parse("w1 * x"), "w1", "H1")) == "x"
    # A name used twice in one expression: both uses count.
    assert to_text(derivative(parse("x * x"), "x")) == "x + x"
    assert to_text(derivative(parse("relu(z)"), "z", "r")) == "step(z)"
    assert to_text(derivative(parse("x^3"), "x")) == "3·x^2"
    assert to_text(derivative(parse("a / b"), "b")) == "−a/b^2"
    # one fraction bar: never 1/h5·h4, which reads as 1/(h5·h4)
    assert to_text(derivative(parse("h4 / h5"), "h4")) == "1/h5"
    assert to_text(derivative(parse("(h4 / h5) * c"), "h4")) == "c/h5"
    assert to_text(derivative(parse("log(h5 * h4)"), "h4")) == "h5/(h5·h4)"
    assert to_text(derivative(parse("a / b"), "b"), pretty=False) == "-(a / b^2)"
    assert to_text(derivative(parse("a - b * c"), "b")) == "−c"
    assert to_text(derivative(parse("y"), "x")) == "0"
    # Mazur writes the target first: −(t1 − o1) reads better as o1 − t1
    assert to_text(derivative(parse("0.5 * (t1 - o1)^2"), "o1")) == "o1 − t1"


# Random expression trees over two names: printing then parsing gives the same value.
_leaf = st.one_of(st.sampled_from([Name("a"), Name("b")]),
                  st.floats(0.25, 4).map(lambda v: Num(round(v, 3))))


def _node(children):
    binary = st.tuples(st.sampled_from(["add", "sub", "mul", "div", "pow"]), children, children)
    unary = st.tuples(st.sampled_from(["neg", "sigmoid", "tanh", "exp", "log", "sqrt", "relu"]),
                      children)
    return st.one_of(binary.map(lambda t: Call(t[0], (t[1], t[2]))),
                     unary.map(lambda t: Call(t[0], (t[1],))),
                     st.tuples(children, st.sampled_from([2.0, 3.0, -1.0, 0.5]))
                     .map(lambda t: Call("pow", (t[0], Num(t[1])))))


# Numbers with every digit a float can carry, negative ones and −0 too.
_any_number = st.floats(allow_nan=False, allow_infinity=False).map(Num)


def _fold(e):
    """The parser reads -2 as the number −2: fold generated neg(number) the same way."""
    if isinstance(e, Call):
        args = tuple(_fold(a) for a in e.args)
        if e.op == "neg" and isinstance(args[0], Num):
            return Num(-args[0].value)
        return Call(e.op, args)
    return e


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.one_of(_leaf, _any_number), _node, max_leaves=8))
def test_plain_printing_parses_back_to_the_same_tree(tree):
    tree = _fold(tree)
    assert parse(to_text(tree, pretty=False)) == tree


@settings(max_examples=200, deadline=None)
@given(st.recursive(_leaf, _node, max_leaves=8))
def test_symbolic_derivative_matches_central_differences(tree):
    env = {"a": np.float64(0.7), "b": np.float64(1.3)}
    with np.errstate(all="ignore"):
        f0 = float(evaluate(tree, env))
        d = float(evaluate(derivative(tree, "a"), env))
    h = 1e-4

    def f(a):
        with np.errstate(all="ignore"):
            return float(evaluate(tree, {**env, "a": np.float64(a)}))

    numeric = (f(0.7 - 2 * h) - 8 * f(0.7 - h) + 8 * f(0.7 + h) - f(0.7 + 2 * h)) / (12 * h)
    if not all(map(math.isfinite, (f0, d, numeric))) or max(abs(f0), abs(d)) > 1e6:
        return  # overflow, a domain error, or values so large that differences drown
    kinks = [float(evaluate(c.args[0], env)) for c in calls(tree, "relu")]
    if any(abs(k) < 1e-3 for k in kinks):
        return  # relu within the stencil's reach of its kink
    assert d == pytest.approx(numeric, rel=1e-6, abs=1e-6)


# The quick parser (most expressions) and the one that says where a mistake is: one answer.
_PIECES = ["x", "w1", "_a", "tanh", "sigmoid", "exp", "foo", "softmax", "2", "0.5", ".5", "1e3",
           "1E+3", "5.", "1e999", "(", ")", "+", "-", "*", "/", "^", "**", "***", " ", ".", ",",
           "@", "é", "١", "1_0", "0x1", "\t", "\n", "e5", "True", "* *", "2x", "(x)", "-2"]


def _outcome(parser, text):
    try:
        return "ok", parser(text)
    except ExprError as e:
        return "error", str(e), e.pos, e.fix


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_the_quick_parser_agrees_with_the_careful_one(text):
    got = _outcome(parse, text)
    assert got == _outcome(lambda t: expressions._Parser(t).parse(), text)
    if got[0] == "ok":
        assert parse_names(text) == (got[1], names(got[1]))


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.one_of(_leaf, _any_number), _node, max_leaves=12))
def test_the_quick_parser_reads_printed_trees_as_the_careful_one(tree):
    text = to_text(tree, pretty=False)
    assert parse(text) == expressions._Parser(text).parse()


def test_deep_nesting_is_left_to_the_careful_parser():
    """Past a few dozen brackets, signs and powers, the careful parser alone decides: under
    Python's default recursion limit its RecursionError (a file's 'nested too deeply'), as
    before; under the command line's larger one, its tree."""
    deep = ["(" * 300 + "x" + ")" * 300, "-" * 2000 + "x", "x" + "^x" * 700,
            "tanh(" * 300 + "x" + ")" * 300, "(" * 70 + "x" + ")" * 70]
    for text in deep:
        with pytest.raises(expressions._Slow):
            expressions._quick(text, {}, {})
    limit = sys.getrecursionlimit()  # (the command line raises it, for the whole process)
    try:
        sys.setrecursionlimit(1000)
        for text in deep[:-1]:
            with pytest.raises(RecursionError):
                parse(text)
    finally:
        sys.setrecursionlimit(limit)
    assert parse(deep[-1]) == Name("x")


def test_a_file_shares_one_name_object_per_name():
    shared = {}
    first, uses = parse_names("tanh(w * x + b) - w", shared)
    second, _ = parse_names("w * n1 + b", shared)
    assert uses == ["w", "x", "b"] and set(shared) == {"w", "x", "b", "n1"}
    assert first.args[0].args[0].args[0].args[0] is second.args[0].args[0] is shared["w"]
    assert first == parse("tanh(w * x + b) - w") and second == parse("w * n1 + b")


def _renamed(text, names_for):
    """``text`` with each variable renamed by ``names_for(old name, place)``."""
    count = iter(range(10**6))
    return expressions._VARIABLE.sub(lambda m: names_for(m.group(1), next(count)), text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join),
                 st.recursive(st.one_of(_leaf, _any_number), _node, max_leaves=12).map(
                     lambda tree: to_text(tree, pretty=False))))
def test_a_shape_made_again_gives_the_careful_parsers_tree(text):
    """After a shape's function is made, every text of that shape (the same text, its
    variables renamed one by one, or all to one name) parses as the careful parser reads it,
    with the names in order and one Name object per name."""
    variants = [text, _renamed(text, lambda v, k: f"v{k}"), _renamed(text, lambda v, k: "w"),
                _renamed(text, lambda v, k: f"{v}_{k % 2}")]
    for k in range(expressions._SHAPE_MADE_AT + 2):
        for variant in variants:
            expected = _outcome(lambda t: expressions._Parser(t).parse(), variant)
            shared = {}
            got = _outcome(lambda t: parse_names(t, shared), variant)
            if expected[0] == "ok":
                tree, uses = got[1]
                assert (tree, uses) == (expected[1], names(expected[1]))
                assert all(shared[n.id] is n for n in _leaves_of(tree) if isinstance(n, Name))
            else:
                assert got == expected
    shape = tuple(expressions._VARIABLE.split(text)[::2])
    if _outcome(parse, text)[0] == "ok" and len(expressions._MADE) < expressions._MOST_SHAPES:
        assert expressions._MADE[shape] is not None  # (a shape's Names are its variables in order)


def _leaves_of(e):
    return [x for a in e.args for x in _leaves_of(a)] if isinstance(e, Call) else [e]


def test_a_variable_is_what_the_tokens_call_a_name():
    assert expressions._VARIABLE.split("tanh(w*n1 + b) - 2e5 - e5 + exp (x)+.5e") == [
        "tanh(", "w", "*", "n1", " + ", "b", ") - 2e5 - ", "e5", " + exp (", "x", ")+.5e"]


def _lowered_op_by_op(net):
    """The graph of an equation net as Graph.add_op builds it, one call per op node."""
    from bpcli.engine import lowered

    def lower(g, e):
        if isinstance(e, Call):
            ins = [g.index[a.id] if isinstance(a, Name) else lower(g, a) for a in e.args]
            return g.add_op(lowered(e.op, tuple(isinstance(a, Num) for a in e.args)), ins)
        if isinstance(e, Name):
            return g.index[e.id]
        return g.add_leaf(None, "const", np.float64(e.value))

    g = net.leaf_graph()
    for name, (_, e) in net.nodes.items():
        g.name(lower(g, e), name, "node")
    g.name(lower(g, net.loss[1]), "E", "loss")
    return g


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.one_of(_leaf, _any_number), _node, max_leaves=12))
def test_build_lowers_as_add_op_would(tree):
    """EquationNet.build appends op nodes itself (no call per node): the same nodes, inputs,
    constants and names as Graph.add_op gives, node for node."""
    from bpcli import nets

    text = to_text(tree, pretty=False)
    net = nets.loads(f"params: {{a: 0.5, b: 2}}\nnodes:\n  n: '{text}'\n  m: n * a - {text}\n"
                     "loss: m + n\n")
    built, by_hand = net.build(), _lowered_op_by_op(net)
    assert [(n.op, n.inputs, n.name, n.attrs) for n in built.nodes] == [
        (n.op, n.inputs, n.name, n.attrs) for n in by_hand.nodes]
    assert [None if v is None else float(v) for v in built.leaf_values] == [
        None if v is None else float(v) for v in by_hand.leaf_values]
    assert built.index == by_hand.index and built.kind == by_hand.kind
