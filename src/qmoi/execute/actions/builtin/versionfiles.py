"""Version files the setup-* actions read: ``.python-version``, ``.nvmrc``,
``.node-version``, ``.java-version``, ``.tool-versions`` (asdf), ``go.mod`` (``toolchain``
wins over ``go``), ``package.json`` (``volta.node``, else ``engines.node``) and
``pyproject.toml`` (``project.requires-python``)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from qmoi.execute.actions.builtin.base import BuiltinError

_ASDF = {"python": ("python",), "node": ("nodejs", "node"), "go": ("golang", "go"),
         "java": ("java",)}


def read_version_file(path: Path, tool: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise BuiltinError(f"actions/setup-{tool}: the version file {path.name} was not "
                           "found in the workspace") from None
    spec = _spec(path.name, text, tool)
    if not spec:
        raise BuiltinError(f"actions/setup-{tool}: no {tool} version in {path.name}")
    return spec


def _spec(name: str, text: str, tool: str) -> str:
    if name == "go.mod":
        found = re.search(r"^toolchain\s+go(\S+)", text, re.M) or re.search(
            r"^go\s+(\S+)", text, re.M)
        return found.group(1) if found else ""
    if name == "package.json":
        try:
            data = json.loads(text)
        except ValueError:
            return ""
        node = (data.get("volta") or {}).get("node") or (data.get("engines") or {}).get("node")
        return str(node or "")
    if name == "pyproject.toml":
        try:
            return str(tomllib.loads(text).get("project", {}).get("requires-python", ""))
        except tomllib.TOMLDecodeError:
            return ""
    if name == ".tool-versions":
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] in _ASDF.get(tool, (tool,)):
                return parts[1]
        return ""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            return line.removeprefix("v")
    return ""
