"""The QCity tables' helpers: runners, resource profiles, artifact files, knowledge base."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qmoi.store import Store
from qmoi.store.files import put_artifact
from qmoi.store.knowledge import RepairRank, ranked_repairs, record_failure, record_repair
from qmoi.store.profiles import Usage, matrix_key, profile, record_usage
from qmoi.store.runners import (
    RunnerInfo,
    heartbeat_runner,
    list_runners,
    register_runner,
    remove_runner,
    set_runner_state,
)


def test_runners_are_registered_and_follow_their_jobs(store: Store) -> None:
    with store.transaction() as conn:
        register_runner(conn, RunnerInfo("w1", "local", "h", 11, ("ubuntu-latest",)), at=1.0)
        register_runner(conn, RunnerInfo("w2", "local", "h", 12), at=1.0)
        set_runner_state(conn, "w1", "busy", ("run-1", "build-2"), at=2.0)
        set_runner_state(conn, "w2", "draining", ("run-1", "x"), at=2.0)
        heartbeat_runner(conn, "w2", at=3.0)
    with store.transaction() as conn:
        w1, w2 = list_runners(conn)
    assert w1 == {"id": "w1", "pid": 11, "state": "busy", "pool": "local", "host": "h",
                  "job": {"run_id": "run-1", "key": "build-2"}, "labels": ["ubuntu-latest"],
                  "heartbeat_at": 2.0}
    assert (w2["state"], w2["job"], w2["heartbeat_at"]) == ("draining", None, 3.0)
    with store.transaction() as conn:
        remove_runner(conn, "w1")
        register_runner(conn, RunnerInfo("w2", "local", "h", 99), at=5.0)  # restarted
        assert [(r["id"], r["pid"], r["state"]) for r in list_runners(conn)] == [
            ("w2", 99, "idle")]
        assert list_runners(conn, pool="ray") == []


def test_a_profile_takes_the_largest_memory_and_median_times(store: Store) -> None:
    samples = [(100, 1.0, 10.0), (300, 2.0, 30.0), (200, 9.0, 20.0)]
    with store.transaction() as conn:
        for at, (rss, cpu, wall) in enumerate(samples):
            record_usage(conn, Usage("ci.yml", "build", {"os": "a", "v": 1}, rss, cpu, wall),
                         at=float(at))
        record_usage(conn, Usage("ci.yml", "build", {"os": "b"}, 5, 5.0, 5.0))
    with store.transaction() as conn:
        found = profile(conn, "ci.yml", "build", {"v": 1, "os": "a"})
        assert found is not None
        assert found.to_json() == {"samples": 3, "peak_rss": 300, "cpu_seconds": 2.0,
                                   "wall_seconds": 20.0}
        recent = profile(conn, "ci.yml", "build", {"os": "a", "v": 1}, recent=1)
        assert recent is not None and recent.peak_rss == 200
        assert profile(conn, "ci.yml", "test", {}) is None
    assert matrix_key({"b": 1, "a": [2]}) == '{"a":[2],"b":1}'


def test_artifacts_are_stored_once_by_content_hash(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "../../etc/passwd-like name.txt"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(b"artifact bytes")
    digest = hashlib.sha256(b"artifact bytes").hexdigest()
    with store.transaction() as conn:
        first = put_artifact(conn, store.home, source)
        second = put_artifact(conn, store.home, source)
    assert first.path == second.path == store.home / "files" / digest[:2] / digest
    assert first.path.read_bytes() == b"artifact bytes" and first.size == 14
    assert first.id != second.id and first.sha256 == digest


def test_repairs_rank_by_smoothed_success_rate(store: Store) -> None:
    sig = "Error: connect ETIMEDOUT"
    with store.transaction() as conn:
        first = record_failure(conn, sig, "transient", "line 1", at=1.0)
        assert record_failure(conn, sig, "transient", None, at=2.0) == first
        for success in (True,):
            record_repair(conn, first, "lucky", success=success)
        for success in (True,) * 9 + (False,):
            record_repair(conn, first, "retry", success=success)
        record_repair(conn, first, "bump", success=False)
    with store.transaction() as conn:
        ranks = ranked_repairs(conn, sig)
        assert ranks == [RepairRank("retry", 10, 9), RepairRank("lucky", 1, 1),
                         RepairRank("bump", 1, 0)]
        assert ranked_repairs(conn, "never seen") == []
