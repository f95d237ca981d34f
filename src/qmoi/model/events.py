"""The catalogue of events that trigger workflows: activity types, filters, ref semantics.

Sources (read 2025–2026 copies):
- EVT  https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows
  (activity types, which events need the workflow on the default branch, GITHUB_REF);
- SYN  https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
  ("on.<event_name>.types", "on.<push|pull_request|pull_request_target>.<branches|tags|paths>",
  "on.workflow_run.<branches|workflows>", "on.schedule", "on.workflow_dispatch.inputs",
  "on.workflow_call.<inputs|outputs|secrets>");
- SCHEMA https://github.com/actions/runner/blob/main/src/Sdk/WorkflowParser/workflow-v1.0.json
  (which keys each event's mapping accepts; ``image_version`` activity types, which EVT
  lists as "not applicable" but the schema accepts).
Where EVT and SCHEMA differ on a type list, EVT (newer) wins: e.g. ``issues`` gained
``field_added``/``field_removed``/``typed``/``untyped`` and ``pull_request`` gained
``enqueued``/``dequeued``/``milestoned``/``demilestoned``.
The schema's non-strict names ``member``, ``interactive_component`` and ``dynamic`` are not
documented triggers and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

RefSource = Literal[
    "default-branch",  # last commit on the default branch
    "pushed",  # the updated ref (push)
    "created",  # the branch or tag created (create)
    "pr-merge",  # refs/pull/<n>/merge
    "release-tag",  # refs/tags/<tag_name>
    "deployment",  # the ref being deployed (empty when deployed by SHA)
    "package",  # branch or tag of the published package
    "merge-group",  # the merge group's ref
    "dispatched",  # the branch or tag the dispatch named
    "caller",  # same as the calling workflow
]

BRANCH_FILTERS = ("branches", "branches-ignore")
PUSH_FILTERS = (*BRANCH_FILTERS, "tags", "tags-ignore", "paths", "paths-ignore")
PR_FILTERS = (*BRANCH_FILTERS, "paths", "paths-ignore")


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What one event accepts.

    ``activity_types`` empty means the event has no ``types`` (unless ``custom_types``:
    ``repository_dispatch`` takes any ``event_type``). ``default_types`` None means every
    activity type triggers when ``types`` is omitted. ``keys`` are the other config keys.
    """

    name: str
    ref: RefSource
    activity_types: tuple[str, ...] = ()
    default_types: tuple[str, ...] | None = None
    keys: tuple[str, ...] = ()
    custom_types: bool = False
    default_branch_only: bool = False
    replaced_by: str | None = None

    @property
    def accepts_types(self) -> bool:
        return bool(self.activity_types) or self.custom_types

    @property
    def config_keys(self) -> frozenset[str]:
        """Every key the event's mapping accepts (``types`` included when it applies)."""
        types = ("types",) if self.accepts_types else ()
        return frozenset((*types, *self.keys))

    @property
    def triggering_types(self) -> tuple[str, ...]:
        """The activity types that trigger the workflow when ``types`` is not written."""
        return self.activity_types if self.default_types is None else self.default_types

    def is_known_type(self, activity: str) -> bool:
        return self.custom_types or activity in self.activity_types

    def accepts(self, key: str) -> bool:
        return key in self.config_keys


_PR_TYPES = (
    "assigned", "unassigned", "labeled", "unlabeled", "opened", "edited", "closed",
    "reopened", "synchronize", "converted_to_draft", "locked", "unlocked", "enqueued",
    "dequeued", "milestoned", "demilestoned", "ready_for_review", "review_requested",
    "review_request_removed", "auto_merge_enabled", "auto_merge_disabled",
)
# EVT: "By default, a workflow only runs when a pull_request event's activity type is
# opened, synchronize, or reopened." (same for pull_request_target)
_PR_DEFAULT = ("opened", "synchronize", "reopened")
_CED = ("created", "edited", "deleted")


def _on_default(name: str, *types: str, keys: tuple[str, ...] = ()) -> EventSpec:
    """An event that runs on the default branch and needs the workflow file there."""
    return EventSpec(name, "default-branch", types, keys=keys, default_branch_only=True)


_CATALOGUE: tuple[EventSpec, ...] = (
    _on_default("branch_protection_rule", *_CED),
    _on_default("check_run", "created", "rerequested", "completed", "requested_action"),
    _on_default("check_suite", "completed"),
    EventSpec("create", "created"),
    _on_default("delete"),
    EventSpec("deployment", "deployment"),
    EventSpec("deployment_status", "deployment"),
    _on_default(
        "discussion", "created", "edited", "deleted", "transferred", "pinned", "unpinned",
        "labeled", "unlabeled", "locked", "unlocked", "category_changed", "answered",
        "unanswered",
    ),
    _on_default("discussion_comment", *_CED),
    _on_default("fork"),
    _on_default("gollum"),
    EventSpec(
        "image_version", "default-branch", ("created", "ready", "deleted"),
        keys=("names", "versions"),
    ),
    _on_default("issue_comment", *_CED),
    _on_default(
        "issues", "opened", "edited", "deleted", "transferred", "pinned", "unpinned",
        "closed", "reopened", "assigned", "unassigned", "labeled", "unlabeled", "locked",
        "unlocked", "milestoned", "demilestoned", "field_added", "field_removed", "typed",
        "untyped",
    ),
    _on_default("label", *_CED),
    EventSpec("merge_group", "merge-group", ("checks_requested",)),
    _on_default("milestone", "created", "closed", "opened", "edited", "deleted"),
    _on_default("page_build"),
    _on_default("project", "created", "closed", "reopened", "edited", "deleted"),
    _on_default("project_card", "created", "moved", "converted", "edited", "deleted"),
    _on_default("project_column", "created", "updated", "moved", "deleted"),
    _on_default("public"),
    EventSpec("pull_request", "pr-merge", _PR_TYPES, _PR_DEFAULT, PR_FILTERS),
    # EVT: "To run your workflow when a comment on a pull request … use issue_comment";
    # the schema still accepts the name with issue_comment's types.
    EventSpec(
        "pull_request_comment", "default-branch", _CED, default_branch_only=True,
        replaced_by="issue_comment",
    ),
    EventSpec("pull_request_review", "pr-merge", ("submitted", "edited", "dismissed")),
    EventSpec("pull_request_review_comment", "pr-merge", _CED),
    # EVT (GitHub.com): runs "in the context of the default branch of the base repository".
    EventSpec("pull_request_target", "default-branch", _PR_TYPES, _PR_DEFAULT, PR_FILTERS),
    EventSpec("push", "pushed", keys=PUSH_FILTERS),
    _on_default("registry_package", "published", "updated"),
    EventSpec(
        "release", "release-tag",
        ("published", "unpublished", "created", "edited", "deleted", "prereleased", "released"),
    ),
    EventSpec("repository_dispatch", "default-branch", custom_types=True,
              default_branch_only=True),
    # The schedule's config is a list of {cron: …}, not a mapping (SYN "on.schedule").
    _on_default("schedule"),
    _on_default("status"),
    _on_default("watch", "started"),
    EventSpec("workflow_call", "caller", keys=("inputs", "outputs", "secrets")),
    EventSpec("workflow_dispatch", "dispatched", keys=("inputs",), default_branch_only=True),
    _on_default(
        "workflow_run", "completed", "requested", "in_progress",
        keys=("workflows", *BRANCH_FILTERS),
    ),
)

EVENTS: Mapping[str, EventSpec] = MappingProxyType({spec.name: spec for spec in _CATALOGUE})
"""Every event that can trigger a workflow, by name (event names are case-sensitive)."""

WORKFLOW_DISPATCH_INPUT_TYPES = ("boolean", "choice", "number", "environment", "string")
WORKFLOW_CALL_INPUT_TYPES = ("boolean", "number", "string")
"""Allowed ``type`` of an input (SYN "on.workflow_dispatch.inputs.<input_id>.type",
"on.workflow_call.inputs.<input_id>.type")."""


def event_spec(name: str) -> EventSpec | None:
    return EVENTS.get(name)


def is_event(name: str) -> bool:
    return name in EVENTS
