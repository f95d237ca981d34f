"""The environment files a step writes: GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STATE
(``NAME=value`` and ``NAME<<DELIMITER`` heredocs) and GITHUB_PATH (one directory a line).

Source: R:src/Runner.Worker/FileCommandManager.cs (``EnvFileKeyValuePairs``,
``AddPathFileCommand``, ``SetEnvFileCommand``) and TK:packages/core/src/file-command.ts
(the writer side); documented at
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#environment-files
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from qmoi.errors import QmoiError
from qmoi.execute._dotnet import decode_text, read_lines

# FileCommandManager processes the files in this order after every step; the names are
# the context names its error message uses.
FILE_COMMANDS = ("path", "env", "step_summary", "state", "output")
_BLOCKED_ENV = ("NODE_OPTIONS",)


@dataclass(frozen=True, slots=True)
class EnvFileError:
    """Why a file was rejected, with the 1-based line it was detected on."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class KeyValueFile:
    """The pairs read before any error, in file order (the runner applies those even when
    a later line fails), and the error that failed the step, if any."""

    pairs: tuple[tuple[str, str], ...]
    error: EnvFileError | None = None

    def as_dict(self) -> dict[str, str]:
        """The pairs with later duplicates winning, as the runner assigns them."""
        return dict(self.pairs)


def file_command_failure(context_name: str) -> str:
    """The first error line the runner writes when a file command fails."""
    return f"Unable to process file command '{context_name}' successfully."


def parse_key_value_file(text: str, *, windows: bool = False) -> KeyValueFile:
    """Parse GITHUB_ENV/GITHUB_OUTPUT/GITHUB_STATE text like ``EnvFileKeyValuePairs``.

    Lines end at LF (and also at CRLF on Windows; elsewhere a CR stays in the text). A
    line is ``NAME=value`` when ``=`` comes before any ``<<``, else ``NAME<<DELIMITER``;
    a heredoc value is every line up to the first line exactly equal to the delimiter,
    without the last newline.
    """
    reader = _Reader(text, windows)
    pairs: list[tuple[str, str]] = []
    while (line := reader.read()) is not None:
        if not line:
            continue
        number = reader.number
        try:
            pairs.append(_parse_entry(line, reader))
        except _Invalid as error:
            return KeyValueFile(tuple(pairs), EnvFileError(error.line or number, str(error)))
    return KeyValueFile(tuple(pairs))


def read_key_value_file(data: bytes | None, *, windows: bool = False) -> KeyValueFile:
    """``parse_key_value_file`` of a file's bytes; a missing file (None) has no pairs."""
    if data is None:
        return KeyValueFile(())
    return parse_key_value_file(decode_text(data), windows=windows)


def env_updates(result: KeyValueFile) -> tuple[dict[str, str], tuple[str, ...]]:
    """GITHUB_ENV pairs to apply and the error annotations for blocked names (a blocked
    name is skipped with an error annotation but does not fail the step)."""
    updates: dict[str, str] = {}
    errors: list[str] = []
    for name, value in result.pairs:
        blocked = next((b for b in _BLOCKED_ENV if b.lower() == name.lower()), None)
        if blocked is not None:
            errors.append(f"Can't store {blocked} output parameter using '$GITHUB_ENV' command.")
            continue
        updates[name] = value
    return updates, tuple(errors)


def parse_path_file(text: str) -> tuple[str, ...]:
    """GITHUB_PATH entries: ``File.ReadAllLines`` (CR, LF or CRLF end a line), empty lines
    skipped, nothing trimmed."""
    return tuple(line for line in read_lines(text) if line)


def prepend_paths(current: Iterable[str], added: Iterable[str]) -> tuple[str, ...]:
    """The runner's PrependPath list after ``added``: a re-added directory moves to the end
    of the list, i.e. to the front of PATH (the list is applied newest-first)."""
    entries = list(current)
    for path in added:
        entries = [entry for entry in entries if entry != path]
        entries.append(path)
    return tuple(entries)


def path_value(prepend: Iterable[str], original: str, *, separator: str = ":") -> str:
    """PATH for a step: the PrependPath list reversed (newest first), then the original."""
    parts = list(reversed(list(prepend)))
    if original:
        parts.append(original)
    return separator.join(parts)


def _guid() -> str:
    # A random GUID in uuid4's text form; uuid itself (and the platform module it loads)
    # would be imported by every run for this one call.
    text = os.urandom(16).hex()
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{text[16:20]}-{text[20:]}"


def format_key_value(name: str, value: str, delimiter: str | None = None) -> str:
    """A heredoc entry as ``@actions/core`` writes it (with its trailing newline), refusing
    a name or value that contains the delimiter, which would end the value early."""
    marker = delimiter or f"ghadelimiter_{_guid()}"
    if marker in name:
        raise QmoiError(f'Unexpected input: name should not contain the delimiter "{marker}"')
    if marker in value:
        raise QmoiError(f'Unexpected input: value should not contain the delimiter "{marker}"')
    return f"{name}<<{marker}\n{value}\n{marker}\n"


class _Invalid(Exception):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


class _Reader:
    """``ReadLine`` of FileCommandManager, also reporting where each line ended."""

    def __init__(self, text: str, windows: bool) -> None:
        self.text = text
        self.windows = windows
        self.index = 0
        self.number = 0
        self.newline: str | None = None

    def read(self) -> str | None:
        text, start = self.text, self.index
        if start >= len(text):
            self.newline = None
            return None
        self.number += 1
        lf = text.find("\n", start)
        if lf < 0:
            self.index, self.newline = len(text), None
            return text[start:]
        if self.windows and lf > start and text[lf - 1] == "\r":
            self.index, self.newline = lf + 1, "\r\n"
            return text[start : lf - 1]
        self.index, self.newline = lf + 1, "\n"
        return text[start:lf]


def _parse_entry(line: str, reader: _Reader) -> tuple[str, str]:
    equals = line.find("=")
    heredoc = line.find("<<")
    if equals >= 0 and (heredoc < 0 or equals < heredoc):
        # The runner's emptiness check looks at the line, not the name, so "=value" is
        # accepted with an empty name; kept as is.
        name, _, value = line.partition("=")
        return name, value
    if heredoc >= 0:
        name, _, delimiter = line.partition("<<")
        if not name or not delimiter:
            raise _Invalid(
                f"Invalid format '{line}'. Name must not be empty and delimiter must not be empty"
            )
        return name, _heredoc_value(reader, delimiter)
    raise _Invalid(f"Invalid format '{line}'")


def _heredoc_value(reader: _Reader, delimiter: str) -> str:
    opened = reader.number
    start = end = reader.index
    while (line := reader.read()) != delimiter:
        if line is None:
            raise _Invalid(f"Invalid value. Matching delimiter not found '{delimiter}'", opened)
        if reader.newline is None:
            raise _Invalid("Invalid value. EOF marker missing new line.", reader.number)
        end = reader.index - len(reader.newline)
    return reader.text[start:end] if end > start else ""
