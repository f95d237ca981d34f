"""How many jobs of a plan can ever run at once: an upper bound from its ``needs`` graphs,
so a narrow run (a chain of jobs, one job of many steps) can skip what only pays off when
many jobs compete — a pool of worker processes (``qmoi.execute.session``)."""

from __future__ import annotations

import os

from qmoi.plan.plan import Plan, PlannedJob, PlannedWorkflow


def pool_wanted(plan: Plan) -> bool:
    """Whether jobs of ``plan`` may compete for the machine: more at once than there are
    CPUs, or a number not known before the run."""
    bound = concurrency_bound(plan)
    return bound is None or bound > (os.cpu_count() or 1)


def concurrency_bound(plan: Plan) -> int | None:
    """At most this many jobs run at once; None when the plan cannot tell (a matrix that
    waits for its needs, a reusable-workflow call whose jobs are known only when it runs).
    Workflows run side by side, so their bounds add up."""
    total = 0
    for workflow in plan.workflows:
        bound = _workflow_bound(workflow)
        if bound is None:
            return None
        total += bound
    return total


def _weight(job: PlannedJob) -> int | None:
    if job.kind != "job" or job.legs is None:
        return None
    legs = len(job.legs) or 1  # a job with no legs still ends (skipped): count it once
    return legs if job.max_parallel is None else max(1, min(legs, job.max_parallel))


def _workflow_bound(workflow: PlannedWorkflow) -> int | None:
    """Jobs that depend on one another never run together: cover the jobs with chains
    (greedily, in needs order, each job after one of its ancestors) and sum each chain's
    widest job. Any set of jobs running at once holds at most one job per chain, so the sum
    is a true upper bound (exact for a chain, and for jobs that need nothing)."""
    ancestors: dict[str, set[str]] = {}
    tails: list[str] = []  # the last job of each chain so far
    widest: list[int] = []
    for job in workflow.jobs:  # in needs order
        weight = _weight(job)
        if weight is None:
            return None
        mine: set[str] = set()
        for need in job.needs:
            mine.add(need)
            mine |= ancestors.get(need, set())
        ancestors[job.job_id] = mine
        chain = next((i for i, tail in enumerate(tails) if tail in mine), None)
        if chain is None:
            tails.append(job.job_id)
            widest.append(weight)
        else:
            tails[chain] = job.job_id
            widest[chain] = max(widest[chain], weight)
    return sum(widest)
