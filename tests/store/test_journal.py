"""The run journal: state events reach the file (and the views) in order, the store takes a
journal in when it is opened — the same rows the database sink writes — and taking one in
is idempotent: a run still going is shown as far as it got, a dead coordinator's run is
interrupted, a resumed run is never overwritten by its old journal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from qmoi.errors import UsageError
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
from qmoi.store import RunSpec, Store, StoreSink
from qmoi.store.ingest import ingest_pending
from qmoi.store.journal import (
    JOURNAL,
    RunJournal,
    check_database_url,
    pending_dir,
    read_journal,
)
from qmoi.store.liveness import Coordinator, this_process
from qmoi.store.models import FileRow, Run
from qmoi.store.models_qcity import ResourceSample
from qmoi.store.runs import run_document
from qmoi.store.spec import run_header

WF = ".github/workflows/ci.yml"
DEAD = Coordinator(2**22 + 12345, this_process().host, "1")  # above pid_max: never alive


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


def _journal(store: Store, spec: RunSpec, me: Coordinator | None = None
             ) -> tuple[RunJournal, list[Event]]:
    seen: list[Event] = []
    journal = RunJournal(store.home, spec.options.run_dir,
                         run_header(spec, me or this_process()))
    journal.start(seen.append)
    return journal, seen


def _drop_times(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("run_id", "started_at")}


def test_a_journaled_run_is_taken_in_as_the_sink_writes_it(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    journal, seen = _journal(store, spec)
    events = _events(spec.plan.run.run_id)
    for event in events:
        journal(event)
    _write_log(spec, "build-1", "001.log", "##[step]Make 1\nhello\n")
    journal.close()
    assert seen == events  # every event is delivered, in order, log lines too
    header, records = read_journal(journal.path)
    assert header["run_id"] == spec.plan.run.run_id
    assert [r["type"] for r in records] == [
        "job_queued", "job_started", "step_started", "step_finished", "job_finished",
        "job_queued", "job_finished", "run_finished"]  # state only: no log lines

    assert ingest_pending(store) == [spec.plan.run.run_id]
    assert not any(pending_dir(store.home).iterdir())
    by_journal = run_document(store, spec.plan.run.run_id)

    other = make_spec()  # the same events through the database sink
    sink = StoreSink(store, other)
    for event in _events(other.plan.run.run_id):
        sink(event)
    _write_log(other, "build-1", "001.log", "##[step]Make 1\nhello\n")
    sink.close()
    assert _drop_times(by_journal) == _drop_times(run_document(store, other.plan.run.run_id))
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(FileRow)) == 2
        assert session.scalar(select(func.count()).select_from(ResourceSample)) == 2


def test_taking_a_journal_in_twice_changes_nothing(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    journal, _ = _journal(store, spec)
    for event in _events(spec.plan.run.run_id):
        journal(event)
    _write_log(spec, "build-1", "001.log", "log\n")
    journal.close()
    mark = pending_dir(store.home) / spec.plan.run.run_id
    kept = mark.read_text(encoding="utf-8")
    ingest_pending(store)
    first = run_document(store, spec.plan.run.run_id)
    mark.write_text(kept, encoding="utf-8")  # as if the process died before removing it
    assert ingest_pending(store) == [spec.plan.run.run_id]
    assert run_document(store, spec.plan.run.run_id) == first
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(FileRow)) == 1
        assert session.scalar(select(func.count()).select_from(ResourceSample)) == 1


def test_a_run_still_going_is_shown_as_far_as_it_got(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    run_id = spec.plan.run.run_id
    journal, _ = _journal(store, spec)
    events = _events(run_id)
    for event in events[:3]:  # queued and started, its first step not yet
        journal(event)
    assert ingest_pending(store) == [run_id]
    going = run_document(store, run_id)
    assert going["result"] is None and going["jobs"][0]["result"] is None
    assert going["jobs"][0]["attempt"] == 1
    assert (pending_dir(store.home) / run_id).exists()  # taken in again later
    for event in events[3:]:
        journal(event)
    journal.close()
    ingest_pending(store)
    done = run_document(store, run_id)
    assert done["result"] == "success" and done["jobs"][0]["attempt"] == 1
    assert not (pending_dir(store.home) / run_id).exists()


def test_a_dead_coordinators_journal_is_an_interrupted_run(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    run_id = spec.plan.run.run_id
    journal, _ = _journal(store, spec, DEAD)
    for event in _events(run_id)[:4]:
        journal(event)
    # A SIGKILL: no close; the last line may be cut short.
    with journal.path.open("a", encoding="utf-8") as handle:
        handle.write('{"type":"step_fini')
    stamp = journal.path.stat().st_mtime
    assert ingest_pending(store) == [run_id]
    doc = run_document(store, run_id)
    assert doc["result"] == "interrupted"
    [build] = [job for job in doc["jobs"] if job["key"] == "build-1"]
    assert build["result"] == "interrupted"
    with store.read() as session:
        run = session.get(Run, run_id)
        assert run is not None and run.finished_at == pytest.approx(stamp)
    assert not (pending_dir(store.home) / run_id).exists()


def test_a_coordinator_that_failed_ends_its_run_interrupted(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    journal, _ = _journal(store, spec)
    for event in _events(spec.plan.run.run_id)[:3]:
        journal(event)
    journal.close()  # without RunFinished
    ingest_pending(store)
    assert run_document(store, spec.plan.run.run_id)["result"] == "interrupted"


def test_a_resumed_run_is_not_overwritten_by_its_old_journal(
        store: Store, make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    run_id = spec.plan.run.run_id
    journal, _ = _journal(store, spec)
    for event in _events(run_id):
        journal(event)
    journal.close()
    mark = pending_dir(store.home) / run_id
    kept = mark.read_text(encoding="utf-8")
    ingest_pending(store)
    with store.transaction() as conn:  # what qmoi runs resume does to the row
        conn.execute(update(Run).where(Run.id == run_id).values(attempt=2, result="failure"))
    mark.write_text(kept, encoding="utf-8")
    assert ingest_pending(store) == []
    assert run_document(store, run_id)["result"] == "failure"
    assert not mark.exists()


def test_a_journal_whose_folder_is_gone_is_forgotten(store: Store, tmp_path: Path) -> None:
    marks = pending_dir(store.home)
    marks.mkdir(parents=True, exist_ok=True)
    (marks / "42").write_text(str(tmp_path / "nowhere"), encoding="utf-8")
    assert ingest_pending(store) == []
    assert not (marks / "42").exists()


def test_a_failed_write_stops_the_run_and_is_never_shown(
        store: Store, make_spec: Callable[..., RunSpec], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec()
    run_id = spec.plan.run.run_id
    journal, seen = _journal(store, spec)
    stopped: list[bool] = []
    journal.start(seen.append, lambda: stopped.append(True))
    journal(LogLine("build-1", 0, "not state", 1.0))

    def full(*_: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qmoi.store.journal.os.write", full)
    journal(JobStarted("build-1", 2.0))
    journal(RunFinished(run_id, "success", 3.0))
    monkeypatch.undo()
    assert stopped == [True] and [type(e) for e in seen] == [LogLine]
    with pytest.raises(OSError, match="No space left"):
        journal.close()


def test_the_header_is_plain_json(make_spec: Callable[..., RunSpec]) -> None:
    spec = make_spec()
    header = run_header(spec, this_process(), 5.0)
    assert json.loads(json.dumps(header)) == header
    assert header["workflows"][0]["repo_path"] == ".github/workflows/ci.yml"
    assert "jobs:" in header["workflows"][0]["text"] and header["started_at"] == 5.0
    assert (spec.options.run_dir / JOURNAL).exists() is False  # building it writes nothing


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://x/y", "unsupported database 'mysql'"),
    ("not a url", "is not a database URL"),
])
def test_a_bad_database_url_is_refused_before_the_run(
        url: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMOI_DATABASE_URL", url)
    with pytest.raises(UsageError, match=message):
        check_database_url()


@pytest.mark.parametrize("url", ["", "sqlite:///x.db", "postgresql://u@h/db",
                                 "postgresql+psycopg://u@h/db", "postgres://h/db"])
def test_good_database_urls_pass(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMOI_DATABASE_URL", url)
    check_database_url()


def test_a_journal_another_reader_is_taking_in_is_left_to_it(
        store: Store, make_spec: Callable[..., RunSpec], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    from qmoi.store import ingest

    spec = make_spec()
    journal, _ = _journal(store, spec)
    for event in _events(spec.plan.run.run_id):
        journal(event)
    journal.close()

    def racing(*_: object) -> bool:
        raise IntegrityError("INSERT INTO runs", {}, Exception("duplicate key"))

    monkeypatch.setattr(ingest, "_write_run", racing)
    assert ingest_pending(store) == []
    assert (pending_dir(store.home) / spec.plan.run.run_id).exists()  # looked at again later
    monkeypatch.undo()
    assert ingest_pending(store) == [spec.plan.run.run_id]
