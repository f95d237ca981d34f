"""A job's containers through Docker or Podman: the job network, the service containers,
the job container, and how a step runs inside it.

The runner's order (R:src/Runner.Worker/ContainerOperationProvider.cs): a network of its
own per job, each image present (pulled when missing), every container created and
started, then the services with a health check waited for; at the job's end every
container is removed and then the network. The job container runs ``tail -f /dev/null``
and each step runs in it through ``exec``; its folders are the job's folders mounted at
the runner's container paths (``/__w``…, ``qmoi.execute.container_paths``).
https://docs.github.com/en/actions/how-tos/write-workflows/choose-where-workflows-run/run-jobs-in-a-container
https://docs.github.com/en/actions/tutorials/use-containerized-services/use-docker-service-containers
"""

from __future__ import annotations

import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qmoi.errors import QmoiError
from qmoi.execute.jobdirs import GITHUB_HOME, GITHUB_WORKFLOW
from qmoi.execute.shells import split_arguments

Log = Callable[[str], None]
_TIMEOUT = 300.0  # seconds for one engine command (a pull of a large image included)
NODE = "/__e/node/bin/node"  # where the job container finds this machine's node
DOCKER_SOCKET = "/var/run/docker.sock"  # mounted into containers as the runner does
_HEALTH_CAP = 32.0  # the longest wait between two health checks, in seconds


class EngineError(QmoiError):
    """An engine command failed: its message says which and why."""


OWNER_VARIABLE = "QMOI_CONTAINER_OWNER"


def files_owner() -> tuple[int, int] | None:
    """Who should own the files containers make in a job's folders: ``uid:gid`` from
    ``QMOI_CONTAINER_OWNER``, else the user running qmoi unless that is root (then they
    stay as made, as on GitHub's runner)."""
    given = os.environ.get(OWNER_VARIABLE, "")
    if given:
        user, _, group = given.partition(":")
        if user.isdigit() and group.isdigit():
            return int(user), int(group)
    uid = os.getuid()
    return None if uid == 0 else (uid, os.getgid())


@dataclass(frozen=True, slots=True)
class ContainerConfig:
    """One container as the job asks for it, its expressions evaluated."""

    image: str
    env: tuple[tuple[str, str], ...] = ()
    ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    options: str = ""
    username: str = ""
    password: str = ""
    entrypoint: str = ""  # a service's, instead of its image's
    command: str = ""  # a service's arguments, split as .NET splits a command line


@dataclass(frozen=True, slots=True)
class Mount:
    """A bind mount: a host folder (or file) at a container path."""

    host: str
    container: str
    read_only: bool = False

    def flag(self) -> str:
        return f"{self.host}:{self.container}" + (":ro" if self.read_only else "")


@dataclass(frozen=True, slots=True)
class Started:
    """A running container: its id, its alias on the job network and, for a service, its
    published ports (container port → host port)."""

    id: str
    alias: str
    ports: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class JobContainers:
    """One job's network and containers on ``engine`` (``docker`` or ``podman``)."""

    engine: str
    label: str  # marks every container and network this job made
    log: Log
    network: str = ""
    job: Started | None = None
    services: dict[str, Started] = field(default_factory=dict)
    path: str = ""  # the job container's own PATH (GITHUB_PATH entries go in front)
    mounts: tuple[Mount, ...] = ()  # the job container's
    _made: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ engine

    def run(self, *args: str, env: Mapping[str, str] | None = None,
            stdin: str | None = None, config: str | None = None) -> str:
        """One engine command; its standard output, or EngineError with what it said."""
        argv = [self.engine, *(("--config", config) if config else ()), *args]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT,
                                  env=None if env is None else {**os.environ, **env},
                                  input=stdin, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise EngineError(f"{self.engine} {args[0]} failed: {error}") from error
        if done.returncode != 0:
            said = [line for line in (done.stderr or done.stdout).splitlines()
                    if line.strip() and "--help" not in line]
            raise EngineError(f"{self.engine} {args[0]} failed with exit code "
                              f"{done.returncode}: {' '.join(said) or 'no message'}")
        return done.stdout

    # ------------------------------------------------------------------ start

    def start(self, job: ContainerConfig | None, services: Sequence[tuple[str, ContainerConfig]],
              mounts: Sequence[Mount], workdir: str,
              cancelled: Callable[[], bool] = lambda: False) -> None:
        """The network, the job container, the services; then wait for the services'
        health checks. On failure what was made stays for ``stop`` to remove."""
        self.network = f"qmoi_network_{os.urandom(16).hex()}"
        self.log("Create local container network")
        self.run("network", "create", "--label", self.label, self.network)
        if job is not None:
            self.mounts = tuple(mounts)
            self.log("Starting job container")
            self.job = self._create(job, "", mounts, workdir, {"HOME": "/github/home"},
                                    entry=("tail", "-f", "/dev/null"))
            self.path = self._container_path(self.job.id)
        for alias, config in services:
            self.log(f"Starting {alias} service container")
            self.services[alias] = self._create(config, alias, (), "", {}, entry=None)
        for alias, started in self.services.items():
            self._wait_healthy(alias, started.id, cancelled)

    def _create(self, config: ContainerConfig, alias: str, mounts: Sequence[Mount],
                workdir: str, extra_env: Mapping[str, str],
                entry: tuple[str, ...] | None) -> Started:
        self.ensure_image(config)
        name = f"qmoi_{os.urandom(8).hex()}"
        # Values travel in the engine's environment and only names on its command line
        # (``-e NAME``), so no secret shows in a process listing. CI only when the user
        # has not set it (DockerCommandManager.cs).
        env = {**extra_env, **dict(config.env), "GITHUB_ACTIONS": "true"}
        env.setdefault("CI", "true")
        argv = ["create", "--name", name, "--label", self.label, "--network", self.network]
        if alias:
            argv += ["--network-alias", alias]
        if workdir:
            argv += ["--workdir", workdir]
        for port in config.ports:
            argv += ["-p", port]
        for volume in config.volumes:
            argv += ["-v", volume]
        for mount in mounts:
            argv += ["-v", mount.flag()]
        for key in env:
            argv += ["-e", key]
        argv += split_arguments(config.options)
        if entry is not None:
            argv += ["--entrypoint", entry[0], config.image, *entry[1:]]
        else:
            # A service's `entrypoint` and `command` (docs: jobs.<job_id>.services.
            # <service_id>.entrypoint / .command), else what its image says.
            if config.entrypoint:
                argv += ["--entrypoint", config.entrypoint]
            argv += [config.image, *split_arguments(config.command)]
        container = self.run(*argv, env=env).strip()
        self._made.append(container)
        self.run("start", container)
        ports = self._ports(container) if config.ports else ()
        return Started(container, alias, ports)

    def ensure_image(self, config: ContainerConfig) -> None:
        """Use the image when it is on this machine, else pull it (with the job's
        credentials when given); a failed pull names the image."""
        try:
            self.run("image", "inspect", "--format", "{{.Id}}", config.image)
            return
        except EngineError:
            pass
        self.log(f"Pull down {config.image}")
        with tempfile.TemporaryDirectory(prefix="qmoi-registry-") as folder:
            config_dir = None
            if config.username or config.password:
                config_dir = folder
                self.run("login", "--username", config.username, "--password-stdin",
                         _registry(config.image), stdin=config.password, config=folder)
            try:
                self.run("pull", config.image, config=config_dir)
            except EngineError as error:
                raise EngineError(f"image '{config.image}' is not on this machine and could "
                                  f"not be pulled ({error})") from error

    def _ports(self, container: str) -> tuple[tuple[str, str], ...]:
        """``docker port`` lines (``5432/tcp -> 0.0.0.0:49153``) as container → host port,
        the first address of each port (IPv4 and IPv6 lines repeat it)."""
        found: dict[str, str] = {}
        for line in self.run("port", container).splitlines():
            inner, _, outer = line.partition(" -> ")
            port = inner.split("/")[0].strip()
            if port and outer and port not in found:
                found[port] = outer.rsplit(":", 1)[-1].strip()
        return tuple(found.items())

    def _container_path(self, container: str) -> str:
        out = self.run("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}",
                       container)
        for line in out.splitlines():
            if line.startswith("PATH="):
                return line[len("PATH="):]
        return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    def _wait_healthy(self, alias: str, container: str, cancelled: Callable[[], bool]
                      ) -> None:
        """Wait while a service with a health check reports ``starting`` (no limit but the
        job's own cancellation, as the runner), backing off up to 32 s; any state but
        ``healthy`` then fails the job."""
        tries = 0
        while True:
            status = self.run("inspect", "--format",
                              "{{if .Config.Healthcheck}}{{print .State.Health.Status}}{{end}}",
                              container).strip().lower()
            if not status:
                return  # no health check: ready as soon as it runs
            if status != "starting" or cancelled():
                break
            wait = min(2.0 + (2 ** tries - 1) * random.uniform(1.6, 2.4), _HEALTH_CAP)
            self.log(f"{alias} service is starting, waiting {int(wait)} seconds before "
                     "checking again.")
            time.sleep(wait)
            tries += 1
        if status != "healthy":
            raise EngineError(f"Failed to initialize, {alias} service is {status}.")
        self.log(f"{alias} service is healthy.")

    # ------------------------------------------------------------------ steps

    @property
    def node(self) -> str:
        """The node JavaScript actions run with: the one mounted at /__e, else the
        image's own."""
        return NODE if any(m.container == NODE for m in self.mounts) else "node"

    def exec_argv(self, argv: Sequence[str], env: Mapping[str, str], workdir: str
                  ) -> list[str]:
        """The engine command that runs ``argv`` in the job container (values of ``env``
        go in the engine's own environment: ``-e NAME`` passes each on)."""
        if self.job is None:
            raise EngineError("the job has no container")
        names = [flag for key in env for flag in ("-e", key)]
        return [self.engine, "exec", "-i", "--workdir", workdir, *names, self.job.id, *argv]

    # ------------------------------------------------------------------ stop

    def give_back(self, owner: tuple[int, int], container: str, folders: Sequence[str]
                  ) -> None:
        """Make ``owner`` the owner of everything in ``folders`` (container paths) again,
        from inside ``container``: a container writes as its own user (root, mostly), and a
        user running qmoi could not otherwise clean or reuse the job's folders. Best
        effort: an image without ``chown`` or not running as root leaves a warning."""
        self.log(f"Give what it made in {', '.join(folders)} back to {owner[0]}:{owner[1]}")
        try:
            self.run("exec", container, "chown", "-R", f"{owner[0]}:{owner[1]}", *folders)
        except EngineError as error:
            self.log(f"warning: the files the container made stay its user's ({error})")

    def stop(self) -> None:
        """Remove every container this job made, then its network (errors only logged:
        the job's result stands)."""
        for alias, started in self.services.items():
            self.log(f"Print service container logs: {alias}")
            try:
                for line in self._logs(started.id):
                    self.log(line)
            except EngineError as error:
                self.log(f"warning: {error}")
        for container in self._made:
            self.log(f"Stop and remove container: {container[:12]}")
            self._quietly("rm", "--force", container)
        self._made.clear()
        if self.network:
            self._quietly("network", "rm", self.network)
            self.network = ""

    def _logs(self, container: str) -> list[str]:
        argv = [self.engine, "logs", "--details", container]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT,
                                  check=False, errors="replace")
        except (OSError, subprocess.TimeoutExpired) as error:
            raise EngineError(f"{self.engine} logs failed: {error}") from error
        return (done.stdout + done.stderr).splitlines()

    def _quietly(self, *args: str) -> None:
        try:
            self.run(*args)
        except EngineError as error:
            self.log(f"warning: {error}")

    # ------------------------------------------------------------------ contexts

    def context(self) -> dict[str, object]:
        """``job.container`` and ``job.services`` (contexts docs, "job context")."""
        return {
            "container": {"id": self.job.id if self.job else "", "network": self.network},
            "services": {alias: {"id": s.id, "network": self.network, "ports": dict(s.ports)}
                         for alias, s in self.services.items()},
        }


@dataclass(frozen=True, slots=True)
class PathMap:
    """Host paths → the job container's paths, by the longest mounted prefix."""

    mounts: tuple[Mount, ...]

    def translate(self, path: str) -> str:
        best: Mount | None = None
        for mount in self.mounts:
            inside = path == mount.host or path.startswith(mount.host.rstrip("/") + "/")
            if inside and (best is None or len(mount.host) > len(best.host)):
                best = mount
        if best is None:
            return path
        return best.container + path[len(best.host):]


def _registry(image: str) -> str:
    """The registry of an image name: its first part when that looks like a host (has a
    dot or a port, or is localhost), else Docker Hub."""
    first, slash, _ = image.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first
    return "docker.io"


def runner_folders(temp: Path, event: Path) -> tuple[Path, Path]:
    """The folders of ``temp`` (RUNNER_TEMP) a container sees at /github/home and
    /github/workflow, made, the latter with a copy of the ``event`` file."""
    home, workflow = temp / GITHUB_HOME, temp / GITHUB_WORKFLOW
    for folder in (home, workflow):
        folder.mkdir(parents=True, exist_ok=True)
    copy = workflow / "event.json"
    if not copy.exists() and event.exists():
        copy.write_bytes(event.read_bytes())
    return home, workflow
