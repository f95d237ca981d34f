"""The static checker: inferred types, property checks, functions, comparisons; and a
Hypothesis property that it never raises on random trees."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmoi.expr import ast as a
from qmoi.expr import context_types as ct
from qmoi.expr import parse_expression
from qmoi.expr.availability import availability
from qmoi.expr.typecheck import Problem, Scope, check, path_of
from qmoi.expr.types import (
    ANY,
    BOOL,
    NUMBER,
    STRING,
    ArrayType,
    ObjectType,
    Type,
    join,
    map_of,
    obj,
)

SCOPE = Scope({**ct.FIXED, "inputs": ct.inputs_type([("debug", "boolean"), ("n", "number")]),
               "steps": ct.steps_type(["build"]),
               "needs": ct.needs_type([("setup", ("version",))]),
               "matrix": obj({"os": STRING, "config": obj({"arch": STRING})})})


def typed(text: str, scope: Scope = SCOPE) -> tuple[Type, list[Problem]]:
    return check(parse_expression(text), scope)


def messages(text: str, scope: Scope = SCOPE) -> list[str]:
    return [p.message for p in typed(text, scope)[1]]


def test_types_of_literals_operators_and_functions() -> None:
    assert typed("1")[0] == NUMBER
    assert typed("'a' == 'b'")[0] == BOOL
    assert typed("!github.sha")[0] == BOOL
    assert typed("github.sha || 'x'")[0] == STRING
    assert typed("inputs.debug")[0] == BOOL
    assert typed("inputs.n")[0] == NUMBER
    assert typed("format('{0}', 1)")[0] == STRING
    assert typed("toJSON(github)")[0] == STRING
    assert typed("fromJSON('[1, 2]')")[0] == ArrayType(NUMBER)
    assert typed("fromJSON(github.sha)")[0] == ANY
    assert typed("case(true, 1, 2)")[0] == NUMBER


def test_property_lookup_ignores_case_and_knows_nested_objects() -> None:
    assert typed("GitHub.SHA")[0] == STRING
    assert typed("steps.build.outputs.anything")[0] == STRING
    assert typed("needs.setup.outputs.version")[0] == STRING
    assert typed("matrix.config.arch")[0] == STRING
    assert typed("github.event.whatever.deep")[0] == ANY
    assert typed("secrets.GITHUB_TOKEN")[0] == STRING and typed("secrets.MINE")[0] == STRING
    assert typed("env.ANY_NAME")[0] == STRING


def test_object_filters_map_over_items() -> None:
    assert typed("matrix.*")[0] == ArrayType(join(STRING, obj({"arch": STRING})), True)
    assert typed("matrix.config.*")[0] == ArrayType(STRING, True)
    assert typed("github.event.commits.*.message")[0] == ArrayType(ANY, True)
    assert typed("fromJSON('[{\"a\": 1}]').*.a")[0] == ArrayType(NUMBER, True)
    assert messages("fromJSON('[{\"a\": 1}]').*.b") == [
        "property 'b' is not defined in the object; known: a"]


def test_unknown_context_and_property_suggest_a_close_name() -> None:
    assert messages("gihtub.sha") == ["unknown context 'gihtub'; did you mean 'github'?"]
    assert messages("github.refname") == [
        "property 'refname' is not defined in 'github'; did you mean 'ref_name'?"]
    assert messages("matrix.config.arc") == [
        "property 'arc' is not defined in 'matrix.config'; did you mean 'arch'?"]
    assert messages("inputs.nope") == [
        "property 'nope' is not defined in 'inputs'; known: debug, n"]


def test_notes_explain_unknown_steps_and_needs() -> None:
    scope = Scope(SCOPE.contexts, None, {"steps.later": "step 'later' runs later"})
    assert messages("steps.later.outputs.x", scope) == ["step 'later' runs later"]


def test_availability_of_contexts_and_special_functions() -> None:
    scope = Scope(SCOPE.contexts, availability("jobs.<job_id>.if"))
    assert messages("secrets.X == '' && success()", scope) == [
        "context 'secrets' is not available in jobs.<job_id>.if; available: github, inputs, "
        "needs, vars"]
    step_run = Scope(SCOPE.contexts, availability("jobs.<job_id>.steps.run"))
    assert messages("hashFiles('x') && always()", step_run) == [
        "function always() is not available in jobs.<job_id>.steps.run"]


def test_comparisons_of_objects_with_primitives_are_constant() -> None:
    assert messages("matrix.config == 'x'") == [
        "comparing an object (object{arch: string}) with a string is always false: GitHub "
        "never converts objects or arrays for a comparison"]
    assert "always true" in messages("github.event.commits.*.id != 1")[0]
    assert messages("matrix.config == null") == []
    assert messages("github.event.pull_request == 'x'") == []


def test_function_argument_checks() -> None:
    assert "always false" in messages("contains(runner, 'x')")[0]
    assert messages("contains(github.event.labels.*.name, 'x')") == []
    assert "must be a boolean" in messages("case('x', 1, 2)")[0]
    assert messages("case(github.sha == 'x', 1, 2)") == []
    assert "always ''" in messages("join(runner, ',')")[0]
    assert "always false" in messages("startsWith(github.event.commits.*.id, 'x')")[0]


def test_format_placeholders() -> None:
    assert messages("format('{0} {1}', 1)") == [
        "format string '{0} {1}' refers to {1}, but only 1 argument(s) follow it"]
    assert messages("format('{0}', 1, 2)") == [
        "format() argument 1 is never used: the format string has no {1}"]
    assert "lone '}'" in messages("format('}', 1)")[0]
    assert messages("format('{{0}} {0}', 1)") == []
    assert "as 'Object'" in messages("format('{0}', runner)")[0]


def test_from_json_literals() -> None:
    assert messages("fromJSON('{\"a\": [1]}').a") == []
    problem = typed("fromJSON('{a: 1}')")[1][0]
    assert problem.kind == "fromjson"
    assert (problem.span.start, problem.span.end) == (9, 17)


def test_path_of_chains() -> None:
    assert path_of(parse_expression("github.event.commits[0].message")) == \
        "github.event.commits.*.message"
    assert path_of(parse_expression("github['head_ref']")) == "github.head_ref"
    assert path_of(parse_expression("format('x')")) is None


def test_map_and_object_display() -> None:
    assert str(map_of(STRING)) == "map<string, string>"
    assert str(obj({"a": STRING})) == "object{a: string}"
    assert str(ArrayType(NUMBER)) == "array<number>"
    merged = join(obj({"a": STRING}), obj({"b": NUMBER}))
    assert isinstance(merged, ObjectType) and merged.names == ("a", "b")


# -- Hypothesis: the checker is total over random trees (any names, any arity)

names = st.sampled_from(["github", "env", "matrix", "steps", "needs", "nope", "INPUTS", "x-y"])
keys = st.sampled_from(["sha", "event", "os", "config", "outputs", "", "*", "1"])
callees = st.sampled_from(["contains", "startsWith", "format", "join", "toJSON", "fromJSON",
                           "hashFiles", "case", "success", "always", "nosuch"])
literals = st.one_of(st.just(a.Null()), st.builds(a.Bool, st.booleans()),
                     st.builds(a.Number, st.floats()), st.builds(a.String, st.text(max_size=6)),
                     st.sampled_from(["{0}", "{1}{0}", "}", "[1]", "{\"a\": 1}"]).map(a.String))


def _extend(children: st.SearchStrategy[a.Expr]) -> st.SearchStrategy[a.Expr]:
    key = st.one_of(st.builds(a.Star), keys.map(a.String), children)
    return st.one_of(
        st.builds(a.Index, children, key),
        st.builds(a.Not, children),
        st.builds(a.Compare, st.sampled_from(a.COMPARISONS), children, children),
        st.lists(children, min_size=2, max_size=3).map(lambda p: a.And(tuple(p))),
        st.lists(children, min_size=2, max_size=3).map(lambda p: a.Or(tuple(p))),
        st.builds(lambda n, args: a.Call(n, tuple(args)), callees,
                  st.lists(children, max_size=4)),
    )


trees = st.recursive(st.one_of(literals, names.map(a.Context)), _extend, max_leaves=15)
where = st.sampled_from([None, "jobs.<job_id>.if", "jobs.<job_id>.steps.run", "run-name"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees, where)
def test_the_checker_never_raises(tree: a.Expr, key: str | None) -> None:
    scope = Scope(SCOPE.contexts, None if key is None else availability(key))
    result, problems = check(tree, scope)
    assert result is not None
    assert all(p.message for p in problems)
