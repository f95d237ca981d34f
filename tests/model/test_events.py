"""The event catalogue against GitHub's "Events that trigger workflows" page."""

from __future__ import annotations

from qmoi.model.events import EVENTS, event_spec, is_event

DOCUMENTED = {
    "branch_protection_rule", "check_run", "check_suite", "create", "delete", "deployment",
    "deployment_status", "discussion", "discussion_comment", "fork", "gollum", "image_version",
    "issue_comment", "issues", "label", "merge_group", "milestone", "page_build", "project",
    "project_card", "project_column", "public", "pull_request", "pull_request_comment",
    "pull_request_review", "pull_request_review_comment", "pull_request_target", "push",
    "registry_package", "release", "repository_dispatch", "schedule", "status", "watch",
    "workflow_call", "workflow_dispatch", "workflow_run",
}


def test_catalogue_covers_every_documented_event() -> None:
    assert set(EVENTS) == DOCUMENTED
    assert all(name == spec.name for name, spec in EVENTS.items())
    assert not is_event("Push") and not is_event("member") and event_spec("nope") is None


def test_pull_request_types_defaults_and_filters() -> None:
    for name in ("pull_request", "pull_request_target"):
        spec = EVENTS[name]
        assert spec.triggering_types == ("opened", "synchronize", "reopened")
        assert {"enqueued", "milestoned", "auto_merge_disabled"} <= set(spec.activity_types)
        assert spec.config_keys == {"types", "branches", "branches-ignore", "paths",
                                    "paths-ignore"}
        assert not spec.accepts("tags")


def test_push_filters_and_no_types() -> None:
    push = EVENTS["push"]
    assert not push.accepts_types and not push.accepts("types")
    assert push.config_keys == {"branches", "branches-ignore", "tags", "tags-ignore", "paths",
                                "paths-ignore"}
    assert push.ref == "pushed" and not push.default_branch_only


def test_types_of_a_few_events() -> None:
    assert EVENTS["workflow_run"].activity_types == ("completed", "requested", "in_progress")
    assert EVENTS["workflow_run"].config_keys == {"types", "workflows", "branches",
                                                  "branches-ignore"}
    assert EVENTS["check_suite"].activity_types == ("completed",)
    assert EVENTS["merge_group"].activity_types == ("checks_requested",)
    assert EVENTS["watch"].activity_types == ("started",)
    assert "untyped" in EVENTS["issues"].activity_types
    assert EVENTS["release"].triggering_types == EVENTS["release"].activity_types
    assert EVENTS["image_version"].config_keys == {"types", "names", "versions"}


def test_custom_types_and_inputs() -> None:
    dispatch = EVENTS["repository_dispatch"]
    assert dispatch.custom_types and dispatch.is_known_type("anything")
    assert dispatch.accepts("types")
    assert EVENTS["workflow_dispatch"].config_keys == {"inputs"}
    assert EVENTS["workflow_call"].config_keys == {"inputs", "outputs", "secrets"}
    assert EVENTS["schedule"].config_keys == frozenset()
    assert not EVENTS["issues"].is_known_type("anything")


def test_default_branch_requirement_and_refs() -> None:
    assert EVENTS["schedule"].default_branch_only and EVENTS["schedule"].ref == "default-branch"
    assert EVENTS["workflow_dispatch"].default_branch_only
    assert EVENTS["workflow_dispatch"].ref == "dispatched"
    assert not EVENTS["create"].default_branch_only
    assert EVENTS["pull_request"].ref == "pr-merge"
    assert EVENTS["release"].ref == "release-tag"
    assert EVENTS["workflow_call"].ref == "caller"
    assert EVENTS["pull_request_comment"].replaced_by == "issue_comment"
