"""The error hierarchy. A ``QmoiError`` is a user-facing failure: the CLI prints its
message (with a location when it has one) and exits, never with a traceback."""

from __future__ import annotations


class QmoiError(Exception):
    """Base of every error QMOI reports to a user."""

    exit_code = 2

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class UsageError(QmoiError):
    """The command line or configuration asks for something impossible."""


class InputError(QmoiError):
    """A file could not be read or understood."""
