"""Property tests: builders never raise on random YAML-ish trees; expansion never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.model import build_action, build_workflow, expand_matrix
from qmoi.model.values import JSON
from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.source import SourceFile, Span

SOURCE = SourceFile("w.yml", "")
SPAN = Span(0, 0)

KEYS = (
    "on", "name", "run-name", "permissions", "env", "defaults", "run", "shell",
    "working-directory", "concurrency", "group", "cancel-in-progress", "jobs", "runs-on",
    "labels", "needs", "if", "strategy", "matrix", "include", "exclude", "fail-fast",
    "max-parallel", "container", "image", "credentials", "username", "password", "ports",
    "volumes", "options", "services", "environment", "url", "outputs", "timeout-minutes",
    "continue-on-error", "steps", "uses", "with", "secrets", "id", "push", "pull_request",
    "schedule", "cron", "workflow_dispatch", "workflow_call", "inputs", "types", "branches",
    "paths", "tags", "workflows", "type", "required", "default", "description", "value",
    "runs", "using", "main", "pre", "post", "args", "entrypoint", "branding", "icon", "os",
    "parallel", "wait", "wait-all", "cancel", "background",
)  # fmt: skip
TEXTS = ("", "push", "inherit", "${{ x }}", "a/b@c", "./x", "docker://", "read-all", "bash")

scalar_values = st.one_of(
    st.tuples(st.sampled_from(TEXTS) | st.text(max_size=6), st.just(ScalarKind.STR)),
    st.tuples(st.sampled_from(["true", "false"]), st.just(ScalarKind.BOOL)),
    st.tuples(st.integers(-5, 500).map(str), st.just(ScalarKind.INT)),
    st.tuples(st.sampled_from(["1.5", "3.10", ".inf"]), st.just(ScalarKind.FLOAT)),
    st.tuples(st.sampled_from(["", "null", "~"]), st.just(ScalarKind.NULL)),
)
scalars = scalar_values.map(lambda vk: Scalar(vk[0], SPAN, vk[1]))
keys = (st.sampled_from(KEYS) | st.text(max_size=4)).map(lambda k: Scalar(k, SPAN))


def _collections(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    sequences = st.lists(children, max_size=4).map(lambda xs: Sequence(tuple(xs), SPAN))
    mappings = st.lists(st.tuples(keys, children), max_size=5).map(
        lambda ps: Mapping(tuple(ps), SPAN)
    )
    return sequences | mappings


nodes: st.SearchStrategy[Node] = st.recursive(scalars, _collections, max_leaves=25)
roots = st.lists(st.tuples(keys, nodes), max_size=8).map(lambda ps: Mapping(tuple(ps), SPAN))


@settings(max_examples=150, deadline=None)
@given(roots)
def test_build_workflow_never_raises(root: Mapping) -> None:
    workflow = build_workflow(root, SOURCE)
    for job in workflow.jobs:
        assert isinstance(job.display_name, str)
        matrix = job.matrix
        if matrix is not None:
            value = matrix.to_json()
            if value is not None:
                expand_matrix(value)
    for trigger in workflow.on:
        assert isinstance(trigger.name, str)


@settings(max_examples=100, deadline=None)
@given(roots)
def test_build_action_never_raises(root: Mapping) -> None:
    action = build_action(root, SOURCE)
    if action.runs is not None:
        assert action.runs.kind in (None, "composite", "node", "docker")


json_leaf = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "A", "1", ""])
json_values: st.SearchStrategy[JSON] = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["a", "b", "os", "OS"]), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["os", "v", "include", "exclude", "Os"]), json_values))
def test_expand_matrix_never_raises(matrix: dict[str, JSON]) -> None:
    expansion = expand_matrix(matrix)
    for leg in expansion:
        assert isinstance(leg.display_name("job"), str)


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.lists(json_leaf, min_size=1,
                                                                    max_size=3)))
def test_plain_product_size(matrix: dict[str, list[JSON]]) -> None:
    expected = 1
    for values in matrix.values():
        expected *= len(values)
    expansion = expand_matrix(dict(matrix))
    assert len(expansion) == (expected if matrix else 0)
