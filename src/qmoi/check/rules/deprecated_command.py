"""C802 deprecated-command."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, FixAvailability, Rule
from qmoi.check.registry import register
from qmoi.check.shell_util import (
    POSIX_OS,
    WINDOWS_OS,
    RunScript,
    action_scripts,
    posix_commands,
    workflow_scripts,
)
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.expr.yamlspan import offset_table
from qmoi.model import build_action
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span

# ``::name name=NAME::value`` and the legacy ``##[name name=NAME;]value`` (command names are
# case-insensitive: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands).
_COMMAND = re.compile(
    r"::(?P<c1>set-output|save-state|set-env)[ \t]+name=(?P<n1>[^\s:,;'\"\\%]+)::"
    r"|::(?P<p1>add-path)::"
    r"|##\[(?P<c2>set-output|save-state|set-env)[ \t]+name=(?P<n2>[^\s:,;'\"\\%\]]+);?\]"
    r"|##\[(?P<p2>add-path)\]",
    re.IGNORECASE,
)
# The runner unescapes these in a command (not in an environment file), so a script that
# writes them means a different value after the rewrite.
_ESCAPES = re.compile(r"%(25|0A|0D|3A|2C)", re.IGNORECASE)
_TARGET = {"set-output": "GITHUB_OUTPUT", "save-state": "GITHUB_STATE",
           "set-env": "GITHUB_ENV", "add-path": "GITHUB_PATH"}
_DISABLED = ("set-env", "add-path")
_ECHO_FLAGS = re.compile(r"-[eE]+")
_PWSH_LINE = re.compile(
    r"[ \t]*(?P<cmd>echo|write-output|write-host)[ \t]+"
    r"(?P<q>\"[^\"`]*\"|'[^']*')[ \t]*", re.IGNORECASE)
_CMD_LINE = re.compile(r"[ \t]*@?echo[ \t]+[^\s&|<>^\"]+(?:[ \t]+[^\s&|<>^\"]+)*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Found:
    """A workflow command in a ``run:`` value: which one, and where its prefix and ``NAME`` lie for
    the rewrite."""

    command: str  # lowercase command name
    start: int  # value offsets of the whole ``::cmd name=NAME::`` prefix
    end: int
    name_end: int  # end of NAME (== start for add-path)
    name_start: int


@register
class DeprecatedCommand(Rule):
    """A ``run:`` script that prints a deprecated or disabled workflow command.

    What:
        Finds ``::set-output``, ``::save-state``, ``::set-env`` and ``::add-path`` (also
        with the legacy ``##[…]`` prefix) in ``run:`` scripts of workflows and composite
        actions. ``set-output`` and ``save-state`` are deprecated (warning); ``set-env``
        and ``add-path`` are disabled (error), unless ``ACTIONS_ALLOW_UNSECURE_COMMANDS``
        is set to true, which re-opens the hole they were closed for (then a warning).

    Why:
        Disabled commands fail the step ("Unable to process command"); deprecated ones
        print a warning on every run and are due to be disabled as well. Environment files
        replace them: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/
        and https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - id: v
                run: echo "::set-output name=version::1.2.3"

    Fix safety:
        Safe: an ``echo``/``printf`` line is rewritten to append to the environment file,
        keeping the shell's quoting — ``echo "::set-output name=N::V"`` becomes
        ``echo "N=V" >> "$GITHUB_OUTPUT"`` (``$GITHUB_STATE``, ``$GITHUB_ENV``; add-path
        writes ``echo "V" >> "$GITHUB_PATH"``); in pwsh ``"N=V" >> $env:GITHUB_OUTPUT``,
        in Windows PowerShell ``"N=V" | Out-File -FilePath $env:GITHUB_OUTPUT -Encoding
        utf8 -Append``, in cmd ``echo N=V>> %GITHUB_OUTPUT%``. One edge stays: a value
        with a line break kept only its first line as a command, while in the file the
        next line is read as a new entry — the simple form is still what GitHub documents.
        No fix when the line is anything else (a pipe, a redirection, ``echo -n``, a
        printf format without ``\\n``, a subshell, ``%0A``-style escapes, a heredoc before
        it, a Python or custom shell) or when the ``run:`` text cannot be edited in place
        (escapes in a quoted YAML scalar).
    """

    code = "C802"
    name = "deprecated-command"
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    fix_availability: ClassVar[FixAvailability] = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        for script in workflow_scripts(ctx.workflow):
            _check(ctx, script)

    def action(self, ctx: Context, root: Mapping) -> None:
        for script in action_scripts(build_action(root, ctx.source)):
            _check(ctx, script)


def _find(value: str) -> list[_Found]:
    found: list[_Found] = []
    for m in _COMMAND.finditer(value):
        group = next(g for g in ("c1", "p1", "c2", "p2") if m.group(g))
        name = "n1" if group == "c1" else "n2" if group == "c2" else None
        ns, ne = (m.start(name), m.end(name)) if name else (m.end(), m.end())
        found.append(_Found(m.group(group).lower(), m.start(), m.end(), ne, ns))
    return found


def _check(ctx: Context, script: RunScript) -> None:
    value = script.run.value
    if "::" not in value and "##[" not in value:
        return
    for item in _find(value):
        _report(ctx, script, item)


def _allowed_insecure(script: RunScript) -> bool:
    for owner in script.env_chain:
        entry = None if owner is None else owner.env.get("ACTIONS_ALLOW_UNSECURE_COMMANDS")
        if entry is not None and (entry.value or "").strip().lower() == "true":
            return True
    return False


def _report(ctx: Context, script: RunScript, item: _Found) -> None:
    target = _TARGET[item.command]
    shown = "NAME=VALUE" if item.command != "add-path" else "DIR"
    if item.command in _DISABLED and not _allowed_insecure(script):
        message = (f'workflow command "{item.command}" is disabled and fails the step; '
                   f'append "{shown}" to ${target} instead')
        severity = Severity.ERROR
    elif item.command in _DISABLED:
        message = (f'workflow command "{item.command}" only works because '
                   "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables insecure commands; append "
                   f'"{shown}" to ${target} instead')
        severity = Severity.WARNING
    else:
        message = (f'workflow command "{item.command}" is deprecated; append "{shown}" '
                   f"to ${target} instead")
        severity = Severity.WARNING
    table = offset_table(script.run, ctx.source)
    span = Span(table[item.start], table[item.end - 1] + 1)
    ctx.report(span, message, severity=severity, fix=_fix(ctx, script, item, table))


def _fix(ctx: Context, script: RunScript, item: _Found, table: list[int]) -> Fix | None:
    value = script.run.value
    if _ESCAPES.search(value):
        return None
    kind = _shell_kind(script)
    edits: list[tuple[int, int, str]] | None = None
    if kind == "posix":
        edits = _posix_edits(value, item)
    elif kind in ("pwsh", "powershell"):
        edits = _pwsh_edits(value, item, kind)
    elif kind == "cmd":
        edits = _cmd_edits(value, item)
    if edits is None:
        return None
    mapped = _to_source(ctx, script.run, table, edits)
    if mapped is None:
        return None
    target = _TARGET[item.command]
    return Fix(f"write to ${target} instead of ::{item.command}", FixSafety.SAFE, mapped)


def _shell_kind(script: RunScript) -> str | None:
    name = script.shell_name
    if script.shell is None:
        if script.oses <= POSIX_OS:
            return "posix"
        return "pwsh" if script.oses == WINDOWS_OS else None
    return {"bash": "posix", "sh": "posix", "pwsh": "pwsh", "powershell": "powershell",
            "cmd": "cmd"}.get(name or "")


def _core_edits(value: str, item: _Found) -> list[tuple[int, int, str]]:
    """Drop the command prefix and turn the ``::`` after the name into ``=``."""
    if item.command == "add-path":
        return [(item.start, item.end, "")]
    return [(item.start, item.name_start, ""), (item.name_end, item.end, "=")]


def _posix_edits(value: str, item: _Found) -> list[tuple[int, int, str]] | None:
    command = posix_commands(value).command_at(item.start)
    if command is None or command.redirected or command.piped:
        return None
    words = command.words
    name = value[words[0][0]:words[0][1]]
    index = 1
    if name == "echo":
        while index < len(words) and _ECHO_FLAGS.fullmatch(value[slice(*words[index])]):
            index += 1
    elif name != "printf":
        return None
    if index >= len(words):
        return None
    start = words[index][0]
    # Unquoted, ``::set-output name=N::`` spans two words; the rewrite joins them.
    if value[start:item.start] not in ("", '"', "'") or item.end > words[-1][1]:
        return None
    word = value[start:next(e for s, e in words if e >= item.end)]
    if name == "printf" and not (word.endswith(("\\n\"", "\\n'")) and "%" not in
                                 value[item.name_start:item.name_end]):
        return None
    if value[item.name_start:item.name_end].startswith("-"):
        return None
    tail = words[-1][1]
    return [*_core_edits(value, item), (tail, tail, f' >> "${_TARGET[item.command]}"')]


def _line_of(value: str, offset: int) -> tuple[int, int]:
    start = value.rfind("\n", 0, offset) + 1
    end = value.find("\n", offset)
    return start, len(value) if end < 0 else end


def _pwsh_edits(value: str, item: _Found, kind: str) -> list[tuple[int, int, str]] | None:
    start, end = _line_of(value, item.start)
    m = _PWSH_LINE.fullmatch(value, start, end)
    if m is None or m.start("q") != item.start - 1:
        return None
    tail = m.end("q")
    target = _TARGET[item.command]
    append = (f" >> $env:{target}" if kind == "pwsh"
              else f" | Out-File -FilePath $env:{target} -Encoding utf8 -Append")
    edits = [*_core_edits(value, item), (tail, tail, append)]
    if m.group("cmd").lower() == "write-host":
        # Write-Host bypasses the output stream, so a redirection would not catch it.
        edits.insert(0, (m.start("cmd"), m.end("cmd"), "Write-Output"))
    return edits


def _cmd_edits(value: str, item: _Found) -> list[tuple[int, int, str]] | None:
    start, end = _line_of(value, item.start)
    line = value[start:end].rstrip("\r")
    if _CMD_LINE.fullmatch(line) is None or line != line.rstrip() or line[-1:].isdigit():
        return None
    if value[start:item.start].strip().lstrip("@").lower() != "echo":
        return None
    tail = start + len(line)
    return [*_core_edits(value, item), (tail, tail, f">> %{_TARGET[item.command]}%")]


def _to_source(ctx: Context, run: Scalar, table: list[int],
               edits: list[tuple[int, int, str]]) -> tuple[Edit, ...] | None:
    """Value-offset edits as source edits; None unless each replaced range maps one to one
    onto the same characters in the file, and inserted text needs no YAML escaping."""
    text, value = ctx.source.text, run.value
    result: list[Edit] = []
    for start, end, new in edits:
        new = _encode(new, run.style)
        if end > start:
            begin = table[start]
            if any(table[i + 1] != table[i] + 1 for i in range(start, end - 1)):
                return None
            stop = table[end - 1] + 1
            if text[begin:stop] != value[start:end]:
                return None
        else:
            if start == 0:
                return None
            begin = stop = table[start - 1] + 1
            if text[table[start - 1]] != value[start - 1]:
                return None
        result.append(Edit(Span(begin, stop), new))
    return tuple(result)


def _encode(new: str, style: str) -> str:
    """Inserted text as the scalar's style writes it (none of ours has a line break)."""
    if style == '"':
        return new.replace("\\", "\\\\").replace('"', '\\"')
    if style == "'":
        return new.replace("'", "''")
    return new
