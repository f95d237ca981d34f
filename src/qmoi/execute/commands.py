"""Workflow commands in step output: ``::name k=v,k=v::data`` and the legacy
``##[name k=v;k=v]data``, parsed and escaped exactly as the runner and the toolkit do.

Sources: R:src/Runner.Common/ActionCommand.cs (``TryParseV2``/``TryParse`` and the
unescape tables), TK:packages/core/src/command.ts (the escaping side), documented at
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
The stateful part (stop-commands, echo, what each command does) is command_processor.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qmoi.execute._dotnet import split_remove_empty, trim, trim_start

# Every command the runner registers (ActionCommandManager.Initialize); any other name
# is not a command and the line is printed as is. ``internal-set-repo-path`` is only
# registered while a runner plugin runs, never for user steps.
REGISTERED_COMMANDS = frozenset(
    {
        "stop-commands",
        "set-env",
        "set-output",
        "save-state",
        "add-mask",
        "add-path",
        "add-matcher",
        "remove-matcher",
        "debug",
        "warning",
        "error",
        "notice",
        "group",
        "endgroup",
        "echo",
    }
)

# Unescaping runs these replacements in order (``%25`` last, so ``%250A`` stays ``%0A``).
_DATA_UNESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY_UNESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
_LEGACY_UNESCAPES = (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%"))
_V2_KEY = "::"
_LEGACY_PREFIX = "##["


@dataclass(frozen=True, slots=True)
class WorkflowCommand:
    """One parsed command. ``name`` keeps the case it was written in; property keys are
    stored lower-cased because the runner looks them up case-insensitively."""

    name: str
    properties: tuple[tuple[str, str], ...]
    data: str
    legacy: bool = False

    @property
    def key(self) -> str:
        """The case-folded command name used for dispatch."""
        return self.name.lower()

    def get(self, prop: str) -> str | None:
        """A property value, case-insensitively (the last duplicate wins, as in .NET)."""
        wanted = prop.lower()
        found: str | None = None
        for key, value in self.properties:
            if key == wanted:
                found = value
        return found


def escape_data(text: str) -> str:
    """``escapeData`` of the toolkit: what a tool prints so the runner reads ``text``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """``escapeProperty`` of the toolkit: ``escape_data`` plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def unescape_data(text: str) -> str:
    """``ActionCommand.UnescapeData``."""
    return _replace_all(text, _DATA_UNESCAPES)


def unescape_property(text: str) -> str:
    """``ActionCommand.UnescapeProperty``."""
    return _replace_all(text, _PROPERTY_UNESCAPES)


def unescape_legacy(text: str) -> str:
    """``ActionCommand.Unescape`` (the ``##[...]`` form: also ``%3B`` and ``%5D``)."""
    return _replace_all(text, _LEGACY_UNESCAPES)


def format_command(name: str, properties: Iterable[tuple[str, str]] = (), data: str = "") -> str:
    """The toolkit's ``issueCommand`` line for ``name`` (the inverse of ``parse_command``)."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    head = f"{name} {props}" if props else name
    return f"::{head}::{escape_data(data)}"


def parse_command(
    line: str, registered: Iterable[str] = REGISTERED_COMMANDS
) -> WorkflowCommand | None:
    """The command on ``line``, or None when the runner would print the line as is.

    The ``::`` form is tried first, then the legacy ``##[`` form, like
    ``ActionCommandManager.TryProcessCommand``; ``registered`` is compared
    case-insensitively (it grows by the active stop token while commands are stopped).
    """
    if not line:
        return None
    names = {name.lower() for name in registered}
    return _parse_v2(line, names) or _parse_legacy(line, names)


def _parse_v2(line: str, names: set[str]) -> WorkflowCommand | None:
    message = trim_start(line)
    if not message.startswith(_V2_KEY):
        return None
    end = message.find(_V2_KEY, len(_V2_KEY))
    if end < 0:
        return None
    info = message[len(_V2_KEY) : end]
    name, space, rest = info.partition(" ")
    if name.lower() not in names:
        return None
    properties: list[tuple[str, str]] = []
    if space and name:
        for item in split_remove_empty(trim(rest), ","):
            pair = split_remove_empty(item, "=", 2)
            if len(pair) == 2:
                properties.append((pair[0].lower(), unescape_property(pair[1])))
    data = unescape_data(message[end + len(_V2_KEY) :])
    return WorkflowCommand(name, tuple(properties), data)


def _parse_legacy(line: str, names: set[str]) -> WorkflowCommand | None:
    # The legacy prefix may appear anywhere in the line, not only at its start.
    start = line.find(_LEGACY_PREFIX)
    if start < 0:
        return None
    close = line.find("]", start)
    if close < 0:
        return None
    info = line[start + len(_LEGACY_PREFIX) : close]
    name, space, rest = info.partition(" ")
    if name.lower() not in names:
        return None
    properties: list[tuple[str, str]] = []
    if space and name:
        for item in split_remove_empty(rest, ";"):
            pair = split_remove_empty(item, "=", 2)
            if len(pair) == 2:
                properties.append((pair[0].lower(), unescape_legacy(pair[1])))
    return WorkflowCommand(name, tuple(properties), unescape_legacy(line[close + 1 :]), True)


def _replace_all(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for escaped, plain in table:
        text = text.replace(escaped, plain)
    return text
