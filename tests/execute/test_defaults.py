"""Default step environment variables and env precedence (variables docs, GitHubContext.cs)."""

from __future__ import annotations

import dataclasses

import pytest

from qmoi.execute.defaults import (
    StepEnvInput,
    api_urls,
    default_variables,
    merge_step_env,
    ref_name_and_type,
)

BASE = StepEnvInput(
    repository="octo/hello", sha="abc123", ref="refs/heads/main", event_name="push",
    workspace="/w/hello/hello", run_id="42", run_number="7", job="build", actor="mona",
    runner_os="Linux", runner_arch="X64", runner_temp="/w/_temp",
    runner_tool_cache="/opt/hostedtoolcache",
)


def test_default_variables() -> None:
    env = default_variables(BASE)
    assert env == {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION": "__run",
        "GITHUB_ACTOR": "mona",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_BASE_REF": "",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_GRAPHQL_URL": "https://api.github.com/graphql",
        "GITHUB_HEAD_REF": "",
        "GITHUB_JOB": "build",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_REF_NAME": "main",
        "GITHUB_REF_PROTECTED": "false",
        "GITHUB_REF_TYPE": "branch",
        "GITHUB_REPOSITORY": "octo/hello",
        "GITHUB_REPOSITORY_OWNER": "octo",
        "GITHUB_RETENTION_DAYS": "90",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_RUN_ID": "42",
        "GITHUB_RUN_NUMBER": "7",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_SHA": "abc123",
        "GITHUB_TRIGGERING_ACTOR": "mona",
        "GITHUB_WORKSPACE": "/w/hello/hello",
        "RUNNER_ARCH": "X64",
        "RUNNER_ENVIRONMENT": "self-hosted",
        "RUNNER_NAME": "qmoi",
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": "/w/_temp",
        "RUNNER_TOOL_CACHE": "/opt/hostedtoolcache",
    }


def test_optional_context_keys_appear_when_given() -> None:
    full = dataclasses.replace(
        BASE, env_file="/f/env", output_file="/f/out", path_file="/f/path", state_file="/f/st",
        step_summary_file="/f/sum", event_path="/f/event.json", workflow="CI",
        workflow_ref="octo/hello/.github/workflows/ci.yml@refs/heads/main", workflow_sha="abc",
        actor_id="1", repository_id="2", repository_owner_id="3", triggering_actor="hubot",
        action="actionscheckout", action_ref="v4", action_repository="actions/checkout",
        action_path="/w/_actions/x", ref_protected=True, debug=True, runner_workspace="/w/hello",
    )
    env = default_variables(full)
    assert env["GITHUB_ENV"] == "/f/env" and env["GITHUB_OUTPUT"] == "/f/out"
    assert env["GITHUB_PATH"] == "/f/path" and env["GITHUB_STATE"] == "/f/st"
    assert env["GITHUB_STEP_SUMMARY"] == "/f/sum" and env["GITHUB_EVENT_PATH"] == "/f/event.json"
    assert env["GITHUB_TRIGGERING_ACTOR"] == "hubot" and env["GITHUB_REF_PROTECTED"] == "true"
    assert env["GITHUB_ACTION_REPOSITORY"] == "actions/checkout"
    assert env["RUNNER_DEBUG"] == "1" and env["RUNNER_WORKSPACE"] == "/w/hello"
    assert "GITHUB_TOKEN" not in env


@pytest.mark.parametrize(
    ("ref", "name", "kind"),
    [("refs/heads/feature/x", "feature/x", "branch"), ("refs/tags/v1.2", "v1.2", "tag"),
     ("refs/pull/12/merge", "12/merge", "branch"), ("main", "main", "branch")],
)
def test_ref_name_and_type(ref: str, name: str, kind: str) -> None:
    assert ref_name_and_type(ref) == (name, kind)


def test_ghes_api_urls() -> None:
    assert api_urls("https://ghe.example.com/") == (
        "https://ghe.example.com/api/v3", "https://ghe.example.com/api/graphql")


def test_precedence_of_env_layers() -> None:
    env = merge_step_env(
        BASE,
        workflow_env={"A": "wf", "B": "wf", "C": "wf", "D": "wf", "CI": "false"},
        job_env={"B": "job", "C": "job", "D": "job"},
        github_env={"C": "file", "D": "file"},
        step_env={"D": "step", "GITHUB_SHA": "user", "RUNNER_OS": "user",
                  "GITHUB_ACTIONS": "false"},
        action_env={"INPUT_X": "1"},
    )
    assert (env["A"], env["B"], env["C"], env["D"]) == ("wf", "job", "file", "step")
    assert env["CI"] == "false"  # documented as overridable
    assert env["GITHUB_SHA"] == "abc123" and env["RUNNER_OS"] == "Linux"
    assert env["GITHUB_ACTIONS"] == "true" and env["INPUT_X"] == "1"


def test_path_prepends() -> None:
    env = merge_step_env(BASE, prepend_path=["/a", "/b"], base_path="/usr/bin")
    assert env["PATH"] == "/b:/a:/usr/bin"
    user = merge_step_env(BASE, job_env={"PATH": "/custom"}, prepend_path=["/a"])
    assert user["PATH"] == "/a:/custom"
    assert "PATH" not in merge_step_env(BASE)


def test_windows_names_are_case_insensitive() -> None:
    env = merge_step_env(BASE, workflow_env={"Foo": "1", "Path": "C:\\bin"},
                         step_env={"FOO": "2"}, prepend_path=["C:\\tools"], windows=True)
    assert env["Foo"] == "2" and "FOO" not in env
    assert env["Path"] == "C:\\tools;C:\\bin"
    linux = merge_step_env(BASE, workflow_env={"Foo": "1"}, step_env={"FOO": "2"})
    assert (linux["Foo"], linux["FOO"]) == ("1", "2")
