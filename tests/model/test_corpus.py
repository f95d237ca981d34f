"""Build the model of every real workflow and action.yml in the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmoi.model import (
    Action,
    Job,
    ReusableCall,
    Workflow,
    build_action,
    build_workflow,
    expand_matrix,
)
from qmoi.parse import parse_yaml
from qmoi.parse.nodes import Mapping, Sequence
from qmoi.source import SourceFile


def _load(path: Path) -> tuple[SourceFile, Mapping]:
    text = path.read_bytes().decode("utf-8")
    source = SourceFile(path.name, text)
    root = parse_yaml(source).root
    assert isinstance(root, Mapping), path.name
    return source, root


@pytest.fixture(scope="module")
def workflows(shared: Path) -> list[tuple[Mapping, Workflow]]:
    built = []
    for path in sorted((shared / "corpus" / "workflows").iterdir()):
        source, root = _load(path)
        built.append((root, build_workflow(root, source)))
    return built


@pytest.fixture(scope="module")
def actions(shared: Path) -> list[tuple[Mapping, Action]]:
    built = []
    for path in sorted((shared / "corpus" / "actions").iterdir()):
        source, root = _load(path)
        built.append((root, build_action(root, source)))
    return built


def test_every_workflow_builds_with_all_its_jobs(
    workflows: list[tuple[Mapping, Workflow]],
) -> None:
    assert len(workflows) == 555
    for root, workflow in workflows:
        jobs = root.get("jobs")
        assert isinstance(jobs, Mapping)
        assert [j.id for j in workflow.jobs] == [k.value for k, _ in jobs.pairs]
        assert workflow.on, workflow.source.path
        for trigger in workflow.on:
            assert trigger.name in workflow.source.slice(trigger.span)


def test_steps_match_the_step_lists(workflows: list[tuple[Mapping, Workflow]]) -> None:
    total = 0
    for _, workflow in workflows:
        for job in workflow.jobs:
            if not isinstance(job, Job) or not isinstance(job.node, Mapping):
                continue
            steps = job.node.get("steps")
            expected = len(steps.items) if isinstance(steps, Sequence) else 0
            assert len(job.steps) == expected
            total += expected
            for step in job.steps:
                assert step.kind is not None, (workflow.source.path, job.id, step.index)
    assert total > 10_000


def test_sensible_corpus_counts(workflows: list[tuple[Mapping, Workflow]]) -> None:
    jobs = [j for _, w in workflows for j in w.jobs]
    calls = [j for j in jobs if isinstance(j, ReusableCall)]
    assert len(jobs) > 2000 and len(calls) > 100
    assert all(c.uses is not None and c.workflow is not None for c in calls)
    normal = [j for j in jobs if isinstance(j, Job)]
    assert sum(j.runs_on is not None for j in normal) > 0.95 * len(normal)
    events = {t.name for _, w in workflows for t in w.on}
    assert {"push", "pull_request", "workflow_dispatch", "schedule", "workflow_call"} <= events
    forms = {w.on_form for _, w in workflows}
    assert forms == {"string", "list", "mapping"}


def test_static_matrices_expand_without_errors(
    workflows: list[tuple[Mapping, Workflow]],
) -> None:
    legs = 0
    for _, workflow in workflows:
        for job in workflow.jobs:
            matrix = job.matrix
            if matrix is None or not matrix.is_static:
                continue
            value = matrix.to_json()
            assert value is not None
            expansion = expand_matrix(value)
            assert expansion.errors == (), (workflow.source.path, job.id)
            legs += len(expansion)
    assert legs > 1000


def test_every_action_builds(actions: list[tuple[Mapping, Action]]) -> None:
    assert len(actions) == 78
    kinds = set()
    for root, action in actions:
        assert action.runs is not None and action.runs.kind is not None, action.source.path
        kinds.add(action.runs.kind)
        inputs = root.get("inputs")
        expected = len(inputs) if isinstance(inputs, Mapping) else 0
        assert len(action.inputs) == expected
        if action.runs.kind == "composite":
            assert action.runs.steps
    assert kinds == {"composite", "node", "docker"}
