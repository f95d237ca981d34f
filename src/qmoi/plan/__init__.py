"""Stage 6: event → triggered workflows → jobs × matrix legs → a frozen, JSON-ready Plan.

Public API: ``load_workflows``, ``synthesise_event`` / ``load_event`` (``EventInfo``),
``build_plan`` (``Plan``, ``PlannedWorkflow``, ``PlannedJob``, ``PlannedLeg``),
``expand_strategy`` (deferred matrices), ``github_context`` and ``RunInfo``.
"""

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
