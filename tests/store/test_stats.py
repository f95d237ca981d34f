"""``qmoi stats`` numbers on a known history: runs, success rate, median and p95 duration
(nearest rank), queue time and retries per workflow."""

from __future__ import annotations

from qmoi.store import Store
from qmoi.store.models import JobRow, Run, RunWorkflow, WorkflowVersion
from qmoi.store.stats import percentile, workflow_stats

CI, NIGHTLY = ".github/workflows/ci.yml", ".github/workflows/nightly.yml"


def _run(run_id: str, path: str, result: str | None, start: float,
         end: float | None) -> list[object]:
    run = Run(id=run_id, number=1, attempt=1, event="push", event_data={}, commit_sha="c",
              ref="refs/heads/main", repository="o/r", root="/r", run_dir="/r/x", plan={},
              variables={}, matrix_filter=[], capacity=None, result=result, started_at=start,
              finished_at=end, coordinator_pid=1, coordinator_host="h",
              coordinator_start=None, heartbeat_at=end or start)
    flow = RunWorkflow(run_id=run_id, position=0, path=path, repo_path=path, name=path,
                       version_id=1, result=result, started_at=start, finished_at=end)
    return [run, flow]


def _job(run_id: str, key: str, path: str, queued: float, started: float | None,
         attempt: int) -> JobRow:
    return JobRow(run_id=run_id, key=key, workflow=path, job_id=key, name=key, matrix={},
                  result="success", outputs={}, attempt=attempt, queued_at=queued,
                  started_at=started)


def test_stats_on_a_known_history(store: Store) -> None:
    with store.write() as session:
        session.add(WorkflowVersion(id=1, path=CI, content_hash="0" * 64, content="",
                                    first_seen=0.0, last_seen=0.0))
        session.flush()
        for run_id, result, duration in (("1", "success", 10.0), ("2", "success", 20.0),
                                         ("3", "failure", 30.0), ("4", "success", 100.0)):
            session.add_all(_run(run_id, CI, result, 1000.0, 1000.0 + duration))
        session.add_all(_run("5", CI, None, 2000.0, None))  # still running
        session.add_all(_run("6", NIGHTLY, "interrupted", 0.0, 7.0))
        session.flush()
        session.add_all([_job("1", "a", CI, 0.0, 1.0, 1), _job("2", "a", CI, 0.0, 2.0, 3),
                         _job("3", "a", CI, 0.0, 3.0, 2), _job("5", "a", CI, 0.0, None, 0),
                         _job("6", "n", NIGHTLY, 5.0, 5.5, 1)])
    ci, nightly = (entry.to_json() for entry in workflow_stats(store))
    assert ci == {"workflow": CI, "runs": 5, "finished": 4, "success_rate": 0.75,
                  "duration_median_s": 25.0, "duration_p95_s": 100.0,
                  "queue_median_s": 2.0, "queue_p95_s": 3.0, "retries": 3}
    assert nightly == {"workflow": NIGHTLY, "runs": 1, "finished": 1, "success_rate": 0.0,
                       "duration_median_s": 7.0, "duration_p95_s": 7.0,
                       "queue_median_s": 0.5, "queue_p95_s": 0.5, "retries": 0}


def test_no_history_no_stats(store: Store) -> None:
    assert workflow_stats(store) == []


def test_percentile_is_a_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([], 0.95) is None
