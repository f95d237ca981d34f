"""The ``shell:`` of a ``run`` step, exactly as the runner turns it into a process.

Sources: R:src/Runner.Worker/Handlers/ScriptHandlerHelpers.cs (templates, extensions,
content fix-ups, ``COMMAND [..ARGS]`` parsing) and R:src/Runner.Worker/Handlers/
ScriptHandler.cs (default shell, ``{0}`` check, path quoting); the user-facing table is
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from qmoi.errors import QmoiError
from qmoi.execute._dotnet import trim_start

RunnerOS = Literal["Linux", "macOS", "Windows"]
Which = Callable[[str], "str | None"]

# Keys compare case-insensitively in the runner (OrdinalIgnoreCase dictionaries).
_ARGUMENTS = {
    "cmd": '/D /E:ON /V:OFF /S /C "CALL "{0}""',
    "pwsh": "-command \". '{0}'\"",
    "powershell": "-command \". '{0}'\"",
    "bash": "--noprofile --norc -e -o pipefail {0}",
    "sh": "-e {0}",
    "python": "{0}",
}
_EXTENSIONS = {
    "cmd": ".cmd",
    "pwsh": ".ps1",
    "powershell": ".ps1",
    "bash": ".sh",
    "sh": ".sh",
    "python": ".py",
}
_PWSH_PREPEND = "$ErrorActionPreference = 'stop'"
_PWSH_APPEND = r"if ((Test-Path -LiteralPath variable:\LASTEXITCODE)) { exit $LASTEXITCODE }"
INVALID_SHELL = (
    "Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) "
    "or a format string containing '{0}'"
)


class ShellError(QmoiError):
    """A ``shell:`` value the runner would refuse."""


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """How one script runs: ``executable`` with ``arg_format`` (``{0}`` = script path).

    ``shell`` is the first word of the ``shell:`` value (``sh`` for the Linux/macOS default,
    even when bash is what runs); it selects the extension and the content fix-ups.
    """

    shell: str
    executable: str
    arg_format: str
    extension: str

    def arguments(self, script_path: str) -> str:
        """The argument string the runner passes to the process (``"`` escaped as ``\\"``)."""
        return format_arguments(self.arg_format, script_path.replace('"', '\\"'))

    def argv(self, script_path: str) -> tuple[str, ...]:
        """The argv a POSIX process receives: .NET splits the argument string itself."""
        split = None if _SPECIAL.intersection(script_path) else _split_template(self.arg_format)
        if split is None:
            return (self.executable, *split_arguments(self.arguments(script_path)))
        # A path without blanks, quotes or backslashes splits like any other letters.
        return (self.executable, *(part.replace(_SLOT, script_path) for part in split))

    def command_line(self, script_path: str) -> str:
        """The Windows command line (Windows programs split it themselves)."""
        return f"{quote_windows(self.executable)} {self.arguments(script_path)}"

    @property
    def display(self) -> str:
        """The ``shell:`` line the runner prints in the step header."""
        return f"shell: {self.executable} {self.arg_format}"

    def script_name(self, stem: str) -> str:
        """The temp file name (the runner uses ``<guid><ext>``)."""
        return f"{stem}{self.extension}"


def resolve_shell(
    shell: str | None,
    *,
    os_name: RunnerOS,
    which: Which | None = None,
    on_host: bool = True,
) -> ShellCommand:
    """The command for a step whose effective ``shell:`` is ``shell`` (None/"" = default).

    ``which`` locates an executable (default: ``shutil.which`` on the current PATH). With
    ``on_host=False`` (a container step) nothing is located and the name is used as is.
    """
    locate = which if which is not None else shutil.which
    if not shell:
        return _default_shell(os_name, locate, on_host)
    command, args = parse_shell_option(shell)
    arg_format = trim_start(args) or _ARGUMENTS.get(command.lower(), "")
    if "{0}" not in arg_format:
        raise ShellError(INVALID_SHELL, location=f"shell: {shell}")
    executable = _locate(command, locate) if on_host else command
    return ShellCommand(command, executable, arg_format, script_extension(command))


# The characters of a script path that the argument splitter treats specially, and the
# stand-in for a path without them when a template is split once for every step.
_SPECIAL = frozenset(' \t"\\')
_SLOT = "\x00"


@functools.lru_cache(maxsize=64)
def _split_template(arg_format: str) -> tuple[str, ...] | None:
    """``arg_format``'s argv with :data:`_SLOT` for the path (None if it holds one)."""
    if _SLOT in arg_format:
        return None
    return tuple(split_arguments(format_arguments(arg_format, _SLOT)))


def parse_shell_option(shell: str) -> tuple[str, str]:
    """``COMMAND [..ARGS]``: split once on the first space (only a space, as the runner)."""
    command, _, args = shell.partition(" ")
    return command, args


def script_extension(shell: str) -> str:
    """``.sh``/``.ps1``/``.py``/``.cmd`` for built-in shells, else no extension."""
    return _EXTENSIONS.get(shell.lower(), "")


def fix_up_script(shell: str, contents: str, *, os_name: RunnerOS) -> str:
    """The script text as written to disk: pwsh/powershell get the stop preference and the
    LASTEXITCODE tail, cmd gets ``@echo off``; on Windows every newline becomes CRLF.

    The runner's switch here is case-sensitive (unlike its dictionaries), so ``PWSH`` is
    not fixed up; that is kept.
    """
    newline = "\r\n" if os_name == "Windows" else "\n"
    if shell == "cmd":
        contents = f"@echo off{newline}{contents}"
    elif shell in ("pwsh", "powershell"):
        contents = f"{_PWSH_PREPEND}{newline}{contents}{newline}{_PWSH_APPEND}"
    if os_name == "Windows":
        contents = contents.replace("\r\n", "\n").replace("\n", "\r\n")
    return contents


def format_arguments(template: str, value: str) -> str:
    """.NET ``string.Format(template, value)``: ``{0}`` is replaced, ``{{``/``}}`` are
    literal braces, anything else in braces is a format error (as in the runner)."""
    out: list[str] = []
    index = 0
    while index < len(template):
        char = template[index]
        if template.startswith("{{", index) or template.startswith("}}", index):
            out.append(char)
            index += 2
        elif template.startswith("{0}", index):
            out.append(value)
            index += 3
        elif char in "{}":
            raise ShellError(
                f"Input string was not in a correct format: unexpected '{char}' at "
                f"position {index} of the shell arguments",
                location=f"shell arguments: {template}",
            )
        else:
            out.append(char)
            index += 1
    return "".join(out)


def split_arguments(arguments: str) -> list[str]:
    """How .NET on Unix turns an argument string into argv (Process.Unix
    ``ParseArgumentsIntoList``): spaces/tabs separate, double quotes group, backslashes
    escape only a following double quote, ``""`` inside quotes is a literal quote."""
    result: list[str] = []
    index = 0
    while index < len(arguments):
        while index < len(arguments) and arguments[index] in " \t":
            index += 1
        if index == len(arguments):
            break
        argument, index = _next_argument(arguments, index)
        result.append(argument)
    return result


def _next_argument(text: str, index: int) -> tuple[str, int]:
    out: list[str] = []
    in_quotes = False
    while index < len(text):
        slashes = 0
        while index < len(text) and text[index] == "\\":
            slashes += 1
            index += 1
        if slashes:
            if index < len(text) and text[index] == '"':
                out.append("\\" * (slashes // 2))
                if slashes % 2:
                    out.append('"')
                    index += 1
            else:
                out.append("\\" * slashes)
            continue
        char = text[index]
        if char == '"':
            if in_quotes and text.startswith('""', index):
                out.append('"')
                index += 1
            else:
                in_quotes = not in_quotes
            index += 1
        elif char in " \t" and not in_quotes:
            break
        else:
            out.append(char)
            index += 1
    return "".join(out), index


def quote_windows(executable: str) -> str:
    """Quote an executable path for a Windows command line when it contains blanks."""
    return f'"{executable}"' if (" " in executable or "\t" in executable) else executable


def host_which(path: str | None = None) -> Which:
    """A ``which`` that searches ``path`` (e.g. with GITHUB_PATH entries prepended)."""

    def locate(name: str) -> str | None:
        if path is None or os.path.dirname(name):
            return shutil.which(name, path=path)
        return _which_on(path, name)

    return locate


def _which_on(path: str, name: str) -> str | None:
    """``shutil.which(name, path=path)`` for a bare name on POSIX in one ``access`` call per
    folder (``which`` stats each candidate first, then asks ``access`` and stats the hit
    again): the runner looks the shell up on every step (WhichUtil.cs)."""
    if not path:
        return None
    # dict.fromkeys: each folder once, in order. The join is os.path.join's result for a
    # bare name (an empty entry is the current folder), without its generic checks: the
    # lookup runs before every run step, and os.path.join was half of its time.
    for folder in dict.fromkeys(path.split(os.pathsep)):
        candidate = folder + name if not folder or folder[-1] == "/" else f"{folder}/{name}"
        if os.access(candidate, os.F_OK | os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


def _default_shell(os_name: RunnerOS, locate: Which, on_host: bool) -> ShellCommand:
    if os_name == "Windows":
        # pwsh when present, else Windows PowerShell (ScriptHandler.cs, OS_WINDOWS branch).
        shell = "pwsh"
        executable = "pwsh"
        if on_host:
            found = locate("pwsh")
            if found is None:
                shell = "powershell"
                found = _locate("powershell", locate)
            executable = found
        return ShellCommand(shell, executable, _ARGUMENTS[shell], _EXTENSIONS[shell])
    # The default is the *sh* template (``-e {0}``, no pipefail) run by bash when bash exists.
    executable = "sh"
    if on_host:
        executable = locate("bash") or _locate("sh", locate)
    return ShellCommand("sh", executable, _ARGUMENTS["sh"], _EXTENSIONS["sh"])


def _locate(command: str, locate: Which) -> str:
    found = locate(command)
    if found is None:
        # WhichUtil.Which(require: true) fails with this message.
        raise ShellError(f"File not found: '{command}'", location=f"shell: {command}")
    return found
