"""A small POSIX shell reader, enough to rewrite one echo/printf command: the simple
commands at top level of a ``run:`` script, as value offsets, where they can be read with
certainty (the deprecated-command rule's fix needs to know where one command's words are).
"""

from __future__ import annotations

from dataclasses import dataclass

_KEYWORDS = frozenset({"then", "do", "else", "{", "!"})


@dataclass(frozen=True, slots=True)
class PosixCommand:
    """A simple command: its words (value offsets, leading keywords such as ``then``
    dropped), and whether it redirects its output or pipes it on."""

    words: tuple[tuple[int, int], ...]
    redirected: bool
    piped: bool


@dataclass(frozen=True, slots=True)
class PosixScript:
    """The simple commands at top level of a script that could be read with certainty:
    reading stops at a heredoc, and commands inside ``( )``, ``$( )``, after a line
    continuation or in ``case`` patterns are left out."""

    commands: tuple[PosixCommand, ...]

    def command_at(self, offset: int) -> PosixCommand | None:
        for command in self.commands:
            if command.words and command.words[0][0] <= offset < command.words[-1][1]:
                return command
        return None


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.commands: list[PosixCommand] = []
        self.words: list[tuple[int, int]] = []
        self.word_start = -1
        self.redirected = False
        self.depth = 0
        self.tainted = False  # a line continuation or nesting makes the command unsure

    def end_word(self) -> None:
        if self.word_start >= 0:
            self.words.append((self.word_start, min(self.i, len(self.text))))
            self.word_start = -1

    def end_command(self, piped: bool = False) -> None:
        self.end_word()
        words = list(self.words)
        while words and self.text[slice(*words[0])] in _KEYWORDS:
            words.pop(0)
        if words and not self.tainted and self.depth == 0:
            self.commands.append(PosixCommand(tuple(words), self.redirected, piped))
        self.words, self.redirected, self.tainted = [], False, False

    def skip_balanced(self, open_: str, close: str) -> bool:
        """From an opening bracket, past its matching close (quotes inside skipped)."""
        level, text = 0, self.text
        while self.i < len(text):
            c = text[self.i]
            if c == "\\":
                self.i += 2
                continue
            if c in "'\"" and not self.skip_quoted(c):
                return False
            if c in "'\"":
                continue
            if c == open_:
                level += 1
            elif c == close:
                level -= 1
                if level == 0:
                    self.i += 1
                    return True
            self.i += 1
        return False

    def skip_quoted(self, quote: str) -> bool:
        text = self.text
        self.i += 1
        while self.i < len(text):
            c = text[self.i]
            if c == quote:
                self.i += 1
                return True
            if quote == '"' and c == "\\":
                self.i += 2
                continue
            if quote == '"' and text.startswith("$(", self.i):
                self.i += 1
                if not self.skip_balanced("(", ")"):
                    return False
                continue
            self.i += 1
        return False

    def step(self) -> bool:
        """Read one token; False at the end or where the script cannot be read on."""
        text, c = self.text, self.text[self.i]
        if c == "\\":
            if text.startswith("\\\n", self.i):
                self.tainted = True
            self.word_start = self.i if self.word_start < 0 else self.word_start
            self.i += 2
        elif c in " \t\r":
            self.end_word()
            self.i += 1
        elif c == "\n":
            self.end_command()
            self.i += 1
        elif c == "#" and self.word_start < 0:
            end = text.find("\n", self.i)
            self.i = len(text) if end < 0 else end
        elif c in ";&|":
            piped = c == "|" and not text.startswith("||", self.i)
            self.end_command(piped)
            self.i += 2 if text.startswith(c * 2, self.i) or text.startswith("|&", self.i) else 1
        elif c in "<>":
            if text.startswith("<<", self.i):
                return False  # a heredoc's body is not shell syntax
            self.end_word()
            self.redirected = True
            self.i += 1
        elif c in "()":
            self.end_command()
            self.depth += 1 if c == "(" else -1
            self.i += 1
        else:
            return self.word_char(c)
        return True

    def word_char(self, c: str) -> bool:
        if self.word_start < 0:
            self.word_start = self.i
        if c in "'\"":
            return self.skip_quoted(c)
        if c == "`":
            end = self.text.find("`", self.i + 1)
            self.i = end + 1
            return end >= 0
        if c == "$" and self.text.startswith(("$(", "${"), self.i):
            self.i += 1
            bracket = self.text[self.i]
            return self.skip_balanced(bracket, ")" if bracket == "(" else "}")
        self.i += 1
        return True


def posix_commands(script: str) -> PosixScript:
    reader = _Reader(script)
    while reader.i < len(script):
        if not reader.step():
            return PosixScript(tuple(reader.commands))
    reader.end_command()
    return PosixScript(tuple(reader.commands))
