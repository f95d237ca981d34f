"""``actions/setup-python|node|go|java`` offline: the installed toolchain that satisfies the
version spec (``with: <tool>-version`` or a ``<tool>-version-file``), put first on PATH for
the later steps, with the action's outputs and variables; when none satisfies the spec, a
clear error naming the versions found. Nothing is downloaded.

Outputs and variables as the actions document them: setup-python ``python-version``,
``python-path`` and ``pythonLocation``/``Python_ROOT_DIR``/``Python3_ROOT_DIR``/
``PKG_CONFIG_PATH`` (https://github.com/actions/setup-python/blob/main/docs/advanced-usage.md);
setup-node ``node-version``; setup-go ``go-version``; setup-java ``distribution``,
``version``, ``path`` and ``JAVA_HOME``/``JAVA_HOME_<major>_<ARCH>``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from qmoi.execute.actions.builtin.base import BuiltinError, BuiltinStep, Inputs
from qmoi.execute.actions.builtin.toolchains import Toolchain, installed
from qmoi.execute.actions.builtin.versionfiles import read_version_file
from qmoi.execute.actions.builtin.versions import Version, best, display
from qmoi.execute.envfiles import prepend_paths
from qmoi.execute.job_state import runner_arch
from qmoi.execute.step_kinds import SUCCESS, StepRun


@dataclass(frozen=True, slots=True)
class Tool:
    """A toolchain a ``setup-*`` action finds installed and puts first on PATH."""

    name: str  # python, node, go, java
    label: str  # how the action names it in messages
    shims: tuple[str, ...] = ()  # programs put on PATH through a shim folder


PYTHON = Tool("python", "Python", ("python", "python3", "pip", "pip3"))
NODE = Tool("node", "Node.js", ("node", "npm", "npx", "corepack"))
GO = Tool("go", "Go")
JAVA = Tool("java", "Java")


class SetupStep(BuiltinStep):
    tool: Tool = PYTHON

    def run_main(self, run: StepRun, inputs: Inputs) -> str:
        tool = self.tool
        if run.job.paths is not None:
            # The offline setup picks a toolchain of this machine, which a job container
            # cannot see; GitHub's downloads one into the tool cache, which needs a network.
            raise BuiltinError(f"{tool.label} for a job container: qmoi sets up toolchains "
                               "installed on this machine, which the container cannot see; "
                               f"use an image that has {tool.label}")
        specs = self._specs(run, inputs)
        env = run.process_env()
        found = installed(tool.name, env.get("PATH", os.defpath))
        chosen: Toolchain | None = None
        for spec in specs or [""]:
            chosen = _choose(tool, found, spec)
            self._activate(run, chosen, inputs)
        assert chosen is not None
        run.job.log(run.index, f"Using {tool.label} {display(chosen.version)} from "
                    f"{chosen.executable} (installed on this machine)")
        if inputs.get("cache"):
            run.job.log(run.index, f"cache: {inputs.get('cache')} is not restored offline "
                        "(use actions/cache)")
            run.io.outputs["cache-hit"] = "false"
        return SUCCESS

    def _specs(self, run: StepRun, inputs: Inputs) -> list[str]:
        name = self.tool.name
        given = inputs.lines(f"{name}-version")
        if given:
            return given
        file = inputs.get(f"{name}-version-file")
        if not file and name == "python" and (run.job.folders.workspace
                                              / ".python-version").is_file():
            file = ".python-version"
        if file:
            return [read_version_file(run.job.folders.workspace / file, name)]
        if name == "java":
            raise BuiltinError("Input required and not supplied: java-version")
        return []

    def _activate(self, run: StepRun, chain: Toolchain, inputs: Inputs) -> None:
        job, outputs = run.job, run.io.outputs
        if self.tool.shims:
            folder = _shims(job.folders.tool_cache, self.tool, chain)
            job.path_entries = prepend_paths(job.path_entries, [str(folder)])
        else:
            job.path_entries = prepend_paths(job.path_entries, [str(chain.home / "bin")])
        version = display(chain.version)
        if self.tool is PYTHON:
            outputs.update({"python-version": version, "python-path": str(chain.executable)})
            home = str(chain.home)
            job.github_env.update(pythonLocation=home, Python_ROOT_DIR=home,
                                  Python2_ROOT_DIR=home, Python3_ROOT_DIR=home,
                                  PKG_CONFIG_PATH=str(chain.home / "lib" / "pkgconfig"))
        elif self.tool is NODE:
            outputs["node-version"] = f"v{version}"
        elif self.tool is GO:
            outputs["go-version"] = version
        else:
            home = str(chain.home)
            job.github_env.update(JAVA_HOME=home)
            job.github_env[f"JAVA_HOME_{chain.version[0]}_{runner_arch()}"] = home
            outputs.update(distribution=inputs.get("distribution"), version=version,
                           path=home)


class SetupPython(SetupStep):
    tool = PYTHON


class SetupNode(SetupStep):
    tool = NODE


class SetupGo(SetupStep):
    tool = GO


class SetupJava(SetupStep):
    tool = JAVA


def _normal(tool: Tool, version: Version) -> Version:
    """Java 8 calls itself 1.8.0: setup-java's ``8`` means it."""
    if tool is JAVA and len(version) > 1 and version[0] == 1:
        return version[1:]
    return version


def _choose(tool: Tool, found: list[Toolchain], spec: str) -> Toolchain:
    by_version: dict[Version, Toolchain] = {}
    for chain in found:
        by_version.setdefault(_normal(tool, chain.version), chain)
    try:
        version = best(list(by_version), spec)
    except ValueError as error:
        raise BuiltinError(f"actions/setup-{tool.name}: {error}") from None
    if version is None:
        have = ", ".join(display(v) for v in sorted(by_version)) or "none"
        raise BuiltinError(f"actions/setup-{tool.name}: {tool.label} {spec or '(any)'} is not "
                           f"installed on this machine (found: {have}); qmoi uses local "
                           "toolchains only: install a matching version or change the spec")
    chain = by_version[version]
    return Toolchain(version, chain.executable, chain.home)


def _shims(tool_cache: Path, tool: Tool, chain: Toolchain) -> Path:
    """A folder of small scripts that run this toolchain's programs, so ``python`` (or
    ``npm``) means the chosen version without putting all of, say, /usr/bin first."""
    tag = hashlib.sha256(str(chain.executable).encode()).hexdigest()[:10]
    folder = tool_cache / "qmoi-setup" / tool.name / f"{display(chain.version)}-{tag}" / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    for name in tool.shims:
        target = _shim_target(tool, chain, name)
        if target is not None:
            _write_shim(folder / name, target)
    if tool is PYTHON:
        short = f"python{chain.version[0]}.{chain.version[1]}" if len(chain.version) > 1 \
            else "python3"
        _write_shim(folder / short, f"exec '{chain.executable}' \"$@\"")
    return folder


def _shim_target(tool: Tool, chain: Toolchain, name: str) -> str | None:
    if tool is PYTHON:
        if name.startswith("pip"):
            return f"exec '{chain.executable}' -m pip \"$@\""
        return f"exec '{chain.executable}' \"$@\""
    program = chain.executable.parent / name
    return f"exec '{program}' \"$@\"" if program.exists() else None


def _write_shim(path: Path, body: str) -> None:
    text = f"#!/bin/sh\n{body}\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(text, encoding="utf-8")
    temp.chmod(0o755)
    os.replace(temp, path)
