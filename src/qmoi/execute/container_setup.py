"""A job's ``container:`` and ``services:`` evaluated and started before its steps, as the
runner's "Initialize containers" part, and removed after them ("Stop containers").

The values are evaluated with the job's contexts; an empty ``image`` means no container
(the job then runs on the host: a matrix can switch its container off), and likewise no
service (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
"jobs.<job_id>.container.image", "jobs.<job_id>.services.<service_id>.image"). The job
container sees the job's folders at the runner's paths: the workspace at
``/__w/<repo>/<repo>``, ``RUNNER_TEMP`` at ``/__w/_temp``, the tool cache at ``/__t``,
``HOME`` at ``/github/home`` and the event at ``/github/workflow/event.json``
(R:src/Runner.Worker/ContainerOperationProvider.cs).
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Any

from qmoi.events import StepFinished, StepStarted
from qmoi.execute.actions.cache import cache_root
from qmoi.execute.containers import (
    DOCKER_SOCKET,
    NODE,
    ContainerConfig,
    EngineError,
    JobContainers,
    Mount,
    PathMap,
    files_owner,
    runner_folders,
)
from qmoi.execute.engines import container_engine
from qmoi.execute.job_state import JobState
from qmoi.model import Container
from qmoi.plan.values import EvaluationError, render_text


def start_containers(state: JobState) -> str | None:
    """Start what the job asks for; a message when that failed (the job has then failed,
    and what was started is left for ``stop_containers``)."""
    index = state.next_index()
    state.emit(StepStarted(state.key, index, "", "Initialize containers", time.time()))
    try:
        message = _start(state, index)
    except (EngineError, EvaluationError) as error:
        message = str(error)
    if message is not None:
        state.annotate(index, "error", message)
        state.fail()
    outcome = "success" if message is None else "failure"
    state.emit(StepFinished(state.key, index, "", outcome, outcome, {}, time.time()))
    return message


def _start(state: JobState, index: int) -> str | None:
    contexts = state.base_contexts()
    contexts["env"] = state.env_context({})
    job = _config(state, state.job.container, contexts)
    services = [(service.name, config) for service in state.job.services
                if (config := _config(state, service.container, contexts)) is not None]
    if job is None and not services:
        return None
    engine = container_engine()
    if engine is None:
        return ("this job needs Docker or Podman for its containers; neither is reachable "
                "here (`docker info` and `podman info` failed)")
    containers = JobContainers(engine, f"qmoi.job={state.request.run_id}",
                               lambda text: state.log(index, text))
    state.containers = containers
    for config in (job, *(config for _, config in services)):
        if config is not None:
            state.masker.add_secret(config.password)
    mounts: tuple[Mount, ...] = ()
    if job is not None:
        mounts = _mounts(state, engine)
        state.paths = PathMap(mounts)
    workdir = state.paths.translate(str(state.folders.workspace)) if state.paths else ""
    containers.start(job, services, mounts, workdir, lambda: state.token.cancelled)
    return None


def _config(state: JobState, container: Container | None, contexts: dict[str, Any]
            ) -> ContainerConfig | None:
    if container is None:
        return None

    def text(scalar: Any) -> str:
        return "" if scalar is None else render_text(scalar, contexts, state.source)

    image = text(container.image).removeprefix("docker://")
    if not image:
        return None
    credentials = container.credentials
    return ContainerConfig(
        image=image,
        env=tuple((entry.name, text(entry.scalar)) for entry in container.env),
        ports=tuple(text(port) for port in container.ports),
        volumes=tuple(text(volume) for volume in container.volumes),
        options=text(container.options),
        username=text(credentials.username) if credentials else "",
        password=text(credentials.password) if credentials else "",
        entrypoint=text(container.entrypoint),
        command=text(container.command),
    )


def _mounts(state: JobState, engine: str) -> tuple[Mount, ...]:
    folders = state.folders
    name = str(state.request.github.get("repository", "")).rsplit("/", 1)[-1] or "workspace"
    home, workflow = runner_folders(folders.temp, state.event_file())
    folders.tool_cache.mkdir(parents=True, exist_ok=True)
    mounts = [Mount(str(folders.workspace), f"/__w/{name}/{name}"),
              Mount(str(folders.temp), "/__w/_temp"),
              Mount(str(folders.tool_cache), "/__t"),
              Mount(str(home), "/github/home"),
              Mount(str(workflow), "/github/workflow")]
    node = shutil.which("node")
    if node is not None:
        # The runner runs JavaScript actions in the container with its own Node.js,
        # mounted at /__e (NodeScriptActionHandler.cs); this machine's node stands in.
        mounts.append(Mount(os.path.realpath(node), NODE, read_only=True))
    actions = cache_root()  # remote actions, by <owner>/<repo>/<ref> as the runner's
    actions.mkdir(parents=True, exist_ok=True)
    mounts.append(Mount(str(actions), "/__w/_actions", read_only=True))
    if engine == "docker" and os.path.exists(DOCKER_SOCKET):
        mounts.append(Mount(DOCKER_SOCKET, DOCKER_SOCKET))
    return tuple(mounts)


def stop_containers(state: JobState) -> None:
    """Remove the job's containers and network, as a part of its own."""
    containers = state.containers
    if containers is None:
        return
    index = state.next_index()
    state.emit(StepStarted(state.key, index, "", "Stop containers", time.time()))
    containers.log = lambda text: state.log(index, text)
    owner = files_owner()
    if owner is not None and containers.job is not None and state.paths is not None:
        folders = [mount.container for mount in containers.mounts
                   if not mount.read_only and os.path.isdir(mount.host)]
        containers.give_back(owner, containers.job.id, folders)
    containers.stop()
    state.emit(StepFinished(state.key, index, "", "success", "success", {}, time.time()))
