"""The environment a step's process gets: the default variables (CI, GITHUB_*,
RUNNER_*) and how they merge with workflow, job and step ``env``.

Sources: https://docs.github.com/en/actions/reference/workflows-and-actions/variables
(the list, and "You can't overwrite ... GITHUB_* and RUNNER_*. Currently you can overwrite
the value of the CI variable"); R:src/Runner.Worker/GitHubContext.cs (the github-context
allow-list exported as GITHUB_<KEY>), R:src/Runner.Worker/RunnerContext.cs (every runner
string exported as RUNNER_<KEY>), R:src/Runner.Worker/Handlers/ScriptHandler.cs (context
variables applied last).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from qmoi.execute.envfiles import path_value

_EMPTY: Mapping[str, str] = MappingProxyType({})
_REF_KINDS = (("refs/heads/", "branch"), ("refs/tags/", "tag"), ("refs/pull/", "branch"))


@dataclass(frozen=True, slots=True)
class StepEnvInput:
    """What the default variables are computed from. ``None`` = the key is absent from
    the context (so no variable), ``""`` = present and empty (GITHUB_BASE_REF on push)."""

    repository: str
    sha: str
    ref: str
    event_name: str
    workspace: str
    run_id: str
    run_number: str
    job: str
    actor: str
    runner_os: str
    runner_arch: str
    runner_temp: str
    runner_tool_cache: str
    run_attempt: str = "1"
    actor_id: str | None = None
    triggering_actor: str | None = None
    repository_id: str | None = None
    repository_owner_id: str | None = None
    workflow: str | None = None
    workflow_ref: str | None = None
    workflow_sha: str | None = None
    event_path: str | None = None
    env_file: str | None = None
    output_file: str | None = None
    path_file: str | None = None
    state_file: str | None = None
    step_summary_file: str | None = None
    action: str | None = "__run"
    action_path: str | None = None
    action_ref: str | None = None
    action_repository: str | None = None
    base_ref: str = ""
    head_ref: str = ""
    ref_name: str | None = None
    ref_type: str | None = None
    ref_protected: bool = False
    retention_days: str | None = "90"
    server_url: str = "https://github.com"
    api_url: str | None = None
    graphql_url: str | None = None
    runner_name: str = "qmoi"
    runner_environment: str = "self-hosted"
    runner_workspace: str | None = None
    debug: bool = False


def ref_name_and_type(ref: str) -> tuple[str, str]:
    """GITHUB_REF_NAME / GITHUB_REF_TYPE from GITHUB_REF: ``refs/heads/b`` → (b, branch),
    ``refs/tags/t`` → (t, tag), ``refs/pull/7/merge`` → (7/merge, branch)."""
    for prefix, kind in _REF_KINDS:
        if ref.startswith(prefix):
            return ref[len(prefix) :], kind
    return ref, "branch"


def api_urls(server_url: str) -> tuple[str, str]:
    """(REST, GraphQL) URLs: api.github.com for github.com, ``/api/v3`` and
    ``/api/graphql`` on a GitHub Enterprise Server."""
    server = server_url.rstrip("/")
    if server in ("https://github.com", "http://github.com"):
        return "https://api.github.com", "https://api.github.com/graphql"
    return f"{server}/api/v3", f"{server}/api/graphql"


def github_variables(data: StepEnvInput) -> dict[str, str]:
    """The GITHUB_* variables (the github context's allow-listed keys)."""
    ref_name, ref_type = ref_name_and_type(data.ref)
    api, graphql = api_urls(data.server_url)
    values: dict[str, str | None] = {
        "action": data.action,
        "action_path": data.action_path,
        "action_ref": data.action_ref,
        "action_repository": data.action_repository,
        "actor": data.actor,
        "actor_id": data.actor_id,
        "api_url": data.api_url or api,
        "base_ref": data.base_ref,
        "env": data.env_file,
        "event_name": data.event_name,
        "event_path": data.event_path,
        "graphql_url": data.graphql_url or graphql,
        "head_ref": data.head_ref,
        "job": data.job,
        "output": data.output_file,
        "path": data.path_file,
        "ref": data.ref,
        "ref_name": data.ref_name if data.ref_name is not None else ref_name,
        "ref_protected": "true" if data.ref_protected else "false",
        "ref_type": data.ref_type if data.ref_type is not None else ref_type,
        "repository": data.repository,
        "repository_id": data.repository_id,
        "repository_owner": data.repository.partition("/")[0],
        "repository_owner_id": data.repository_owner_id,
        "retention_days": data.retention_days,
        "run_attempt": data.run_attempt,
        "run_id": data.run_id,
        "run_number": data.run_number,
        "server_url": data.server_url,
        "sha": data.sha,
        "state": data.state_file,
        "step_summary": data.step_summary_file,
        "triggering_actor": data.triggering_actor or data.actor,
        "workflow": data.workflow,
        "workflow_ref": data.workflow_ref,
        "workflow_sha": data.workflow_sha,
        "workspace": data.workspace,
    }
    return {f"GITHUB_{key.upper()}": value for key, value in values.items() if value is not None}


def runner_variables(data: StepEnvInput) -> dict[str, str]:
    """The RUNNER_* variables; RUNNER_DEBUG exists only when debug logging is on."""
    values: dict[str, str | None] = {
        "arch": data.runner_arch,
        "debug": "1" if data.debug else None,
        "environment": data.runner_environment,
        "name": data.runner_name,
        "os": data.runner_os,
        "temp": data.runner_temp,
        "tool_cache": data.runner_tool_cache,
        "workspace": data.runner_workspace,
    }
    return {f"RUNNER_{key.upper()}": value for key, value in values.items() if value is not None}


def default_variables(data: StepEnvInput) -> dict[str, str]:
    """Every default variable of a step: CI, GITHUB_ACTIONS, GITHUB_*, RUNNER_*."""
    fixed = {"CI": "true", "GITHUB_ACTIONS": "true"}
    return {**fixed, **github_variables(data), **runner_variables(data)}


def merge_step_env(
    data: StepEnvInput,
    *,
    workflow_env: Mapping[str, str] = _EMPTY,
    job_env: Mapping[str, str] = _EMPTY,
    github_env: Mapping[str, str] = _EMPTY,
    step_env: Mapping[str, str] = _EMPTY,
    action_env: Mapping[str, str] = _EMPTY,
    prepend_path: Iterable[str] = (),
    base_path: str | None = None,
    windows: bool = False,
) -> dict[str, str]:
    """The environment of one step's process, lowest precedence first: ``CI``, workflow
    ``env``, job ``env``, GITHUB_ENV updates of earlier steps, step ``env``, action
    ``INPUT_*``/``STATE_*`` (``action_env``), then GITHUB_ACTIONS and the GITHUB_*/RUNNER_*
    context variables, which user values cannot override. PATH gets the GITHUB_PATH
    entries (newest first) in front of ``base_path`` (or of a PATH set by the layers).
    On Windows names compare case-insensitively (the first spelling is kept).
    """
    defaults = default_variables(data)
    merged = _EnvDict(windows)
    merged.set("CI", defaults.pop("CI"))
    for layer in (workflow_env, job_env, github_env, step_env, action_env, defaults):
        for name, value in layer.items():
            merged.set(name, value)
    entries = list(prepend_path)
    if entries:
        path_name = "Path" if windows else "PATH"
        original = merged.get(path_name)
        if original is None:
            original = base_path or ""
        merged.set(path_name, path_value(entries, original, separator=";" if windows else ":"))
    return merged.as_dict()


class _EnvDict:
    """A dict whose keys fold case on Windows, like VarUtil.EnvironmentVariableKeyComparer."""

    def __init__(self, windows: bool) -> None:
        self._windows = windows
        self._items: dict[str, tuple[str, str]] = {}

    def _key(self, name: str) -> str:
        return name.upper() if self._windows else name

    def set(self, name: str, value: str) -> None:
        key = self._key(name)
        spelled = self._items[key][0] if key in self._items else name
        self._items[key] = (spelled, value)

    def get(self, name: str) -> str | None:
        found = self._items.get(self._key(name))
        return found[1] if found else None

    def as_dict(self) -> dict[str, str]:
        return dict(self._items.values())
