"""Whether a job runs: the contexts its ``jobs.<id>.if`` sees, and that condition with the
implicit ``success()`` and skip propagation ("If a job fails or is skipped, all jobs that need
it are skipped unless the jobs use a conditional expression that causes the job to continue").

https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from qmoi.expr import Status
from qmoi.plan.values import condition_holds, uses_status_check
from qmoi.schedule.nodes import FAILURE, SUCCESS, JobNode, WorkflowRun

NodeOf = Callable[[WorkflowRun, str], JobNode]
"""The scheduler's lookup of a job of a run by its id."""


def job_contexts(node: JobNode, variables: Mapping[str, str], node_of: NodeOf
                 ) -> dict[str, Any]:
    """The contexts a job's expressions see before a leg runs (``needs`` as it is now)."""
    needs = {need: {"result": node_of(node.run, need).needs_result(),
                    "outputs": dict(node_of(node.run, need).outputs)}
             for need in node.planned.needs}
    return {"github": node.run.github, "needs": needs, "vars": dict(variables),
            "inputs": node.run.planned.inputs}


def ancestors_failed(node: JobNode, node_of: NodeOf) -> bool:
    """Whether a job it needs, directly or not, failed: ``failure()`` in its ``if``."""
    stack, seen = list(node.planned.needs), set()
    while stack:
        need = node_of(node.run, stack.pop())
        if need.job_id in seen:
            continue
        seen.add(need.job_id)
        if need.needs_result() == FAILURE:
            return True
        stack.extend(need.planned.needs)
    return False


def should_run(node: JobNode, contexts: dict[str, Any], cancelled: bool,
               node_of: NodeOf) -> bool:
    """Whether the job's ``if`` holds; ``cancelled`` when the run or a call leading to the
    job was cancelled."""
    condition = node.model.if_
    if not uses_status_check(condition):
        if cancelled:
            return False
        if any(n["result"] != SUCCESS for n in contexts["needs"].values()):
            return False
    status = Status.SUCCESS
    if cancelled:
        status = Status.CANCELLED
    elif ancestors_failed(node, node_of):
        status = Status.FAILURE
    return condition_holds(condition, contexts, node.run.loaded.workflow.source, status)
