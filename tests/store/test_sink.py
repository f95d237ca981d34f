"""The event sink: each state change is a committed row as soon as the event passes; the
run's workflows are recorded as versions; logs stay files whose paths (and, at the end,
hashes) the store keeps; a run that ends without its RunFinished is interrupted."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qmoi.events import (
    Event,
    JobFinished,
    JobQueued,
    JobStarted,
    LogLine,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
)
from qmoi.store import RunSpec, Store, StoreSink, open_store
from qmoi.store.models import FileRow, JobAttempt, JobRow, Run, WorkflowVersion
from qmoi.store.models_qcity import ResourceSample
from qmoi.store.runs import list_runs, log_files, run_document

WF = ".github/workflows/ci.yml"


def _events(run_id: str) -> list[Event]:
    return [
        RunStarted(run_id, 100.0),
        JobQueued("build-1", "build", "build (1)", WF, {"v": 1}, 100.5),
        JobStarted("build-1", 101.0),
        StepStarted("build-1", 0, "s", "Make 1", 101.5),
        LogLine("build-1", 0, "hello", 101.6),
        StepFinished("build-1", 0, "s", "success", "success", {"x": "1"}, 102.0),
        JobFinished("build-1", "success", {"out": "1"}, 103.0),
        JobQueued("check", "check", "check", WF, {}, 103.5),
        JobFinished("check", "skipped", {}, 103.5, "a need failed"),
        RunFinished(run_id, "success", 104.0),
    ]


def _write_log(spec: RunSpec, key: str, name: str, text: str) -> Path:
    path = spec.options.run_dir / "logs" / key / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_run_becomes_rows_with_the_run_json_shape(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    run_id = spec.plan.run.run_id
    sink = StoreSink(store, spec)
    for event in _events(run_id):
        sink(event)
    log = _write_log(spec, "build-1", "001.log", "##[step]Make 1\nhello\n")
    sink.close()

    doc = run_document(store, run_id)
    assert doc["run_id"] == run_id and doc["result"] == "success"
    build, check = doc["jobs"]
    assert build == {
        "id": "build", "key": "build-1", "name": "build (1)", "workflow": WF,
        "matrix": {"v": 1}, "result": "success", "outputs": {"out": "1"},
        "started_at": "1970-01-01T00:01:41.000+00:00",
        "finished_at": "1970-01-01T00:01:43.000+00:00",
        "steps": [{"id": "s", "name": "Make 1", "outcome": "success",
                   "conclusion": "success", "outputs": {"x": "1"}}],
        "attempt": 1, "runner": "local", "message": None,
        "resources": {"request": None, "used": {"peak_rss": None, "cpu_seconds": None,
                                                "wall_seconds": 2.0}},
    }
    assert check["result"] == "skipped" and check["attempt"] == 0
    assert check["message"] == "a need failed" and check["resources"] is None

    [summary] = list_runs(store)
    assert summary["workflow"] == WF and summary["event"] == "push"
    assert summary["commit"] == spec.plan.event.sha and summary["result"] == "success"
    with store.read() as session:
        row = session.scalars(select(FileRow)).one()
        assert (row.kind, row.path, row.size) == ("log", str(log), log.stat().st_size)
        assert row.sha256 == hashlib.sha256(log.read_bytes()).hexdigest()
        sample = session.scalars(select(ResourceSample)).one()
        assert (sample.workflow, sample.job_id, sample.matrix_key) == (WF, "build", '{"v":1}')
    [item] = log_files(store, run_id, "build")
    assert item.path == log and item.attempt == 1


def test_each_change_is_committed_before_the_next_event(
        store: Store, home: Path, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    sink = StoreSink(store, spec)
    other = open_store(home, recover=False)  # another connection, as another process
    try:
        with other.read() as session:
            run = session.get(Run, spec.plan.run.run_id)
            assert run is not None and run.result is None and run.plan["workflows"]
        for event in _events(spec.plan.run.run_id)[:3]:
            sink(event)
        with other.read() as session:
            job = session.scalars(select(JobRow)).one()
            assert (job.key, job.attempt, job.started_at) == ("build-1", 1, 101.0)
            assert session.scalars(select(JobAttempt)).one().result is None
    finally:
        sink.close()
        other.close()


def test_a_run_closed_without_its_end_is_interrupted(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    sink = StoreSink(store, spec)
    for event in _events(spec.plan.run.run_id)[:4]:
        sink(event)
    sink.close()
    doc = run_document(store, spec.plan.run.run_id)
    assert doc["result"] == "interrupted"
    assert [job["result"] for job in doc["jobs"]] == ["interrupted"]
    assert doc["jobs"][0]["steps"][0]["conclusion"] is None


def test_workflow_versions_are_recorded_once_per_content(
        store: Store, tmp_path: Path, make_spec: Callable[..., RunSpec]) -> None:
    for _ in range(2):
        StoreSink(store, make_spec()).close()
    repo = tmp_path / "repo"
    workflow = repo / ".github" / "workflows" / "ci.yml"
    workflow.write_text(workflow.read_text() + "# changed\n")
    StoreSink(store, make_spec()).close()
    with store.read() as session:
        versions = session.scalars(select(WorkflowVersion).order_by(WorkflowVersion.id)).all()
        assert [v.path for v in versions] == [WF, WF]
        first, second = versions
        assert first.content_hash == hashlib.sha256(first.content.encode()).hexdigest()
        assert second.content.endswith("# changed\n") and first.last_seen >= first.first_seen
        assert session.scalar(select(func.count()).select_from(Run)) == 3


def test_unknown_runs_and_jobs_are_clean_errors(store: Store) -> None:
    from qmoi.errors import UsageError

    with pytest.raises(UsageError, match="no run 'nope'"):
        run_document(store, "nope")
    with pytest.raises(UsageError, match="no run"):
        log_files(store, "nope")
