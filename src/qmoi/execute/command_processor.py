"""What the runner does with each workflow command in a step's output, as a small
stateful object that turns lines into typed effects (no I/O; the caller applies them).

Source: R:src/Runner.Worker/ActionCommandManager.cs (``TryProcessCommand``, every command
extension, ``ValidateStopToken``, ``ValidateLinesAndColumns``) and the messages in
R:src/Runner.Common/Constants.cs; documented at
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Literal

from qmoi.execute._dotnet import (
    WHITESPACE,
    bool_try_parse,
    convert_to_boolean,
    int_try_parse,
    is_null_or_whitespace,
    trim,
)
from qmoi.execute.commands import REGISTERED_COMMANDS, WorkflowCommand, parse_command

Level = Literal["error", "warning", "notice"]

UNSECURE_COMMAND_DISABLED = (
    "The `{0}` command is disabled. Please upgrade to using Environment Files or opt into "
    "unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment "
    "variable to `true`. For more information see: "
    "https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/"
)
DEPRECATED_COMMAND = (
    "The `{0}` command is deprecated and will be disabled soon. Please upgrade to using "
    "Environment Files. For more information see: "
    "https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/"
)
STOP_TOKEN_DISABLED = (
    "You cannot use a endToken that is an empty string, the string 'pause-logging', or another "
    "workflow command. For more information see: "
    "https://docs.github.com/actions/learn-github-actions/workflow-commands-for-github-actions"
    "#example-stopping-and-starting-workflow-commands or opt into insecure command execution "
    "by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`."
)
_BLOCKED_ENV = ("NODE_OPTIONS",)
_PAUSED = "Paused processing commands until the token you called ::stopCommands:: with is received"
# Commands whose line is never echoed (their data may be a secret or is shown otherwise).
_OMIT_ECHO = frozenset({"add-mask", "debug", "warning", "error", "notice"})
_LEVELS: dict[str, Level] = {"error": "error", "warning": "warning", "notice": "notice"}
# The start of a line whose ``::`` form parse_command may read: "::" after .NET white space
_V2_LINE = re.compile("\n[" + re.escape("".join(sorted(WHITESPACE - {"\n"}))) + "]*::")


@dataclass(frozen=True, slots=True)
class Annotation:
    """An issue shown on the run; ``line``/``col`` are 1-based, None when absent."""

    level: Level
    message: str
    file: str | None = None
    line: int | None = None
    end_line: int | None = None
    col: int | None = None
    end_column: int | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class LogLine:
    """A line the runner writes to the step log (echoed commands, group markers)."""

    text: str


@dataclass(frozen=True, slots=True)
class Debug:
    """A debug message, shown only when step debug logging is on."""

    message: str


@dataclass(frozen=True, slots=True)
class AddMask:
    """A value to mask from now on (register it with ``SecretMasker.add_secret``)."""

    value: str


@dataclass(frozen=True, slots=True)
class SetOutput:
    """The deprecated ``set-output``: a step output (``GITHUB_OUTPUT`` replaces it)."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class SaveState:
    """The deprecated ``save-state``: a value the action's post part reads as ``STATE_<name>``."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class SetEnv:
    """The disabled-by-default ``set-env`` (only when unsecure commands are allowed)."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class AddPath:
    """The disabled-by-default ``add-path`` (apply with ``envfiles.prepend_paths``)."""

    path: str


@dataclass(frozen=True, slots=True)
class AddMatcher:
    """``add-matcher``: a problem-matcher file to register for the rest of the job."""

    file: str


@dataclass(frozen=True, slots=True)
class RemoveMatcher:
    """``remove-matcher``: a problem matcher to drop, named by its owner or its file."""

    owner: str | None
    file: str | None


Effect = (
    Annotation | LogLine | Debug | AddMask | SetOutput | SaveState | SetEnv | AddPath
    | AddMatcher | RemoveMatcher
)


@dataclass(frozen=True, slots=True)
class LineResult:
    """``is_command``: the line was consumed (the caller must not print it raw);
    ``failed``: a command failed, which fails the step."""

    is_command: bool
    effects: tuple[Effect, ...] = ()
    failed: bool = False


_PLAIN = LineResult(False)


class _CommandError(Exception):
    """A command extension threw: the step fails with this message."""


@dataclass(slots=True)
class CommandProcessor:
    """One step's command state (the runner keeps one per step's output managers).

    ``echo`` starts as the step-debug setting; ``allow_unsecure_commands`` and
    ``allow_unsecure_stop_tokens`` are the opt-ins (see ``unsecure_opt_ins``);
    ``workspace``/``repository`` rewrite annotation files relative to the repository.
    """

    echo: bool = False
    allow_unsecure_commands: bool = False
    allow_unsecure_stop_tokens: bool = False
    deprecate_output_commands: bool = True
    workspace: str | None = None
    repository: str | None = None
    stop_token: str | None = field(default=None, init=False)

    def process(self, line: str) -> LineResult:
        """Handle one output line (stdout or stderr, without its newline)."""
        if "::" not in line and "##[" not in line:
            return _PLAIN  # no command form can match (commands.parse_command): most lines
        registered = set(REGISTERED_COMMANDS)
        if self.stop_token is not None:
            registered.add(self.stop_token)
        command = parse_command(line, registered)
        if command is None:
            return LineResult(False)
        if self.stop_token is not None:
            return self._while_stopped(command, line)
        if command.key == "stop-commands":
            return self._stop(command, line)
        echo: tuple[Effect, ...] = ()
        if self.echo and command.key not in _OMIT_ECHO:
            echo = (LogLine(line),)
        try:
            return LineResult(True, echo + self._run(command))
        except _CommandError as error:
            # (The runner names only the command for never-echoed ones, none of which fail.)
            failure = (
                Annotation("error", f"Unable to process command '{line}' successfully."),
                Annotation("error", str(error)),
            )
            return LineResult(True, echo + failure, failed=True)

    def _while_stopped(self, command: WorkflowCommand, line: str) -> LineResult:
        if self.stop_token and command.key == self.stop_token.lower():
            self.stop_token = None
            return LineResult(True, (LogLine(line), Debug("Resume processing commands")))
        return LineResult(False)

    def _stop(self, command: WorkflowCommand, line: str) -> LineResult:
        token = command.data
        weak = not token or token.lower() in REGISTERED_COMMANDS or token.lower() == "pause-logging"
        if weak and not self.allow_unsecure_stop_tokens:
            # The runner throws here; the step fails and commands keep being processed.
            return LineResult(True, (Annotation("error", STOP_TOKEN_DISABLED),), failed=True)
        effects: list[Effect] = []
        if len(token) > 6:
            # A long token is treated as a secret so nobody can read it from the log.
            effects.append(AddMask(token))
        self.stop_token = token
        effects += [LogLine(line), Debug(_PAUSED)]
        return LineResult(True, tuple(effects))

    def _run(self, command: WorkflowCommand) -> tuple[Effect, ...]:
        key = command.key
        if key in ("error", "warning", "notice"):
            return (self._annotation(command),)
        if key == "group":
            return (LogLine(f"##[group]{command.data}"),)
        if key == "endgroup":
            return (LogLine("##[endgroup]"),)
        if key == "debug":
            return (Debug(command.data),)
        if key == "add-mask":
            return self._add_mask(command)
        if key == "echo":
            return self._echo(command)
        if key in ("set-output", "save-state"):
            return self._deprecated_pair(command)
        if key in ("set-env", "add-path"):
            return self._unsecure(command)
        return self._matcher(command)

    def _add_mask(self, command: WorkflowCommand) -> tuple[Effect, ...]:
        if is_null_or_whitespace(command.data):
            message = "Can't add secret mask for empty string in ##[add-mask] command."
            return (Annotation("warning", message),)
        shown: tuple[Effect, ...] = (LogLine("::add-mask::***"),) if self.echo else ()
        return (*shown, AddMask(command.data))

    def _echo(self, command: WorkflowCommand) -> tuple[Effect, ...]:
        _require(command.data, "value")
        setting = trim(command.data).upper()
        if setting not in ("ON", "OFF"):
            raise _CommandError(
                "Invalid echo command value. Possible values can be: 'on', 'off'. "
                f"Current value is: '{command.data}'."
            )
        self.echo = setting == "ON"
        return (Debug(f"Setting echo command value to '{setting.lower()}'"),)

    def _deprecated_pair(self, command: WorkflowCommand) -> tuple[Effect, ...]:
        effects: list[Effect] = []
        if self.deprecate_output_commands:
            effects.append(Annotation("warning", DEPRECATED_COMMAND.format(command.key)))
        name = command.get("name")
        if not name:
            raise _CommandError(f"Required field 'name' is missing in ##[{command.key}] command.")
        if command.key == "set-output":
            effects.append(SetOutput(name, command.data))
        else:
            effects.append(SaveState(name, command.data))
        return tuple(effects)

    def _unsecure(self, command: WorkflowCommand) -> tuple[Effect, ...]:
        if not self.allow_unsecure_commands:
            raise _CommandError(UNSECURE_COMMAND_DISABLED.format(command.key))
        if command.key == "add-path":
            _require(command.data, "path")
            return (AddPath(command.data),)
        name = command.get("name")
        if not name:
            raise _CommandError("Required field 'name' is missing in ##[set-env] command.")
        for blocked in _BLOCKED_ENV:
            if name.lower() == blocked.lower():
                message = f"Can't update {blocked} environment variable using ::set-env:: command."
                return (Annotation("error", message),)
        return (SetEnv(name, command.data),)

    def _matcher(self, command: WorkflowCommand) -> tuple[Effect, ...]:
        if command.key == "add-matcher":
            if not command.data:
                return (Annotation("warning", "File path must be specified."),)
            return (AddMatcher(self._rooted(command.data)),)
        owner = command.get("owner") or None
        file = command.data or None
        if owner and file:
            message = (
                "Either specify an owner name or a file path in ##[remove-matcher] command. "
                "Both values cannot be set."
            )
            return (Annotation("warning", message),)
        if not owner and not file:
            message = (
                "Either an owner name or a file path must be specified in ##[remove-matcher] "
                "command."
            )
            return (Annotation("warning", message),)
        return (RemoveMatcher(owner, self._rooted(file) if file else None),)

    def _rooted(self, path: str) -> str:
        if self.workspace and not posixpath.isabs(path):
            return posixpath.join(self.workspace, path)
        return path

    def _annotation(self, command: WorkflowCommand) -> Annotation:
        level = _LEVELS[command.key]
        line, end_line, col, end_col = validate_lines_and_columns(
            command.get("line"), command.get("endline"), command.get("col"),
            command.get("endcolumn"),
        )
        file = command.get("file") or None
        if file and self.workspace:
            file = relative_to_workspace(file, self.workspace)
        return Annotation(
            level, command.data, file, int_try_parse(line), int_try_parse(end_line),
            int_try_parse(col), int_try_parse(end_col), command.get("title") or None,
        )


def command_lines(lines: list[str]) -> list[int]:
    """The indices, in order, of the lines that may hold a workflow command: the others are
    printed as they are whatever the processor's state, as ``parse_command`` reads a
    command only from a line starting with ``::`` after white space, or holding ``##[``.
    One scan of the lines' text finds them: a test per line in Python cost more than the
    rest of a plain line's way, for output with ``::`` in most lines (C++, Rust)."""
    text = "\n" + "\n".join(lines)  # each line after a "\n"
    starts = [found.start() for found in _V2_LINE.finditer(text)]
    legacy = text.find("##[")
    while legacy >= 0:
        starts.append(text.rfind("\n", 0, legacy))
        legacy = text.find("##[", legacy + 3)
    indices: list[int] = []
    index, counted = -1, 0  # the line starting at counted, the "\n" before line 0 is at 0
    for start in sorted(set(starts)):
        index += text.count("\n", counted, start + 1)
        counted = start + 1
        indices.append(index)
    return indices


def validate_lines_and_columns(
    line: str | None, end_line: str | None, col: str | None, end_col: str | None
) -> tuple[str | None, str | None, str | None, str | None]:
    """``IssueCommandExtension.ValidateLinesAndColumns``: fill a missing start from its end,
    drop columns without a line or across lines, drop backwards ranges. Like the runner it
    compares ``line != endLine`` as strings and keeps the *parsed* start numbers."""
    line_no, end_line_no = int_try_parse(line), int_try_parse(end_line)
    col_no, end_col_no = int_try_parse(col), int_try_parse(end_col)
    has_line, has_end_line = line_no is not None, end_line_no is not None
    has_col, has_end_col = col_no is not None, end_col_no is not None
    has_column = has_col or has_end_col
    if has_end_line and not has_line:
        line, has_line = end_line, True
    if has_end_col and not has_col:
        col, has_col = end_col, True
    if not has_line and has_column:
        col = end_col = None
    if has_end_line and line != end_line and has_column:
        col = end_col = None
    if has_line and has_end_line and (end_line_no or 0) < (line_no or 0):
        line = end_line = None
    if has_col and has_end_col and (end_col_no or 0) < (col_no or 0):
        col = end_col = None
    return line, end_line, col, end_col


def relative_to_workspace(file: str, workspace: str) -> str:
    """``IOUtil.MakeRelative`` then ``/`` separators: a path inside the workspace becomes
    relative to it; anything else is kept (an empty result keeps the original too)."""
    if not file.startswith(workspace):
        return file
    if len(file) == len(workspace):
        return file
    if workspace.endswith("/"):
        return file[len(workspace) :]
    if file[len(workspace)] == "/":
        return file[len(workspace) + 1 :]
    return file


def unsecure_opt_ins(
    process_env: dict[str, str], env_context: dict[str, str]
) -> tuple[bool, bool]:
    """(allow set-env/add-path, allow weak stop tokens) as the runner reads them: the
    runner's own environment first, then the step's ``env`` context. The first uses
    ``bool.TryParse`` (only ``true``), the second ``ConvertToBoolean`` (``1``/``true``/
    ``$true``)."""
    name = "ACTIONS_ALLOW_UNSECURE_COMMANDS"
    commands = bool_try_parse(process_env.get(name)) or bool_try_parse(env_context.get(name))
    stop = "ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS"
    tokens = convert_to_boolean(process_env.get(stop)) or convert_to_boolean(env_context.get(stop))
    return commands, tokens


def _require(value: str, name: str) -> None:
    """``ArgUtil.NotNullOrEmpty`` throws ArgumentNullException with this message."""
    if not value:
        raise _CommandError(f"Value cannot be null. (Parameter '{name}')")
