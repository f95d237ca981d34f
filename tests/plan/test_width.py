"""The concurrency bound of a plan: exact for chains and independent jobs, never below the
true number of jobs that can run at once (checked against brute force on random graphs),
unknown for deferred matrices and reusable-workflow calls."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.plan import EventInfo, Plan, PlannedJob, PlannedLeg, PlannedWorkflow, RunInfo
from qmoi.plan.width import concurrency_bound, pool_wanted

EVENT = EventInfo("push", {}, "refs/heads/main", "0" * 40, "o/r", "me")


def _legs(count: int) -> tuple[PlannedLeg, ...]:
    return tuple(PlannedLeg(i, {"n": i}, f"j ({i})") for i in range(count))


def _plan(*workflows: tuple[PlannedJob, ...]) -> Plan:
    return Plan(EVENT, RunInfo("1"), tuple(
        PlannedWorkflow(f"w{i}.yml", f".github/workflows/w{i}.yml", f"w{i}", jobs)
        for i, jobs in enumerate(workflows)))


def _job(job_id: str, needs: tuple[str, ...] = (), legs: int = 1, *,
         max_parallel: int | None = None, kind: str = "job", deferred: bool = False
         ) -> PlannedJob:
    return PlannedJob(job_id, job_id, needs, None if deferred else _legs(legs),
                      legs > 1, True, max_parallel, kind)


def test_a_chain_runs_one_job_at_a_time() -> None:
    chain = tuple(_job(f"j{i}", (f"j{i - 1}",) if i else ()) for i in range(10))
    assert concurrency_bound(_plan(chain)) == 1
    assert not pool_wanted(_plan(chain))


def test_legs_count_up_to_max_parallel_and_workflows_add_up() -> None:
    matrix = (_job("setup"), _job("legs", ("setup",), 16), _job("after", ("legs",)))
    assert concurrency_bound(_plan(matrix)) == 16
    capped = (_job("legs", (), 16, max_parallel=3),)
    assert concurrency_bound(_plan(capped, (_job("a"), _job("b")))) == 5
    assert pool_wanted(_plan(matrix))


def test_unknown_widths() -> None:
    assert concurrency_bound(_plan((_job("m", deferred=True),))) is None
    assert concurrency_bound(_plan((_job("call", kind="call"),))) is None
    assert pool_wanted(_plan((_job("call", kind="call"),)))


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[PlannedJob, ...]:
    count = draw(st.integers(1, 7))
    jobs = []
    for i in range(count):
        needs = draw(st.sets(st.integers(0, i - 1), max_size=3)) if i else set()
        jobs.append(_job(f"j{i}", tuple(f"j{n}" for n in sorted(needs)),
                         draw(st.integers(1, 3))))
    return tuple(jobs)


def _true_width(jobs: tuple[PlannedJob, ...]) -> int:
    above: dict[str, set[str]] = {}
    for job in jobs:
        above[job.job_id] = set(job.needs).union(*(above[n] for n in job.needs))
    best = 0
    for size in range(1, len(jobs) + 1):
        for group in combinations(jobs, size):
            if all(a.job_id not in above[b.job_id] and b.job_id not in above[a.job_id]
                   for a, b in combinations(group, 2)):
                best = max(best, sum(len(job.legs or ()) for job in group))
    return best


@settings(max_examples=150, deadline=None)
@given(_graphs())
def test_the_bound_is_never_below_what_can_run_at_once(jobs: tuple[PlannedJob, ...]) -> None:
    bound = concurrency_bound(_plan(jobs))
    assert bound is not None and bound >= _true_width(jobs)
    assert bound <= sum(len(job.legs or ()) for job in jobs)
