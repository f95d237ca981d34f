"""Hypothesis: the parser and evaluator are total (only ExpressionError escapes), and
printing a tree then parsing it gives the same tree."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmoi.expr import ExpressionError, evaluate, parse_expression, parse_template, to_text
from qmoi.expr import ast as a
from qmoi.expr.parser import FUNCTIONS

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ATOMS = ["a", "b.c", "x['y']", "'s'", "'it''s'", "1", "-2.5e3", "0xff", "NaN", "null", "true",
         "(", ")", "[", "]", ".", "*", ",", "!", "==", "!=", "<", "<=", ">", ">=", "&&", "||",
         "contains", "format", "fromJSON", "'{0}'", "}}", "${{", "\"", "+", "-", " ", "é", "=",
         "&", "|", "case", "0o7", ".5", "github", "*.", "''"]

names = st.sampled_from(["a", "b", "github", "env", "Env", "x-y", "_z"])
keys = st.sampled_from(["a", "b", "A", "name", "x y", "1", "", "*"])


@FAST
@given(st.lists(st.sampled_from(ATOMS), max_size=25).map("".join))
def test_parsing_token_soup_raises_only_expression_errors(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse_expression(text)


@FAST
@given(st.text(max_size=80))
def test_parsing_arbitrary_text_raises_only_expression_errors(text: str) -> None:
    for parse in (parse_expression, parse_template):
        with contextlib.suppress(ExpressionError):
            parse(text)


literals = st.one_of(
    st.just(a.Null()),
    st.builds(a.Bool, st.booleans()),
    st.builds(a.Number, st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(a.String, st.text(max_size=8)),
)


def _flat(cls: type[a.And] | type[a.Or], parts: list[a.Expr]) -> a.Expr:
    flat: list[a.Expr] = []
    for part in parts:
        flat.extend(part.operands if isinstance(part, cls) else (part,))
    return cls(tuple(flat))


def _extend(children: st.SearchStrategy[a.Expr]) -> st.SearchStrategy[a.Expr]:
    key = st.one_of(st.builds(a.Star), keys.map(a.String), children)
    callee = st.sampled_from([v[0] for k, v in FUNCTIONS.items() if k != "hashfiles"])
    return st.one_of(
        st.builds(a.Index, children, key),
        st.builds(a.Not, children),
        st.builds(a.Compare, st.sampled_from(a.COMPARISONS), children, children),
        st.lists(children, min_size=2, max_size=3).map(lambda p: _flat(a.And, p)),
        st.lists(children, min_size=2, max_size=3).map(lambda p: _flat(a.Or, p)),
        st.tuples(callee, st.lists(children, max_size=3)).map(_call),
    )


def _call(pair: tuple[str, list[a.Expr]]) -> a.Expr:
    name, args = pair
    low, high = FUNCTIONS[name.lower()][1:]
    args = args[:high]
    while len(args) < low or (name == "case" and len(args) % 2 == 0):
        args.append(a.Bool(True))
    return a.Call(name, tuple(args))


trees = st.recursive(st.one_of(literals, names.map(a.Context)), _extend, max_leaves=12)

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(-5, 5), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(keys, inner, max_size=3)),
    max_leaves=10)
contexts = st.dictionaries(names, json_values, max_size=4)


@FAST
@given(trees)
def test_print_then_parse_round_trips(tree: a.Expr) -> None:
    if a.depth(tree) > 50:
        return
    assert parse_expression(to_text(tree)) == tree


@FAST
@given(trees, contexts)
def test_evaluation_is_total(tree: a.Expr, ctx: dict[str, Any]) -> None:
    try:
        evaluate(tree, ctx)
    except ExpressionError as error:
        assert error.message
