"""Context types built from a workflow: inputs, matrix, needs, steps, github.event.inputs."""

from __future__ import annotations

from qmoi.expr import parse_expression
from qmoi.expr.scopes import ActionScopes, WorkflowScopes, workflow_inputs
from qmoi.expr.typecheck import check
from qmoi.expr.types import ANY, BOOL, NUMBER, STRING, ObjectType
from qmoi.parse import Mapping, Scalar, parse_yaml
from qmoi.source import SourceFile

WORKFLOW = """
on:
  workflow_dispatch:
    inputs:
      flag: {type: boolean}
      level: {type: choice, options: [a, b]}
  workflow_call:
    inputs:
      count: {type: number}
jobs:
  setup:
    runs-on: ubuntu-latest
    outputs:
      version: x
    steps:
      - id: one
        run: a
      - run: b
      - id: two
        run: c
  build:
    needs: [setup]
    strategy:
      matrix:
        os: [linux, windows]
        node: [18, 20]
        include:
          - os: linux
            extra: true
    runs-on: x
    steps:
      - run: a
  dynamic:
    strategy:
      matrix:
        os: ${{ fromJSON(vars.OS) }}
    runs-on: x
"""


def _root(text: str) -> Mapping:
    root = parse_yaml(SourceFile("w.yml", text)).root
    assert isinstance(root, Mapping)
    return root


def _key(root: Mapping, job: str) -> Scalar:
    jobs = root.get("jobs")
    assert isinstance(jobs, Mapping)
    key = jobs.key(job)
    assert key is not None
    return key


def _type(scope: object, text: str) -> object:
    return check(parse_expression(text), scope)  # type: ignore[arg-type]


def test_inputs_union_of_dispatch_and_call_with_declared_types() -> None:
    inputs = workflow_inputs(_root(WORKFLOW))
    assert (inputs.prop("flag"), inputs.prop("level"), inputs.prop("count")) == (
        BOOL, STRING, NUMBER)
    assert inputs.prop("other") is None
    assert workflow_inputs(_root("on: push\njobs: {}\n")).names == ()
    assert workflow_inputs(_root("jobs: {}\n")).prop("x") == ANY


def test_matrix_rows_and_include_keys() -> None:
    root = _root(WORKFLOW)
    scope = WorkflowScopes(root).job(_key(root, "build"), 0)
    matrix = scope.contexts["matrix"]
    assert isinstance(matrix, ObjectType)
    assert (matrix.prop("os"), matrix.prop("node"), matrix.prop("extra")) == (
        STRING, NUMBER, BOOL)
    assert matrix.strict
    dynamic = WorkflowScopes(root).job(_key(root, "dynamic"), 0).contexts["matrix"]
    assert isinstance(dynamic, ObjectType) and not dynamic.strict


def test_needs_outputs_and_notes_for_jobs_not_needed() -> None:
    root = _root(WORKFLOW)
    scope = WorkflowScopes(root).job(_key(root, "build"), 0)
    assert _type(scope, "needs.setup.outputs.version") == (STRING, [])
    _, problems = _type(scope, "needs.dynamic.result")  # type: ignore[misc]
    assert "not in the needs of job 'build'" in problems[0].message


def test_steps_are_the_earlier_ones_with_ids() -> None:
    root = _root(WORKFLOW)
    scopes = WorkflowScopes(root)
    at_third = scopes.job(_key(root, "setup"), 2)
    assert _type(at_third, "steps.one.outputs.x") == (STRING, [])
    _, problems = _type(at_third, "steps.two.outcome")  # type: ignore[misc]
    assert "is this step" in problems[0].message
    _, problems = _type(scopes.job(_key(root, "setup"), 0), "steps.two.outcome")  # type: ignore[misc]
    assert "runs after this step" in problems[0].message
    assert _type(scopes.job(_key(root, "setup"), None), "steps.two.outcome") == (STRING, [])


def test_github_event_inputs_of_workflow_dispatch_only() -> None:
    root = _root("on:\n  workflow_dispatch:\n    inputs:\n      a: {}\njobs: {}\n")
    scope = WorkflowScopes(root).top()
    assert _type(scope, "github.event.inputs.a") == (STRING, [])
    _, problems = _type(scope, "github.event.inputs.b")  # type: ignore[misc]
    assert problems
    called = WorkflowScopes(_root(WORKFLOW)).top()
    assert _type(called, "github.event.inputs.b") == (ANY, [])


def test_action_inputs_and_steps() -> None:
    root = _root("inputs:\n  name: {}\nruns:\n  using: composite\n  steps:\n"
                 "    - id: a\n      run: x\n      shell: bash\n")
    scopes = ActionScopes(root)
    assert _type(scopes.step(1), "inputs.name") == (STRING, [])
    assert _type(scopes.step(1), "inputs.undeclared") == (STRING, [])
    assert _type(scopes.step(1), "steps.a.outputs.x") == (STRING, [])


def test_step_scopes_are_shared_between_steps_that_see_the_same_steps() -> None:
    root = _root("on: push\njobs:\n  setup:\n    steps:\n      - id: one\n      - run: b\n"
                 "      - run: b2\n      - id: two\n      - id: three\n      - run: e\n")
    scopes = WorkflowScopes(root)
    setup = _key(root, "setup")
    seen = [scopes.job(setup, index) for index in range(6)]
    # Steps 1 and 2 (no id, after "one") see the same; 3 and 4 each have their own id.
    assert seen[1] is seen[2]
    assert len({id(scope) for scope in seen}) == 5
    for index, scope in enumerate([*seen, scopes.job(setup, None)]):
        fresh = WorkflowScopes(root).job(setup, index if index < 6 else None)
        assert scope == fresh  # the same contexts and notes as one built for that step alone
    assert scopes.job(setup, 3) is not scopes.job(setup, 5)
    assert "steps.three" in scopes.job(setup, 3).notes
    assert "steps.two" not in scopes.job(setup, 5).notes


def test_needs_notes_are_the_jobs_not_needed_and_the_job_itself() -> None:
    root = _root("on: push\njobs:\n  A: {}\n  b: {}\n  c:\n    needs: [a, c]\n"
                 "    steps:\n      - run: x\n      - id: later\n  d: {}\n")
    notes = WorkflowScopes(root).job(_key(root, "c"), 0).notes
    assert dict(notes) == {
        "needs.b": "job 'b' is not in the needs of job 'c', so needs.b is always null; "
                   "add it to needs:",
        "needs.d": "job 'd' is not in the needs of job 'c', so needs.d is always null; "
                   "add it to needs:",
        "needs.c": "job 'c' cannot need itself",
        "steps.later": "step 'later' runs after this step, so it has no outputs or outcome "
                       "yet; only earlier steps can be referenced",
    }
    assert len(notes) == 4
    assert notes.get("needs.a") is None  # needed, so nothing to explain
    assert notes.get("needs.nope") is None and notes.get("matrix.x") is None
