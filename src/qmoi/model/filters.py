"""GitHub's filter patterns for ``branches``, ``tags`` and ``paths`` (and their ``-ignore``
twins), and the event-level decisions built on them.

These are not shell globs: ``?`` and ``+`` quantify the *preceding* character as in a regular
expression, ``*`` stops at ``/`` while ``**`` does not, ``[...]`` holds only letters, digits and
alphanumeric ranges, ``\\`` makes the next character literal, and a leading ``!`` negates.
Sources: the "Filter pattern cheat sheet" in
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet
and gha-semantics.md §4.2. A pattern becomes one anchored ``re`` expression, compiled once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from qmoi.errors import QmoiError, UsageError

SYNTAX_URL = (
    "https://docs.github.com/en/actions/reference/workflows-and-actions/"
    "workflow-syntax#filter-pattern-cheat-sheet"
)

# https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#git-diff-comparisons
# "Diffs are limited to 300 files" and "If you push more than 1,000 commits, or if GitHub does
# not generate the diff due to a timeout, the workflow will always run."
MAX_CHANGED_FILES = 300
MAX_PUSH_COMMITS = 1000

# Keys GitHub forbids together on one event ("You cannot use both the `branches` and
# `branches-ignore` filters for the same event"), see the workflow-syntax page above.
EXCLUSIVE_KEYS: tuple[tuple[str, str], ...] = (
    ("branches", "branches-ignore"),
    ("tags", "tags-ignore"),
    ("paths", "paths-ignore"),
)


class FilterPatternError(QmoiError):
    """A pattern GitHub cannot use; ``offset`` is the index in the pattern text (``!`` included)
    where the problem starts, so a lint rule can point at the exact column."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.message} (at offset {self.offset})"


class FilterConfigError(QmoiError):
    """Filters that GitHub rejects as a combination, e.g. ``branches`` with ``branches-ignore``."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled filter pattern. ``text`` is the pattern as written, ``negated`` tells a
    leading ``!``; ``regex`` matches the whole value (without the ``!``)."""

    text: str
    negated: bool
    regex: re.Pattern[str]

    def matches(self, value: str) -> bool:
        """Whether the pattern body matches all of ``value`` (negation is not applied here)."""
        return self.regex.fullmatch(value) is not None


# --------------------------------------------------------------------------- compiling

_QUANTIFIERS = "?+"


def _is_range_char(char: str) -> bool:
    # "Ranges can only include a-z, A-Z, and 0-9" (cheat sheet); ASCII only.
    return char.isascii() and char.isalnum()


def _same_class(low: str, high: str) -> bool:
    return (low.isdigit() and high.isdigit()) or (low.islower() and high.islower()) or (
        low.isupper() and high.isupper()
    )


def _class_end(text: str, start: int) -> int:
    """Index of the ``]`` closing the class opened at ``start``."""
    end = text.find("]", start + 1)
    if end < 0:
        raise FilterPatternError("'[' is never closed with ']'", start)
    if end == start + 1:
        raise FilterPatternError("'[]' matches nothing: list at least one character", start)
    return end


def _class_regex(text: str, start: int, end: int) -> str:
    """The regex for the class ``text[start:end + 1]``, checking each member and range."""
    out: list[str] = []
    i = start + 1
    while i < end:
        char = text[i]
        if not _is_range_char(char):
            raise FilterPatternError(
                f"{char!r} cannot appear inside [...]: only letters and digits can", i
            )
        if i + 1 < end and text[i + 1] == "-":
            if i + 2 >= end:
                raise FilterPatternError("the range has no end character", i)
            high = text[i + 2]
            if not (_is_range_char(high) and _same_class(char, high) and char <= high):
                raise FilterPatternError(
                    f"bad range {char}-{high}: ranges run upwards within a-z, A-Z or 0-9", i
                )
            out.append(f"{char}-{high}")
            i += 3
            continue
        out.append(char)
        i += 1
    return "[" + "".join(out) + "]"


def _quantifier_message(char: str, at_start: bool) -> str:
    where = "has nothing before it" if at_start else "cannot follow '*', '?' or '+'"
    return (
        f"'{char}' repeats the preceding character but {where} "
        f"(write '\\{char}' for a literal '{char}')"
    )


def _star(text: str, i: int, start: int) -> tuple[str, int]:
    """The regex for the ``*`` or ``**`` at ``i`` and how many characters it consumes."""
    if not text.startswith("**", i):
        return "[^/]*", 1
    whole_segment = i == start or text[i - 1] == "/"
    if whole_segment and text.startswith("**/", i) and text[i + 3 : i + 4] not in ("?", "+"):
        # A whole `**/` segment also matches no directory: `**/README.md` matches `README.md`.
        return "(?:.+/)?", 3
    return ".*", 2


def _translate(text: str, start: int) -> str:
    """The anchored regex for ``text[start:]``; ``start`` is 1 after a leading ``!``."""
    out: list[str] = []
    quantifiable = False  # whether the previous atom is a plain character or a class
    i = start
    while i < len(text):
        char = text[i]
        if char == "*":
            regex, used = _star(text, i, start)
            out.append(regex)
            i += used
            quantifiable = False
        elif char in _QUANTIFIERS:
            if not quantifiable:
                raise FilterPatternError(_quantifier_message(char, i == start), i)
            out.append(char)
            i += 1
            quantifiable = False
        elif char == "[":
            end = _class_end(text, i)
            out.append(_class_regex(text, i, end))
            i = end + 1
            quantifiable = True
        elif char == "\\":
            if i + 1 >= len(text):
                raise FilterPatternError("'\\' at the end escapes nothing", i)
            out.append(re.escape(text[i + 1]))
            i += 2
            quantifiable = True
        else:
            out.append(re.escape(char))
            i += 1
            quantifiable = True
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_pattern(text: str) -> Pattern:
    """Compile one filter pattern (cached). Raises :class:`FilterPatternError` for syntax
    GitHub rejects: an empty pattern, a lone ``!``, ``?``/``+`` with no plain character before
    it, an unclosed or empty ``[``, a non-alphanumeric class member or a bad range, and a
    trailing ``\\``."""
    if not text:
        raise FilterPatternError("a filter pattern cannot be empty", 0)
    negated = text.startswith("!")
    if negated and len(text) == 1:
        raise FilterPatternError("'!' must be followed by the pattern to exclude", 0)
    body = _translate(text, 1 if negated else 0)
    return Pattern(text, negated, re.compile(body, re.DOTALL))


def _compiled(pattern: str | Pattern) -> Pattern:
    return pattern if isinstance(pattern, Pattern) else compile_pattern(pattern)


# --------------------------------------------------------------------------- lists of patterns


def match_filters(patterns: Iterable[str | Pattern], value: str) -> bool:
    """Whether ``value`` is selected by an ordered pattern list: patterns are checked in order
    and the last one that matches decides (a ``!`` pattern excludes, a later positive one
    re-includes). A value no positive pattern matches is not selected, so a list of only ``!``
    patterns selects nothing — GitHub requires at least one positive pattern beside them."""
    selected = False
    for item in patterns:
        pattern = _compiled(item)
        if pattern.matches(value):
            selected = not pattern.negated
    return selected


def negative_only(patterns: Sequence[str]) -> bool:
    """True when a non-empty list holds only ``!`` patterns. GitHub: "If you define a branch with
    the `!` character, you must also define at least one branch without the `!` character"
    (workflow-syntax, ``on.push.<branches|tags|branches-ignore|tags-ignore>``)."""
    return bool(patterns) and all(p.startswith("!") for p in patterns)


def conflicting_keys(keys: Iterable[str]) -> list[tuple[str, str]]:
    """The pairs of :data:`EXCLUSIVE_KEYS` that all appear in ``keys`` (for lint)."""
    present = set(keys)
    return [pair for pair in EXCLUSIVE_KEYS if pair[0] in present and pair[1] in present]


def _include_or_ignore(
    include: Sequence[str] | None, ignore: Sequence[str] | None, name: str, value: str
) -> bool:
    if include is not None and ignore is not None:
        raise FilterConfigError(f"'{name}' and '{name}-ignore' cannot both filter one event")
    if include is not None:
        return match_filters(include, value)
    if ignore is not None:
        return not match_filters(ignore, value)
    return True


def branch_matches(
    branches: Sequence[str] | None, branches_ignore: Sequence[str] | None, branch: str
) -> bool:
    """Whether a branch (short name, e.g. ``releases/10``) passes ``branches`` /
    ``branches-ignore``. ``None`` means the key is absent; giving both raises
    :class:`FilterConfigError`. Used for push, the base branch of pull_request(_target) and
    the triggering run's branch of workflow_run."""
    return _include_or_ignore(branches, branches_ignore, "branches", branch)


def tag_matches(tags: Sequence[str] | None, tags_ignore: Sequence[str] | None, tag: str) -> bool:
    """Whether a tag (short name, e.g. ``v1.9.1``) passes ``tags`` / ``tags-ignore``."""
    return _include_or_ignore(tags, tags_ignore, "tags", tag)


def paths_match(
    paths: Sequence[str] | None,
    paths_ignore: Sequence[str] | None,
    changed_files: Sequence[str] | None,
    *,
    commit_count: int | None = None,
) -> bool:
    """Whether the path filters let an event through.

    GitHub's rules (workflow-syntax, ``on.<push|pull_request|pull_request_target>.<paths|
    paths-ignore>`` and "Git diff comparisons"): with ``paths`` the workflow runs if at least one
    changed file is selected (after ``!`` exclusions); with ``paths-ignore`` it is skipped only
    if *every* changed file is ignored; no changed files means no run; only the first
    :data:`MAX_CHANGED_FILES` files are considered; and when the diff is unavailable
    (``changed_files`` is ``None``, or more than :data:`MAX_PUSH_COMMITS` commits were pushed)
    the workflow always runs. Without either key the paths do not matter."""
    if paths is not None and paths_ignore is not None:
        raise FilterConfigError("'paths' and 'paths-ignore' cannot both filter one event")
    if paths is None and paths_ignore is None:
        return True
    if changed_files is None or (commit_count is not None and commit_count > MAX_PUSH_COMMITS):
        return True
    considered = changed_files[:MAX_CHANGED_FILES]
    if paths is not None:
        return any(match_filters(paths, path) for path in considered)
    ignore = paths_ignore or ()
    return any(not match_filters(ignore, path) for path in considered)


# --------------------------------------------------------------------------- events

_HEADS = "refs/heads/"
_TAGS = "refs/tags/"


@dataclass(frozen=True, slots=True)
class EventFilters:
    """The filter keys of one ``push`` / ``pull_request`` / ``pull_request_target`` /
    ``workflow_run`` event; ``None`` means the key is absent."""

    branches: tuple[str, ...] | None = None
    branches_ignore: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    tags_ignore: tuple[str, ...] | None = None
    paths: tuple[str, ...] | None = None
    paths_ignore: tuple[str, ...] | None = None

    @property
    def has_branch_filter(self) -> bool:
        return self.branches is not None or self.branches_ignore is not None

    @property
    def has_tag_filter(self) -> bool:
        return self.tags is not None or self.tags_ignore is not None

    def push_ref_matches(self, ref: str) -> bool:
        """Whether a push to the full ref ``ref`` passes the branch and tag filters. "If you
        define only tags/tags-ignore or only branches/branches-ignore, the workflow won't run
        for events affecting the undefined Git ref" (workflow-syntax, ``on.push.<branches|tags|
        branches-ignore|tags-ignore>``)."""
        if ref.startswith(_HEADS):
            if not self.has_branch_filter:
                return not self.has_tag_filter
            return branch_matches(self.branches, self.branches_ignore, ref[len(_HEADS) :])
        if ref.startswith(_TAGS):
            if not self.has_tag_filter:
                return not self.has_branch_filter
            return tag_matches(self.tags, self.tags_ignore, ref[len(_TAGS) :])
        raise UsageError(f"a push ref must start with {_HEADS} or {_TAGS}, not {ref!r}")

    def push_matches(
        self, ref: str, changed_files: Sequence[str] | None, *, commit_count: int | None = None
    ) -> bool:
        """Whether a push triggers the workflow: ref filters AND path filters, except that
        "Path filters are not evaluated for pushes of tags" (workflow-syntax, paths)."""
        if not self.push_ref_matches(ref):
            return False
        if ref.startswith(_TAGS):
            return True
        return paths_match(self.paths, self.paths_ignore, changed_files, commit_count=commit_count)

    def pull_request_matches(self, base_branch: str, changed_files: Sequence[str] | None) -> bool:
        """Whether a pull request into ``base_branch`` (short name) triggers the workflow; the
        branch filters match the *base* branch (gha-semantics §4.2)."""
        if not branch_matches(self.branches, self.branches_ignore, base_branch):
            return False
        return paths_match(self.paths, self.paths_ignore, changed_files)
