"""Stage 2: the typed workflow and action model, the event catalogue and matrix expansion.

Builders never raise on bad input: a value of the wrong type becomes None or empty, and
structural rules (in ``qmoi.check``) report it. Every checkable value keeps its node and
span; strings holding ``${{ }}`` stay raw (``qmoi.expr`` evaluates them).
"""

from qmoi.model.action import Action, ActionInput, ActionOutput, Branding, Runs
from qmoi.model.build_action import build_action
from qmoi.model.build_workflow import build_workflow
from qmoi.model.common import Concurrency, Defaults, NeedsRef, Permissions, PermissionScope
from qmoi.model.events import EVENTS, EventSpec, event_spec
from qmoi.model.job import (
    Container,
    Credentials,
    Environment,
    Job,
    Matrix,
    MatrixRow,
    ReusableCall,
    RunsOn,
    Service,
    Strategy,
)
from qmoi.model.matrix import Expansion, Leg, expand_matrix
from qmoi.model.step import ActionRef, Step, parse_action_ref
from qmoi.model.values import (
    JSON,
    Entry,
    EntryMap,
    EnvVar,
    as_bool,
    as_int,
    as_str,
    contains_expression,
    is_expression,
)
from qmoi.model.workflow import (
    EventTrigger,
    Workflow,
    WorkflowInput,
    WorkflowOutput,
    WorkflowSecret,
)

__all__ = [
    "EVENTS",
    "JSON",
    "Action",
    "ActionInput",
    "ActionOutput",
    "ActionRef",
    "Branding",
    "Concurrency",
    "Container",
    "Credentials",
    "Defaults",
    "Entry",
    "EntryMap",
    "EnvVar",
    "Environment",
    "EventSpec",
    "EventTrigger",
    "Expansion",
    "Job",
    "Leg",
    "Matrix",
    "MatrixRow",
    "NeedsRef",
    "PermissionScope",
    "Permissions",
    "ReusableCall",
    "Runs",
    "RunsOn",
    "Service",
    "Step",
    "Strategy",
    "Workflow",
    "WorkflowInput",
    "WorkflowOutput",
    "WorkflowSecret",
    "as_bool",
    "as_int",
    "as_str",
    "build_action",
    "build_workflow",
    "contains_expression",
    "event_spec",
    "expand_matrix",
    "is_expression",
    "parse_action_ref",
]
