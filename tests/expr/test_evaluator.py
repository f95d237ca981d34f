"""Evaluation: examples from https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
(functions, object filters, status checks) and the runner's Sdk/Functions/*.cs rules."""

from __future__ import annotations

import math
from typing import Any

import pytest

from qmoi.expr import (
    EvalOptions,
    ExpressionError,
    FilteredArray,
    Status,
    compile_expression,
    evaluate,
    parse_expression,
)

CONTEXTS: dict[str, Any] = {
    "github": {
        "event_name": "push", "ref": "refs/heads/main", "head_ref": "", "run_id": 42,
        "event": {
            "issue": {"labels": [{"name": "bug"}, {"name": "triage"}, {"color": "red"}]},
            "pull_request": {"number": 7},
        },
    },
    "env": {"FOO": "bar", "Mixed": "m"},
    "matrix": {"os": "ubuntu-latest", "node": 20},
    "fruits": [{"apple": {"qty": 1}}, {"orange": {"qty": 2}}],
    "nested": [[1, 2], [3], "x"],
}


def ev(text: str, contexts: dict[str, Any] | None = None, **kw: Any) -> Any:
    return evaluate(parse_expression(text), CONTEXTS if contexts is None else contexts, **kw)


@pytest.mark.parametrize(("text", "value"), [
    # Functions section of the docs
    ("contains('Hello world', 'llo')", True),
    ("contains('Hello world', 'LLO')", True),
    ("contains(github.event.issue.labels.*.name, 'bug')", True),
    ("contains(github.event.issue.labels.*.name, 'BUG')", True),
    ("contains(fromJSON('[\"push\", \"pull_request\"]'), github.event_name)", True),
    ("contains(fromJSON('[1, 2]'), '2')", True),
    ("contains(fromJSON('[]'), '')", False),
    ("contains(github.event, 'issue')", False),
    ("contains(12345, 34)", True),
    ("contains('abc', fromJSON('[1]'))", False),
    ("startsWith('Hello world', 'He')", True),
    ("startsWith('Hello world', 'he')", True),
    ("startsWith(fromJSON('[1]'), 'A')", False),
    ("endsWith('Hello world', 'ld')", True),
    ("endsWith(github.ref, 'MAIN')", True),
    ("format('Hello {0} {1} {2}', 'Mona', 'the', 'Octocat')", "Hello Mona the Octocat"),
    ("format('{{Hello {0} {1} {2}!}}', 'Mona', 'the', 'Octocat')", "{Hello Mona the Octocat!}"),
    ("format('{0}{0}', 1.50)", "1.51.5"),
    ("format('{0}|{1}|{2}', null, true, fromJSON('{}'))", "|true|Object"),
    ("join(github.event.issue.labels.*.name, ', ')", "bug, triage"),
    ("join(fromJSON('[\"a\", 1, true, null, [1]]'))", "a,1,true,,Array"),
    ("join('single')", "single"),
    ("join(fromJSON('[\"a\", \"b\"]'), fromJSON('[1]'))", "a,b"),
    ("join(fromJSON('{}'))", ""),
    ("toJSON(1)", "1"),
    ("toJSON('a\"b')", '"a\\"b"'),
    ("toJSON(fromJSON('[]'))", "[]"),
    ("toJSON(fromJSON('{\"a\": [1, {\"b\": null}], \"c\": {}}'))",
     '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "c": {}\n}'),
    ("toJSON(fromJSON('[1e21, 0.5, true]'))", "[\n  1E+21,\n  0.5,\n  true\n]"),
    ("fromJSON('true')", True),
    ("fromJSON('\"x\"')", "x"),
    ("fromJSON('{\"include\":[{\"project\":\"foo\",\"config\":\"Debug\"}]}').include[0].config",
     "Debug"),
    ("fromJSON(' 12 ')", 12.0),
    ("case(github.ref == 'refs/heads/main', 'production', 'dev')", "production"),
    ("case(false, 'a', github.event_name == 'push', 'b', 'c')", "b"),
    ("case(false, 'a', false, 'b', 'default')", "default"),
    ("Case(true, 1, 2)", 1.0),
    # Operators and literals
    ("github.head_ref || github.run_id", 42.0),
    ("github.event_name == 'push' && 'yes' || 'no'", "yes"),
    ("github.event_name == 'pull' && 'yes' || 'no'", "no"),
    ("'' && 'x'", ""),
    ("0 || null", None),
    ("!fromJSON('[]')", False),
    ("!''", True),
    ("1 < 2 && 'b' > 'A' && 2 >= '2' && null <= 0", True),
    ("fromJSON('{}') == fromJSON('{}')", False),
    ("github.event == github.event", True),
    ("github.event >= github.event", True),
    ("github.event > github.event", False),
    ("NaN == NaN", False),
    ("-0 == 0", True),
    ("0x10 == 16", True),
    # Property access
    ("github.EVENT_NAME", "push"),
    ("GitHub.event_name", "push"),
    ("github['event_name']", "push"),
    ("github.missing", None),
    ("github.missing.deeper", None),
    ("github.ref[0]", None),
    ("matrix.node", 20.0),
    ("fromJSON('[10, 20, 30]')[1.9]", 20.0),
    ("fromJSON('[10, 20, 30]')['2']", 30.0),
    ("fromJSON('[10, 20, 30]')[3]", None),
    ("fromJSON('[10, 20, 30]')[-1]", None),
    ("fromJSON('{\"1\": \"one\"}')[1]", "one"),
    ("fromJSON('{\"a\": 1}')[fromJSON('[]')]", None),
])
def test_documented_behaviour(text: str, value: Any) -> None:
    result = ev(text)
    assert result == value and type(result) is type(value)


def test_object_filters_from_the_docs() -> None:
    assert ev("fruits.*.*.qty") == [1.0, 2.0]  # docs: "Object filters"
    assert ev("github.event.issue.labels.*.name") == ["bug", "triage"]
    assert ev("github.event.*.number") == [7.0]
    assert ev("nested.*[0]") == [1.0, 3.0]
    assert ev("nested.*.*") == [1.0, 2.0, 3.0]
    assert ev("github.event_name.*") == []
    assert ev("github.missing.*.x") == []
    assert isinstance(ev("fruits.*"), FilteredArray)


def test_env_is_case_sensitive_on_linux_but_not_on_windows() -> None:
    assert ev("env.FOO") == "bar"
    assert ev("env.foo") is None
    assert ev("env['Mixed']") == "m"
    assert ev("env.foo", options=EvalOptions(case_sensitive_env=False)) == "bar"
    # other contexts stay case-insensitive
    assert ev("matrix.OS") == "ubuntu-latest"


@pytest.mark.parametrize(("status", "success", "failure", "cancelled"), [
    (Status.SUCCESS, True, False, False),
    (Status.FAILURE, False, True, False),
    (Status.CANCELLED, False, False, True),
])
def test_status_functions(status: Status, success: bool, failure: bool, cancelled: bool) -> None:
    assert ev("success()", status=status) is success
    assert ev("failure()", status=status) is failure
    assert ev("cancelled()", status=status) is cancelled
    assert ev("always()", status=status) is True


@pytest.mark.parametrize(("text", "fragment"), [
    ("nope.x", "unrecognized named-value 'nope'"),
    ("fromJSON('')", "empty"),
    ("fromJSON('{bad')", "invalid JSON"),
    ("format('{0}')", "only 0 argument"),
    ("format('{0:x}', 1)", "format specifiers"),
    ("format('{', 1)", "literal brace"),
    ("format('}', 1)", "lone '}'"),
    ("format('{a}', 1)", "placeholder"),
    ("format('{256}', 1)", "not a valid argument index"),
    ("case('yes', 1, 2)", "must be a boolean"),
    ("hashFiles('**/x')", "needs a workspace"),
])
def test_evaluation_errors_are_expression_errors_with_a_span(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        ev(text)
    assert fragment in info.value.message
    assert info.value.span is not None


def test_format_evaluates_each_argument_once_and_only_when_used() -> None:
    # The unused argument would fail if evaluated.
    assert ev("format('{0}', 'ok', fromJSON(''))") == "ok"


def test_short_circuit_skips_failing_operands() -> None:
    assert ev("false && fromJSON('')") is False
    assert ev("true || fromJSON('')") is True
    assert ev("case(true, 1, fromJSON(''), 2, 3)") == 1.0


def test_compiled_expression_evaluates_many_times() -> None:
    compiled = compile_expression(parse_expression("matrix.node >= 18 && matrix.os"))
    assert compiled.evaluate({"matrix": {"node": 20, "os": "x"}}) == "x"
    assert compiled.evaluate({"matrix": {"node": 16, "os": "x"}}) is False


def test_cyclic_and_deep_values_become_expression_errors() -> None:
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    with pytest.raises(ExpressionError, match="too deeply"):
        ev("toJSON(a)", {"a": cyclic})
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ExpressionError):
        ev("fromJSON(a)", {"a": deep})


def test_foreign_values_are_objects_and_ints_are_numbers() -> None:
    assert ev("toJSON(a)", {"a": object()}) == "{}"
    assert ev("a == 1 && a", {"a": 1}) == 1.0
    assert math.isnan(ev("NaN"))


def test_format_checks_placeholders_before_evaluating_arguments() -> None:
    with pytest.raises(ExpressionError, match="argument \\{1\\}"):
        ev("format('{0}{1}', fromJSON(''))")
