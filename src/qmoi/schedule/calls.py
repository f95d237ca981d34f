"""Reusable-workflow calls in the scheduler: a call leg becomes a :class:`WorkflowRun` of
the callee (its jobs keyed ``<caller key>.<job>`` and named ``caller / job``, as GitHub
shows them), and ends when every called job has: failed if one failed, with the outputs
``on.workflow_call.outputs`` maps from the ``jobs`` context.

https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qmoi.model import ReusableCall
from qmoi.plan.plan import plan_called
from qmoi.plan.reusable import (
    MAX_LEVELS,
    MAX_UNIQUE_CALLED,
    CallError,
    call_inputs,
    call_outputs,
    call_secrets,
    load_callee,
)
from qmoi.schedule.nodes import CANCELLED, FAILURE, SUCCESS, JobNode, Leg, WorkflowRun


def callee_run(leg: Leg, contexts: Mapping[str, Any], root: Path, cache_dir: Path,
               secrets: Mapping[str, str], called: set[str]) -> WorkflowRun:
    """The run of the workflow ``leg`` calls; ``called`` collects the called files (at
    most 20 distinct ones, as on GitHub). Raises a QmoiError when the call cannot run."""
    caller = leg.node.run
    model = leg.node.model
    assert isinstance(model, ReusableCall)
    if caller.depth >= MAX_LEVELS:
        raise CallError(f"reusable workflows are nested more than {MAX_LEVELS} levels deep "
                        f"(GitHub allows the caller and {MAX_LEVELS - 1} levels of calls)")
    loaded = load_callee(caller.loaded, model, root, cache_dir)
    called.add(loaded.repo_path)
    if len(called) > MAX_UNIQUE_CALLED:
        raise CallError(f"the run calls more than {MAX_UNIQUE_CALLED} different reusable "
                        "workflows, more than GitHub allows")
    inputs = call_inputs(caller.loaded, model, loaded, contexts)
    passed = call_secrets(caller.loaded, model, loaded, contexts,
                          caller.secrets if caller.secrets is not None else secrets)
    planned = plan_called(loaded, caller.github, contexts.get("vars", {}), inputs)
    run = WorkflowRun(planned, loaded, caller.github, f"{leg.key}.", key=leg.key,
                      secrets=passed, depth=caller.depth + 1, parent=leg,
                      names=f"{caller.names}{leg.planned.name} / ")
    for job in planned.jobs:
        found = loaded.workflow.job(job.job_id)
        assert found is not None
        run.nodes.append(JobNode(run, job, found))
    return run


def call_result(run: WorkflowRun, contexts: Mapping[str, Any]
                ) -> tuple[str, dict[str, str], str | None]:
    """(result, outputs, message) of a finished call."""
    results = [node.needs_result() for node in run.nodes]
    result = FAILURE if FAILURE in results else CANCELLED if CANCELLED in results else SUCCESS
    if run.cancelled and result == SUCCESS:
        result = CANCELLED
    jobs = {node.job_id: {"result": node.needs_result(), "outputs": dict(node.outputs)}
            for node in run.nodes}
    scoped = {**contexts, "inputs": run.planned.inputs}
    outputs, errors = call_outputs(run.loaded, jobs, scoped)
    if errors:
        return FAILURE, outputs, "; ".join(errors)
    return result, {k: v for k, v in outputs.items() if v}, None
