"""Does a workflow run for an event? Event name, activity types, then the branch, tag and
path filters with GitHub's pattern semantics (``qmoi.model.filters``).

https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#onevent_nametypes
and "on.<push|pull_request|pull_request_target>.<branches|tags|paths>".
"""

from __future__ import annotations

from qmoi.errors import UsageError
from qmoi.model.events import event_spec
from qmoi.model.filters import EventFilters, FilterConfigError, FilterPatternError
from qmoi.model.workflow import EventTrigger, Workflow
from qmoi.parse.nodes import Scalar
from qmoi.plan.event import EventInfo


def _values(items: tuple[Scalar, ...] | None) -> tuple[str, ...] | None:
    return None if items is None else tuple(item.value for item in items)


def filters_of(trigger: EventTrigger) -> EventFilters:
    return EventFilters(
        branches=_values(trigger.branches), branches_ignore=_values(trigger.branches_ignore),
        tags=_values(trigger.tags), tags_ignore=_values(trigger.tags_ignore),
        paths=_values(trigger.paths), paths_ignore=_values(trigger.paths_ignore),
    )


def _type_matches(trigger: EventTrigger, event: EventInfo) -> bool:
    if event.action is None:
        return True
    spec = event_spec(event.name)
    wanted = trigger.type_names
    if wanted is None:
        # Omitted ``types`` = the event's default activity types (e.g. pull_request:
        # opened, synchronize, reopened).
        if spec is None or not spec.accepts_types:
            return True
        return event.action in spec.triggering_types
    return event.action in wanted


def _filters_match(trigger: EventTrigger, event: EventInfo) -> bool:
    filters = filters_of(trigger)
    files = event.changed_files
    if event.name == "push":
        return filters.push_matches(event.ref, files, commit_count=event.commit_count)
    if event.name in ("pull_request", "pull_request_target"):
        return filters.pull_request_matches(event.base_ref, files)
    if event.name == "workflow_run":
        return _workflow_run_matches(trigger, event)
    return True


def _workflow_run_matches(trigger: EventTrigger, event: EventInfo) -> bool:
    run = event.payload.get("workflow_run")
    run = run if isinstance(run, dict) else {}
    names = _values(trigger.workflows)
    if names is not None and str(run.get("name", "")) not in names:
        return False
    branch = str(run.get("head_branch", ""))
    return filters_of(trigger).pull_request_matches(branch, None)


def triggers(workflow: Workflow, event: EventInfo) -> bool:
    """Whether ``event`` starts ``workflow``; a filter GitHub would reject is a usage error
    located at the workflow."""
    trigger = workflow.event(event.name)
    if trigger is None or not _type_matches(trigger, event):
        return False
    try:
        return _filters_match(trigger, event)
    except (FilterPatternError, FilterConfigError) as error:
        position = workflow.source.position(trigger.span.start)
        raise UsageError(error.message, location=f"{workflow.source.path}:{position.line}:"
                         f"{position.column}") from None

