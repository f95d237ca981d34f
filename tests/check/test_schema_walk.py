"""The schema walk: type phrases, expressions, aliases, suggestions and fixes."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.check import check_source
from qmoi.check.base import DocumentKind
from qmoi.check.schema_walk import Finding, check_schema, did_you_mean, is_expression
from qmoi.diagnostics import FixSafety, Severity
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping, Scalar, ScalarKind
from qmoi.source import SourceFile, Span


def _findings(text: str, kind: DocumentKind = "workflow") -> list[Finding]:
    root = parse_yaml(SourceFile("t.yml", text)).root
    assert isinstance(root, Mapping)
    return list(check_schema(root, kind))


def _messages(text: str) -> list[str]:
    return [f.message for f in _findings(text)]


JOB = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n{}    steps:\n      - run: make\n"


def test_a_clean_workflow_has_no_findings() -> None:
    assert _findings(JOB.format("")) == []


def test_expression_detection() -> None:
    assert is_expression(Scalar("${{ x }}", Span(0, 8)))
    assert is_expression(Scalar("a-${{ x }}-b", Span(0, 12)))
    assert not is_expression(Scalar("${{ x", Span(0, 5)))
    assert not is_expression(Scalar("}} ${{", Span(0, 6)))
    assert not is_expression(Scalar("1", Span(0, 1), ScalarKind.INT))


def test_a_whole_expression_stands_for_a_number_where_expressions_are_allowed() -> None:
    assert _messages(JOB.format("    timeout-minutes: ${{ inputs.minutes }}\n")) == []
    assert _messages(JOB.format("    timeout-minutes: 5\n")) == []
    assert _messages(JOB.format("    timeout-minutes: '5'\n")) == [
        '"timeout-minutes" must be a number or an expression, but it is a string'
    ]


def test_expressions_are_inherited_by_nested_keys() -> None:
    strategy = "    strategy:\n      fail-fast: ${{ x }}\n      max-parallel: ${{ y }}\n"
    assert _messages(JOB.format(strategy)) == []


def test_numbers_and_booleans_are_read_as_strings_where_strings_are_expected() -> None:
    env = "    env:\n      A: 1\n      B: true\n      C: 1.5\n      D:\n"
    assert _messages(JOB.format(env)) == []


def test_a_quoted_boolean_is_not_a_boolean() -> None:
    assert _messages(JOB.format("    continue-on-error: 'true'\n")) == [
        '"continue-on-error" must be a boolean or an expression, but it is a string'
    ]


def test_null_is_rejected_where_a_mapping_is_expected() -> None:
    assert _messages(JOB.format("    defaults:\n")) == [
        '"defaults" must be a mapping, but it is null'
    ]


def test_an_aliased_mapping_is_checked_once_per_place() -> None:
    text = ("on: push\njobs:\n  a:\n    runs-on: x\n    env: &e\n      K: [1]\n"
            "    steps: [{run: make}]\n  b:\n    runs-on: x\n    env: *e\n"
            "    steps: [{run: make}]\n")
    assert _messages(text) == ['"K" must be a string, but it is a sequence']


def test_scalars_that_fit_are_skipped_but_empty_and_wrong_ones_reported() -> None:
    # Every scalar place: a known key, a free key (env), a sequence item (needs).
    text = ("on: push\njobs:\n  a:\n    runs-on: ''\n    env: {K: 1, L: null}\n"
            "    needs: [b, '', 3]\n    timeout-minutes: abc\n    steps: [{run: make}]\n"
            "  b:\n    runs-on: &r x\n    name: *r\n    steps: [{run: ''}]\n")
    assert _messages(text) == [
        '"runs-on" must not be empty',
        'an item of "needs" must not be empty',
        '"timeout-minutes" must be a number or an expression, but it is a string',
    ]


def test_unknown_key_in_a_loose_place_is_a_warning_with_a_rename_fix() -> None:
    (finding,) = _findings("on:\n  push:\n    branchs: [main]\njobs:\n  a:\n    runs-on: x\n")
    assert finding.severity is Severity.WARNING
    assert finding.fix is not None
    assert finding.fix.safety is FixSafety.UNSAFE
    assert [e.text for e in finding.fix.edits] == ["branches"]


def test_did_you_mean() -> None:
    keys = ["runs-on", "timeout-minutes", "steps", "needs"]
    assert did_you_mean("runs_on", keys) == "runs-on"
    assert did_you_mean("Steps", keys) == "steps"
    assert did_you_mean("timeout", keys) == "timeout-minutes"
    assert did_you_mean("banana", keys) is None


def test_action_metadata_uses_its_own_schema() -> None:
    text = "name: a\ndescription: b\nruns:\n  using: composite\n  steps:\n    - run: x\n" \
           "      shell: bash\n      timeout-minutes: 3\n"
    assert [f.kind for f in _findings(text, "action")] == ["unknown-key"]


_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                  st.sampled_from(["${{ x }}", "push", "runs-on", "steps", "run"]))
_keys = st.sampled_from(["on", "jobs", "build", "runs-on", "steps", "run", "uses", "with",
                         "env", "strategy", "matrix", "id", "needs", "x"])
_tree = st.recursive(_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=5)), max_leaves=30)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_keys, _tree, max_size=5))
def test_any_document_checks_without_a_crash(document: dict[str, object]) -> None:
    text = json.dumps(document)  # JSON is YAML, and keeps the test independent of a dumper
    source = SourceFile("t.yml", text)
    for kind in ("workflow", "action"):
        for diagnostic in check_source(source, kind):
            assert "internal error" not in diagnostic.message
            assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(text)
