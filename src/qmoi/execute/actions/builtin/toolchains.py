"""The toolchains installed on this machine, for the setup-* actions: each candidate
executable on PATH (and, for Java, under ``/usr/lib/jvm``), asked for its version once per
process. A candidate that fails to answer (a pyenv shim of an uninstalled version, say) is
left out."""

from __future__ import annotations

import os
import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from qmoi.execute.actions.builtin.versions import Version, parse_version

_PYTHON = re.compile(r"python(3(\.\d+)?)?")
_PROBE = ("import sys; print(sys.version.split()[0]); print(sys.executable); "
          "print(sys.prefix)")
_LOCK = threading.Lock()
_FOUND: dict[tuple[str, str], list[Toolchain]] = {}


@dataclass(frozen=True, slots=True)
class Toolchain:
    """``executable`` runs it; ``home`` is its installation (prefix, GOROOT, JAVA_HOME)."""

    version: Version
    executable: Path
    home: Path


def _ask(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (done.stdout + done.stderr) if done.returncode == 0 else None


def _on_path(path: str, accept: re.Pattern[str]) -> list[Path]:
    found: list[Path] = []
    for folder in path.split(os.pathsep):
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for name in names:
            candidate = Path(folder or ".", name)
            if accept.fullmatch(name) and os.access(candidate, os.X_OK) and candidate.is_file():
                found.append(candidate)
    return found


def _python_candidates(path: str) -> list[Path]:
    """Real interpreters: PATH entries (not pyenv's shims, which start pyenv and may fail
    slowly) and the versions pyenv and the hosted tool cache keep, each once."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = [c for c in _on_path(path, _PYTHON) if c.parent.name != "shims"]
    found += sorted(pyenv.glob("versions/*/bin/python3"))
    found += sorted(Path("/opt/hostedtoolcache/Python").glob("*/*/bin/python3"))
    unique: dict[Path, None] = {}
    for candidate in found:
        unique.setdefault(candidate.resolve(), None)
    return list(unique)


def _probe_python(candidate: Path) -> Toolchain | None:
    lines = (_ask([str(candidate), "-c", _PROBE]) or "").splitlines()
    version = parse_version(lines[0]) if len(lines) >= 3 else None
    return None if version is None else Toolchain(version, candidate, Path(lines[2]))


def _python(path: str) -> list[Toolchain]:
    candidates = _python_candidates(path)
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(candidates)))) as pool:
        return [chain for chain in pool.map(_probe_python, candidates) if chain is not None]


def _single(path: str, name: str, argv: list[str], home_up: int) -> list[Toolchain]:
    chains: dict[str, Toolchain] = {}
    for candidate in _on_path(path, re.compile(re.escape(name))):
        real = candidate.resolve()
        version = parse_version(_ask([str(real), *argv]) or "")
        if version is not None and str(real) not in chains:
            chains[str(real)] = Toolchain(version, real, real.parents[home_up])
    return list(chains.values())


def _java(path: str) -> list[Toolchain]:
    jvm = Path("/usr/lib/jvm")
    extra = [str(p / "bin") for p in sorted(jvm.glob("*")) if (p / "bin" / "java").is_file()] \
        if jvm.is_dir() else []
    chains = _single(os.pathsep.join([path, *extra]), "java", ["-version"], 1)
    # .../jre/bin/java belongs to the JDK one level up
    return [Toolchain(c.version, c.executable,
                      c.home.parent if c.home.name == "jre" else c.home) for c in chains]


def installed(tool: str, path: str) -> list[Toolchain]:
    """The ``tool`` installations (python, node, go, java) found on ``path``."""
    key = (tool, path)
    with _LOCK:
        if key in _FOUND:
            return _FOUND[key]
    if tool == "python":
        chains = _python(path)
    elif tool == "node":
        chains = _single(path, "node", ["--version"], 1)
    elif tool == "go":
        chains = _single(path, "go", ["version"], 1)
    else:
        chains = _java(path)
    with _LOCK:
        _FOUND[key] = chains
    return chains
