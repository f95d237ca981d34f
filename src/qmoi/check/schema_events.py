"""The events a workflow's ``on:`` may name, and the shape of each event's settings.

Event names: https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
cross-checked with the ``on-mapping-strict`` definition of actions/runner's
``src/Sdk/WorkflowParser/workflow-v1.0.json``. (``model/events.py`` will hold the richer
catalogue with activity types and payloads; this table only knows names and keys.)

GitHub's newer parser reads an event's settings loosely (``on-event-config-mapping-relaxed``:
any key, any value), so an unknown filter key is silently ignored there — we still
report it, as a warning, because a misspelt filter means the workflow runs too often.
"""

from __future__ import annotations

from types import MappingProxyType

from qmoi.check.schema import (
    ANY,
    BOOLEAN,
    NONEMPTY_STRING,
    STRING,
    STRING_LIST,
    STRING_OR_LIST,
    Key,
    Spec,
    T,
    free_mapping,
    known_keys,
    mapping,
    raw_keys,
    required,
    sequence,
)

_CONFIG = T.NULL  # every event may be written bare (``push:``) in the mapping form


def _event(**filters: Spec) -> Spec:
    return mapping(known_keys(**filters), types=_CONFIG, loose=True)


_TYPES_ONLY = _event(types=STRING_OR_LIST)
_NO_SETTINGS = _event()
_BRANCHES = {"branches": STRING_OR_LIST, "branches_ignore": STRING_OR_LIST}
_PATHS = {"paths": STRING_OR_LIST, "paths_ignore": STRING_OR_LIST}
_PULL_REQUEST = _event(types=STRING_OR_LIST, **_BRANCHES, **_PATHS)

_INPUT_VALUE = Spec(T.STR | T.BOOL | T.NUM | T.NULL)
_DISPATCH_INPUT = mapping(
    known_keys(description=STRING, type=NONEMPTY_STRING, required=BOOLEAN, default=_INPUT_VALUE,
               options=STRING_LIST),
    types=T.NULL,
)
_CALL_INPUT = mapping(
    known_keys(description=STRING, type=required(NONEMPTY_STRING), required=BOOLEAN,
               default=Spec(T.STR | T.BOOL | T.NUM | T.NULL, expr=True)),
)
_CALL_SECRET = mapping(known_keys(description=STRING, required=BOOLEAN), types=T.NULL)
_CALL_OUTPUT = mapping(
    known_keys(description=STRING, value=required(Spec(T.STR, expr=True))),
)

EVENTS: MappingProxyType[str, Key] = MappingProxyType(dict(raw_keys({
    "branch_protection_rule": _TYPES_ONLY,
    "check_run": _TYPES_ONLY,
    "check_suite": _TYPES_ONLY,
    "create": _NO_SETTINGS,
    "delete": _NO_SETTINGS,
    "deployment": _NO_SETTINGS,
    "deployment_status": _NO_SETTINGS,
    "discussion": _TYPES_ONLY,
    "discussion_comment": _TYPES_ONLY,
    "fork": _NO_SETTINGS,
    "gollum": _NO_SETTINGS,
    "image_version": _event(types=STRING_OR_LIST, names=STRING_OR_LIST,
                            versions=STRING_OR_LIST),
    "issue_comment": _TYPES_ONLY,
    "issues": _TYPES_ONLY,
    "label": _TYPES_ONLY,
    "merge_group": _TYPES_ONLY,
    "milestone": _TYPES_ONLY,
    "page_build": _NO_SETTINGS,
    # Classic projects; GitHub keeps accepting these names.
    "project": _TYPES_ONLY,
    "project_card": _TYPES_ONLY,
    "project_column": _TYPES_ONLY,
    "public": _NO_SETTINGS,
    "pull_request": _PULL_REQUEST,
    # The schema keeps this old alias of issue_comment.
    "pull_request_comment": _TYPES_ONLY,
    "pull_request_review": _TYPES_ONLY,
    "pull_request_review_comment": _TYPES_ONLY,
    "pull_request_target": _PULL_REQUEST,
    "push": _event(tags=STRING_OR_LIST, tags_ignore=STRING_OR_LIST, **_BRANCHES, **_PATHS),
    "registry_package": _TYPES_ONLY,
    "release": _TYPES_ONLY,
    "repository_dispatch": _TYPES_ONLY,
    "schedule": sequence(mapping(known_keys(cron=required(NONEMPTY_STRING))), nonempty=True),
    "status": _NO_SETTINGS,
    "watch": _TYPES_ONLY,
    "workflow_call": _event(
        inputs=free_mapping(_CALL_INPUT, label='input "{key}"'),
        secrets=free_mapping(_CALL_SECRET, label='secret "{key}"'),
        outputs=free_mapping(_CALL_OUTPUT, label='output "{key}"'),
    ),
    "workflow_dispatch": _event(
        inputs=free_mapping(_DISPATCH_INPUT, label='input "{key}"', types=T.NULL),
    ),
    "workflow_run": _event(types=STRING_OR_LIST, workflows=STRING_OR_LIST, **_BRANCHES),
})))

# ``on:`` itself: one event, a list of events, or a mapping of events to settings.
# Unknown event names are the unknown-event rule's (S105), so ``extra`` accepts them here.
ON = Spec(T.STR | T.SEQ | T.MAP, keys=EVENTS, extra=ANY, items=NONEMPTY_STRING, nonempty=True)
