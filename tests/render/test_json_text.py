"""The JSON text bpcli writes is the standard library's, byte for byte: stdout.json_pieces
joins long runs of numbers itself (issue 12) and must not differ from
json.JSONEncoder(indent=2, ensure_ascii=False) in any document, however odd."""
import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcli import stdout


def stock(doc):
    return "".join(json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(doc))


def ours(doc):
    return "".join(stdout.json_pieces(doc))


LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
                   st.just(np.float64(-0.25)), st.just(float("nan")), st.just(-float("inf")))
KEYS = st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans())
DOCS = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner), st.lists(inner).map(tuple), st.dictionaries(KEYS, inner),
    st.lists(st.floats(allow_nan=False, allow_infinity=False)),  # the joined runs
    st.dictionaries(st.text(), st.floats())), max_leaves=40)


@settings(max_examples=500, deadline=None)
@given(DOCS)
def test_any_document_is_written_as_the_standard_library_writes_it(doc):
    assert ours(doc) == stock(doc)


def test_a_forward_of_thousands_of_values_is_written_in_pieces_of_a_thousand():
    doc = {"values": {f"n{k}": k / 7 - 300 for k in range(2500)}, "loss": 0.5,
           "list": [0.1 * k for k in range(1500)], "nested": {"a": [1.0, float("inf")], "e": {}},
           "Ünïcode \"quoted\"\n": [[], [1.5, 2.5], ["text", None, True, 3]]}
    pieces = list(stdout.json_pieces(doc))
    assert "".join(pieces) == stock(doc)
    assert max(len(p) for p in pieces) < 40_000  # a reader who stops early meets the next write
    assert sum(p.count("\n") for p in pieces) > 4000


def test_what_json_refuses_it_refuses_too():
    try:
        ours({"a": [1.0, object()]})
    except TypeError as e:
        assert "not JSON serializable" in str(e)
    else:
        raise AssertionError("an object was written")
