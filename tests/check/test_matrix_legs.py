"""matrix-too-many-legs counts by expanding only a matrix that may exceed the limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qmoi.check import check_source
from qmoi.check.rules.matrix_too_many_legs import MatrixTooManyLegs, _most_legs
from qmoi.model.matrix import expand_matrix
from qmoi.model.values import JSON
from qmoi.source import SourceFile

_VALUE = st.one_of(st.integers(0, 3), st.sampled_from(["a", "b"]), st.none())
_VECTOR = st.one_of(st.lists(_VALUE, max_size=4), _VALUE)
_ENTRY = st.dictionaries(st.sampled_from(["x", "y", "z", "w"]), _VALUE, max_size=3)
_LIST = st.one_of(st.lists(st.one_of(_ENTRY, _VALUE), max_size=4), _VALUE)


@st.composite
def _tables(draw: st.DrawFn) -> dict[str, JSON]:
    table: dict[str, JSON] = dict(draw(st.dictionaries(st.sampled_from(["x", "y", "z"]),
                                                       _VECTOR, max_size=3)))
    if draw(st.booleans()):
        table["include"] = draw(_LIST)
    if draw(st.booleans()):
        table["exclude"] = draw(_LIST)
    return table


@given(_tables())
def test_the_bound_is_never_below_the_expansion(table: dict[str, JSON]) -> None:
    assert _most_legs(table) >= len(expand_matrix(table))


def _legs_found(matrix: str) -> list[str]:
    text = f"on: push\njobs:\n  t:\n    strategy:\n      matrix:\n{matrix}" \
           "    runs-on: x\n    steps:\n      - run: y\n"
    return [d.message for d in check_source(SourceFile("w.yml", text), "workflow",
                                            [MatrixTooManyLegs])]


def test_an_include_that_matches_adds_no_leg_at_the_limit() -> None:
    vectors = "        a: [1, 2, 3, 4, 5, 6, 7, 8]\n        b: [1, 2, 3, 4, 5, 6, 7, 8]\n" \
              "        c: [1, 2, 3, 4]\n"
    assert _legs_found(vectors + "        include:\n          - a: 1\n            d: 2\n") == []
    assert _legs_found(vectors + "        include:\n          - a: 9\n") == [
        'the matrix of job "t" generates 257 jobs; GitHub allows at most 256']
