"""Docker container actions: ``uses: docker://image`` steps and actions whose ``runs.using``
is ``docker`` (``image: docker://…`` or a Dockerfile), each part one ``docker run --rm``.

The runner's way (R:src/Runner.Worker/Handlers/ContainerActionHandler.cs,
Container/DockerCommandManager.cs ``DockerRun``; https://docs.github.com/en/actions/reference/workflows-and-actions/dockerfile-support):
the container starts in ``/github/workspace`` (the job's workspace), with ``HOME`` at
``/github/home``, the event at ``/github/workflow/event.json`` and the environment files at
``/github/file_commands``; every value of its environment that names one of those host
folders names the container's instead, and nothing of the host's own environment goes in.
``GITHUB_PATH`` entries are not applied (the image's PATH stands). It joins the job's network
when the job has one. ``runs.args`` items are the arguments, each evaluated with ``inputs``;
without them a ``with: args`` string is split as .NET splits a command line (single quotes
are not quotes). The entrypoint is ``runs.entrypoint`` (``pre-entrypoint`` /
``post-entrypoint`` for those parts), else ``with: entrypoint``. An image already on this
machine is used as is; the runner pulls every time, qmoi only when it must (offline runs).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

from qmoi.execute.actions.inputs import input_env
from qmoi.execute.containers import (
    DOCKER_SOCKET,
    ContainerConfig,
    EngineError,
    JobContainers,
    Mount,
    PathMap,
    files_owner,
    runner_folders,
)
from qmoi.execute.engines import container_engine
from qmoi.execute.jobdirs import GITHUB_HOME
from qmoi.execute.shells import split_arguments
from qmoi.execute.step_kinds import FAILURE, StepRun, process_outcome
from qmoi.execute.timeouts import minutes_to_seconds
from qmoi.model import Runs
from qmoi.plan.values import render_text


def image_of(runs: Runs | None, folder: Path) -> tuple[str, Path | None]:
    """The image a docker action's ``runs.image`` names, or the Dockerfile to build it from
    (empty and None when neither)."""
    given = runs.image.value if runs is not None and runs.image is not None else "Dockerfile"
    if given.startswith("docker://"):
        return given.removeprefix("docker://"), None
    return "", folder / given


def run_docker(run: StepRun, *, shown: str, image: str, dockerfile: Path | None,
               runs: Runs | None, inputs: dict[str, str], stage: str) -> str:
    """One part (``pre``/``main``/``post``) of a container action."""
    engine = container_engine()
    if engine is None:
        run.io.error(f"action {shown} runs in a container, which needs Docker or Podman; "
                     "neither is reachable here (`docker info` and `podman info` failed)")
        return FAILURE
    job = run.job
    # Engine calls of its own: what they log belongs to this step's part.
    engine_calls = JobContainers(engine, f"qmoi.job={job.request.run_id}",
                                 lambda text: job.log(run.index, text))
    try:
        if dockerfile is not None:
            image = _build(engine_calls, dockerfile, shown)
        else:
            engine_calls.ensure_image(ContainerConfig(image))
    except EngineError as error:
        run.io.error(str(error))
        return FAILURE
    mounts, paths = _mounts(run)
    env = _environment(run, runs, inputs, paths)
    name = _name(image)
    argv = [engine, "run", "--name", name, "--label", engine_calls.label,
            "--workdir", "/github/workspace", "--rm"]
    argv += [flag for key in env for flag in ("-e", key)]
    entrypoint = _entrypoint(runs, inputs, stage)
    if entrypoint:
        argv += ["--entrypoint", entrypoint]
    if job.containers is not None and job.containers.network:
        argv += ["--network", job.containers.network]
    for mount in mounts:
        argv += ["-v", mount.flag()]
    argv += [image, *_arguments(run, runs, inputs)]
    timeout = minutes_to_seconds(run.render(run.step.timeout_minutes) or None,
                                 "timeout-minutes", run.source, run.step.timeout_minutes)
    workspace = str(job.folders.workspace)
    done = run.io.run(argv, env={**os.environ, **env}, cwd=workspace, timeout=timeout)
    owner = files_owner()
    if owner is not None:
        _give_back(engine_calls, owner, image, mounts)
    if done.stopped is not None:
        # Stopping the client stops the container only if it heeds the signals the client
        # passes on; it goes now, not when the job's containers go.
        with contextlib.suppress(EngineError):
            engine_calls.run("rm", "--force", name)
    return process_outcome(run, done, timeout,
                           f"Docker run of {shown} failed with exit code {{code}}.")


def _build(engine: JobContainers, dockerfile: Path, shown: str) -> str:
    """``docker build`` the action's image (the engine's layer cache makes a rebuild of an
    unchanged action quick); its tag."""
    if not dockerfile.is_file():
        raise EngineError(f"action {shown}: '{dockerfile}' does not exist; a Docker action's "
                          "image should be either '[path]/Dockerfile' or 'docker://image[:tag]'")
    digest = hashlib.sha256(str(dockerfile.resolve()).encode("utf-8")).hexdigest()[:16]
    tag = f"qmoi-action:{digest}"
    engine.log(f"Dockerfile for action: '{dockerfile}'.")
    engine.run("build", "--label", engine.label, "-t", tag, "-f", str(dockerfile),
               str(dockerfile.parent))
    return tag


def _give_back(engine: JobContainers, owner: tuple[int, int], image: str,
               mounts: tuple[Mount, ...]) -> None:
    """The action's container has gone: a short-lived one of the same image gives the
    files it made in the job's folders back to ``owner`` (see ``JobContainers.give_back``)."""
    folders = [m for m in mounts if m.container.startswith("/github/")]
    argv = ["run", "--rm", "--label", engine.label, "--entrypoint", "chown"]
    for mount in folders:
        argv += ["-v", mount.flag()]
    try:
        engine.run(*argv, image, "-R", f"{owner[0]}:{owner[1]}",
                   *(m.container for m in folders))
    except EngineError as error:
        engine.log(f"warning: the files the action made stay its user's ({error})")


def _mounts(run: StepRun) -> tuple[tuple[Mount, ...], PathMap]:
    folders = run.job.folders
    home, workflow = runner_folders(folders.temp, run.job.event_file())
    mounts = (Mount(str(home), "/github/home"), Mount(str(workflow), "/github/workflow"),
              Mount(str(folders.file_commands), "/github/file_commands"),
              Mount(str(folders.workspace), "/github/workspace"))
    extra = ((Mount(DOCKER_SOCKET, DOCKER_SOCKET),) if os.path.exists(DOCKER_SOCKET)
             else ())
    return extra + mounts, PathMap(mounts)


def _environment(run: StepRun, runs: Runs | None, inputs: dict[str, str], paths: PathMap
                 ) -> dict[str, str]:
    """The step's variables in the container's paths; ``runs.env`` only where nothing else
    set the name (the runner adds it without replacing)."""
    job = run.job
    given = {**input_env(inputs), "HOME": str(job.folders.temp / GITHUB_HOME)}
    taken = set(job.env_context(run.step_env)) | set(given)
    for name, value in _runs_env(run, runs, inputs).items():
        if name not in taken:
            given[name] = value
    return run.job.process_env(run.io.files, run.step_env, run.action, given, run.scope,
                               paths=paths)


def _contexts(run: StepRun, inputs: dict[str, str]) -> dict[str, Any]:
    contexts = run.contexts()
    contexts["inputs"] = dict(inputs)
    return contexts


def _runs_env(run: StepRun, runs: Runs | None, inputs: dict[str, str]) -> dict[str, str]:
    if runs is None or not runs.env.entries:
        return {}
    contexts = _contexts(run, inputs)
    return {entry.name: render_text(entry.scalar, contexts, run.source)
            for entry in runs.env if entry.scalar is not None}


def _entrypoint(runs: Runs | None, inputs: dict[str, str], stage: str) -> str:
    if runs is not None:
        own = {"pre": runs.pre_entrypoint, "main": runs.entrypoint,
               "post": runs.post_entrypoint}[stage]
        if own is not None and own.value:
            return own.value
    return next((value for name, value in inputs.items() if name.lower() == "entrypoint"), "")


def _arguments(run: StepRun, runs: Runs | None, inputs: dict[str, str]) -> list[str]:
    if runs is not None and runs.args:
        contexts = _contexts(run, inputs)
        return [render_text(item, contexts, run.source) for item in runs.args]
    given = next((value for name, value in inputs.items() if name.lower() == "args"), "")
    return split_arguments(given)


def _name(image: str) -> str:
    """The runner's container name: the image's letters, ``_`` and (after the first
    character) digits, then ``_`` and six hex digits (NameValidation.Sanitize)."""
    kept = ""
    for char in image:
        if char.isascii() and (char.isalpha() or char == "_" or (char.isdigit() and kept)):
            kept += char
    return f"{kept or 'action'}_{os.urandom(3).hex()}"
