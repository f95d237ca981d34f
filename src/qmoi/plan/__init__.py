"""Stage 6: event → triggered workflows → jobs × matrix legs → a frozen, JSON-ready Plan.

Public API: ``load_workflows``, ``synthesise_event`` / ``load_event`` (``EventInfo``),
``build_plan`` (``Plan``, ``PlannedWorkflow``, ``PlannedJob``, ``PlannedLeg``),
``expand_strategy`` (deferred matrices), ``github_context`` and ``RunInfo``.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qmoi.plan.contexts import RunInfo, github_context
    from qmoi.plan.event import EventInfo, load_event, synthesise_event
    from qmoi.plan.load import LoadedWorkflow, WorkflowError, load_workflows
    from qmoi.plan.matrix import PlannedLeg, StrategyPlan, expand_strategy
    from qmoi.plan.plan import Plan, PlannedJob, PlannedWorkflow, build_plan
    from qmoi.plan.values import EvaluationError

__all__ = [
    "EvaluationError",
    "EventInfo",
    "LoadedWorkflow",
    "Plan",
    "PlannedJob",
    "PlannedLeg",
    "PlannedWorkflow",
    "RunInfo",
    "StrategyPlan",
    "WorkflowError",
    "build_plan",
    "expand_strategy",
    "github_context",
    "load_event",
    "load_workflows",
    "synthesise_event",
]

_HOMES = {
    "RunInfo": "contexts", "github_context": "contexts", "EventInfo": "event",
    "load_event": "event", "synthesise_event": "event", "LoadedWorkflow": "load",
    "WorkflowError": "load", "load_workflows": "load", "PlannedLeg": "matrix",
    "StrategyPlan": "matrix", "expand_strategy": "matrix", "Plan": "plan",
    "PlannedJob": "plan", "PlannedWorkflow": "plan", "build_plan": "plan",
    "EvaluationError": "values",
}


def __getattr__(name: str) -> Any:
    # Each name loads its module on first use: ``qmoi run`` starts its git questions
    # (``qmoi.plan.git``) before the workflow model, the expression engine and YAML load.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qmoi.plan' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"qmoi.plan.{home}"), name)
    globals()[name] = value
    return value
