"""One job's mutable state on the host and the contexts its steps see.

The job thread alone owns this object; steps receive context snapshots built from it.
Context availability: https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#context-availability
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmoi.events import Annotation, LogLine, LogLines
from qmoi.execute.defaults import StepEnvInput, merge_step_env
from qmoi.execute.hostfs import HOST_FILES
from qmoi.execute.jobdirs import GITHUB_WORKFLOW
from qmoi.execute.masking import SecretMasker
from qmoi.execute.process import Grace, ProcessGroups
from qmoi.execute.shells import ShellCommand
from qmoi.execute.warm import WarmShell, start_warm
from qmoi.execute.workspace import JobFolders
from qmoi.expr import EvalOptions, Status
from qmoi.model import Job, Workflow
from qmoi.runners.base import CancelToken
from qmoi.schedule.protocol import Emit, JobRequest
from qmoi.source import SourceFile

if TYPE_CHECKING:  # imported by jobs with containers only
    from qmoi.execute.containers import JobContainers, PathMap


@functools.cache
def runner_arch() -> str:
    # os.uname is what platform.machine reads on POSIX; platform (≈9 ms of regexes to
    # import) only where there is no uname. Once per process: the contexts of every step
    # ask, and a uname costs ~0.5 ms in some sandboxes.
    if hasattr(os, "uname"):
        machine = os.uname().machine.lower()
    else:
        import platform

        machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return "ARM64"
    if machine.startswith("arm"):
        return "ARM"
    return "X86" if machine in ("i386", "i686", "x86") else "X64"


@dataclass(slots=True)
class StepRecord:
    """``steps.<id>`` of the steps context."""

    outcome: str
    conclusion: str
    outputs: dict[str, str]


@dataclass(slots=True)
class ActionScope:
    """What the steps of a composite action see instead of the job's: the action's
    ``inputs``, its own ``steps`` and status (``github.action_status``; status functions
    inside a composite read it), ``github.action_path`` and the composite step's ``env``.
    Composite steps get no ``secrets``, ``vars`` or ``needs`` (gha-semantics §2)."""

    source: SourceFile
    inputs: dict[str, Any]
    path: str
    env: dict[str, str]
    repository: str = ""
    ref: str = ""
    depth: int = 1
    steps: dict[str, StepRecord] = field(default_factory=dict)
    status: Status = Status.SUCCESS

    def github_keys(self) -> dict[str, str]:
        return {"action_path": self.path, "action_repository": self.repository,
                "action_ref": self.ref, "action_status": self.status.value}

    def fail(self) -> None:
        if self.status is Status.SUCCESS:
            self.status = Status.FAILURE


@dataclass(slots=True)
class JobState:
    """One job's mutable state on the host; the job thread alone owns it, steps get snapshots."""

    request: JobRequest
    workflow: Workflow
    job: Job
    folders: JobFolders
    emit: Emit
    token: CancelToken
    grace: Grace
    groups: ProcessGroups = field(default_factory=ProcessGroups)
    masker: SecretMasker = field(default_factory=SecretMasker)
    status: Status = Status.SUCCESS
    env: dict[str, str] = field(default_factory=dict)
    github_env: dict[str, str] = field(default_factory=dict)
    path_entries: tuple[str, ...] = ()
    steps: dict[str, StepRecord] = field(default_factory=dict)
    part_index: int = 0
    action_names: dict[str, int] = field(default_factory=dict)
    debug: bool = False
    _host_env: dict[str, str] | None = None
    command_files: dict[str, str] | None = None
    # The last plain run step's process environment and the layers it was built from.
    _env_cache: tuple[tuple[Any, ...], dict[str, str]] | None = None
    # Post parts to run at the job's end, newest last (they run in reverse); nested
    # actions of composites register theirs here too, as the runner does.
    posts: list[Callable[[], None]] = field(default_factory=list)
    # The next step's shell, started while the current step runs (qmoi.execute.warm), and
    # what starts it: set by the step loop, called once the current step's process runs.
    # The last shell lookup, (shell, PATH) → result, spares the start ahead a second
    # lookup (the step itself looks up again when its turn comes).
    warm: WarmShell | None = None
    next_hook: Callable[[], None] | None = None
    # The job's containers when it has any; ``paths`` maps host paths into the job
    # container when there is one (its steps then run inside it).
    containers: JobContainers | None = None
    paths: PathMap | None = None
    last_shell: tuple[tuple[str | None, str | None], ShellCommand] | None = None

    @property
    def key(self) -> str:
        return self.request.key

    @property
    def source(self) -> Any:
        return self.workflow.source

    @property
    def options(self) -> EvalOptions:
        return EvalOptions(workspace=str(self.folders.workspace), files=HOST_FILES)

    def next_index(self) -> int:
        self.part_index += 1
        return self.part_index - 1

    def action_name(self, step_id: str | None) -> str:
        """``github.action``: the step's id, else ``__run``, ``__run_2``, … (contexts docs)."""
        base = step_id or "__run"
        count = self.action_names.get(base, 0) + 1
        self.action_names[base] = count
        return base if count == 1 else f"{base}_{count}"

    def fail(self) -> None:
        if self.status is Status.SUCCESS:
            self.status = Status.FAILURE

    def start_warm(self, owner: object, argv: tuple[str, ...], env: dict[str, str],
                   cwd: str, script: str) -> None:
        """Start ``owner``'s shell ahead (on the job thread: a warm thread was slower, the
        spawn's Python parts then wait for the interpreter lock in both threads)."""
        self.drop_warm()
        self.warm = start_warm(owner, argv, env, cwd, script)

    def take_warm(self, owner: object) -> WarmShell | None:
        """The shell started ahead for ``owner``'s step (one for another step is killed)."""
        warm, self.warm = self.warm, None
        if warm is not None and warm.owner is not owner:
            warm.discard()
            return None
        return warm

    def drop_warm(self) -> None:
        """Kill a shell started ahead that no step took."""
        warm, self.warm = self.warm, None
        if warm is not None:
            warm.discard()

    def take_next_hook(self) -> Callable[[], None] | None:
        hook, self.next_hook = self.next_hook, None
        return hook

    # ------------------------------------------------------------------ contexts

    def github(self, **extra: str) -> dict[str, Any]:
        context = dict(self.request.github)
        context.update(job=self.request.job_id, workspace=str(self.folders.workspace), **extra)
        return context

    def runner(self) -> dict[str, Any]:
        return {"os": "Linux", "arch": runner_arch(), "name": "qmoi",
                "environment": "self-hosted", "temp": str(self.folders.temp),
                "tool_cache": str(self.folders.tool_cache),
                "workspace": str(self.folders.root), "debug": "1" if self.debug else ""}

    def base_contexts(self) -> dict[str, Any]:
        """Contexts of job-level values (``env``, ``defaults``, ``outputs``…)."""
        request = self.request
        return {
            "github": self.github(), "vars": request.vars, "inputs": request.inputs,
            "needs": request.needs, "strategy": request.strategy, "matrix": request.matrix,
            "secrets": self.secrets(), "env": dict(self.env), "runner": self.runner(),
            "job": self.job_context(),
            "steps": steps_context(self.steps),
        }

    def job_context(self) -> dict[str, Any]:
        found: dict[str, Any] = {"status": self.status.value,
                                 "container": {"id": "", "network": ""}, "services": {}}
        if self.containers is not None:
            found.update(self.containers.context())
        return found

    def scope_contexts(self, scope: ActionScope, step_env: dict[str, str]) -> dict[str, Any]:
        """The contexts of a composite action's steps (``step_env`` already holds the
        composite step's own ``env``)."""
        request = self.request
        return {
            "github": self.github(**scope.github_keys()), "inputs": scope.inputs,
            "strategy": request.strategy, "matrix": request.matrix, "runner": self.runner(),
            "job": self.job_context(),
            "env": self.env_context(step_env),
            "steps": steps_context(scope.steps),
        }

    def secrets(self) -> dict[str, str]:
        return {"GITHUB_TOKEN": "", **self.request.secrets}

    # ------------------------------------------------------------------ environment

    def env_context(self, step_env: dict[str, str]) -> dict[str, str]:
        return {**self.env, **self.github_env, **step_env}

    def process_env(self, files: dict[str, str], step_env: dict[str, str], action: str,
                    extra: dict[str, str] | None = None,
                    scope: ActionScope | None = None, paths: PathMap | None = None
                    ) -> dict[str, str]:
        """The step process's environment: the host's, then the layers in GitHub's order
        (``merge_step_env``), PATH with the GITHUB_PATH entries in front. ``paths``: for a
        process in a container of its own (a Docker action), instead of the job's."""
        if extra or scope is not None or paths is not None:
            return self._process_env(files, step_env, action, extra, scope, paths)
        # A job's plain run steps mostly see the same layers: the environment is built
        # once for them and copied, with each step's GITHUB_ACTION (a default variable:
        # no layer overrides it, so setting it last changes nothing else).
        key = (tuple(self.env.items()), tuple(self.github_env.items()),
               tuple(step_env.items()), self.path_entries, tuple(files.items()), self.debug)
        if self._env_cache is None or self._env_cache[0] != key:
            self._env_cache = (key, self._process_env(files, step_env, "", None, None))
        env = dict(self._env_cache[1])
        env["GITHUB_ACTION"] = action
        return env

    def _process_env(self, files: dict[str, str], step_env: dict[str, str], action: str,
                     extra: dict[str, str] | None, scope: ActionScope | None,
                     own_paths: PathMap | None = None) -> dict[str, str]:
        github = self.request.github
        # In a job container the variables hold container paths (the contexts keep the
        # host's, as the runner's do) and the host's own environment stays outside.
        paths = own_paths or self.paths
        at = paths.translate if paths is not None else str
        data = StepEnvInput(
            repository=str(github["repository"]), sha=str(github["sha"]),
            ref=str(github["ref"]), event_name=str(github["event_name"]),
            workspace=at(str(self.folders.workspace)), run_id=self.request.run_id,
            run_number=str(github["run_number"]), job=self.request.job_id,
            actor=str(github["actor"]), runner_os="Linux", runner_arch=runner_arch(),
            runner_temp=at(str(self.folders.temp)),
            runner_tool_cache=at(str(self.folders.tool_cache)),
            workflow=str(github["workflow"]), workflow_ref=str(github["workflow_ref"]),
            workflow_sha=str(github["sha"]), event_path=at(str(self.event_file(paths))),
            env_file=at(files["env"]), output_file=at(files["output"]),
            path_file=at(files["path"]), state_file=at(files["state"]),
            step_summary_file=at(files["step_summary"]),
            action=action, base_ref=str(github["base_ref"]), head_ref=str(github["head_ref"]),
            runner_workspace=at(str(self.folders.root)), debug=self.debug,
            action_path=at(scope.path) if scope else None,
            action_repository=scope.repository if scope else None,
            action_ref=scope.ref if scope else None,
        )
        host = self.host_env() if paths is None else {}
        if paths is None:
            base = host.get("PATH", os.defpath)
        elif own_paths is None and self.containers is not None:
            base = self.containers.path
        else:
            base = ""  # a Docker action keeps its image's PATH unless GITHUB_PATH adds
        # A Docker action gets no GITHUB_PATH entries (ContainerActionHandler.cs).
        merged = merge_step_env(data, workflow_env=self.env, github_env=self.github_env,
                                step_env=step_env, action_env=extra or {},
                                prepend_path=self.path_entries if own_paths is None else (),
                                base_path=base)
        if paths is None:
            return {**host, **merged}
        if "PATH" not in merged and base:
            merged["PATH"] = base
        # Every value naming a mounted host folder names the container's (the runner
        # passes each through TranslateToContainerPath).
        return {name: at(value) for name, value in merged.items()}

    def event_file(self, paths: PathMap | None = None) -> Path:
        """The event payload's file; for a container (``paths``), its copy in the folder
        mounted at /github/workflow."""
        if paths is not None:
            return self.folders.temp / GITHUB_WORKFLOW / "event.json"
        return self.folders.root / "event.json"

    def host_env(self) -> dict[str, str]:
        """This machine's environment minus what the runner itself sets (read once)."""
        if self._host_env is None:
            self._host_env = {k: v for k, v in os.environ.items()
                              if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_", "STATE_"))}
        return self._host_env

    # ------------------------------------------------------------------ events

    def log(self, index: int, text: str, style: str = "out") -> None:
        self.emit(LogLine(self.key, index, self.masker.mask(text), time.time(), style))

    def log_lines(self, index: int, lines: list[str]) -> None:
        """Plain output lines read together: one event (``LogLines``; a lone line stays a
        ``LogLine``), each line masked as ``log`` would."""
        masked = self.masker.mask_lines(lines)
        if len(masked) == 1:
            self.emit(LogLine(self.key, index, masked[0], time.time()))
        elif masked:
            self.emit(LogLines(self.key, index, tuple(masked), time.time()))

    def annotate(self, index: int, level: str, message: str, **where: Any) -> None:
        self.emit(Annotation(self.key, index, level, self.masker.mask(message), time.time(),
                             **where))


def steps_context(steps: dict[str, StepRecord]) -> dict[str, Any]:
    return {sid: {"outcome": s.outcome, "conclusion": s.conclusion, "outputs": dict(s.outputs)}
            for sid, s in steps.items()}
