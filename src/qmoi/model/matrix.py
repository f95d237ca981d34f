"""Matrix expansion, exactly as GitHub does it, over plain JSON values.

Sources: https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
(the docs' matrix page: include/exclude rules and worked examples), gha-semantics.md §3.8, and
the runner's port of the server algorithm
https://github.com/actions/runner/blob/main/src/Sdk/WorkflowParser/Conversion/MatrixBuilder.cs
(and JobNameBuilder.cs for the display name):

1. every key other than ``include``/``exclude`` is a vector; the cross product runs in key
   order, the last key varying fastest;
2. ``exclude`` entries remove product combinations whose values match every leaf of the
   entry (partial match; comparison is the expression ``==``: loose, case-insensitive);
3. each ``include`` entry splits into a *filter* (keys that are vectors) and *extras*; every
   remaining combination the filter matches gets the extras, later entries overwriting
   earlier extras but never an original value; an entry that matched no combination becomes
   a combination of its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import product

from qmoi.model.values import JSON, contains_expression

MAX_LEGS = 256
"""GitHub's limit of jobs one matrix may generate per workflow run."""

MAX_NAME = 100
"""Display names longer than this are cut to 97 characters plus ``...`` (JobNameBuilder.cs)."""


@dataclass(frozen=True, slots=True)
class Leg:
    """One job of an expanded matrix: its ``matrix`` context and the values in its name.

    ``segments`` come from the combination before include extras are added, except for a
    combination an include entry added on its own, which shows all its values.
    """

    matrix: dict[str, JSON]
    segments: tuple[str, ...]
    added: bool = False

    def display_name(self, job_name: str) -> str:
        return display_name(job_name, self.segments)


@dataclass(frozen=True, slots=True)
class Expansion:
    """An expanded matrix: its legs, and the problems GitHub rejects the workflow for."""

    legs: tuple[Leg, ...]
    errors: tuple[str, ...] = field(default=())

    def __iter__(self) -> Iterator[Leg]:
        return iter(self.legs)

    def __len__(self) -> int:
        return len(self.legs)


@dataclass(frozen=True, slots=True)
class _Include:
    """An ``include`` entry: the keys that name matrix vectors (picking the combinations it
    joins) and the rest."""

    filter: dict[str, JSON]
    extra: dict[str, JSON]


def expand_matrix(matrix: Mapping[str, JSON]) -> Expansion:
    """Expand ``strategy.matrix`` (already evaluated to plain values) into its legs.

    Problems GitHub rejects the workflow for are returned in ``errors``; the entries at fault
    are skipped so the rest still expands.
    """
    errors: list[str] = []
    vectors = _vectors(matrix, errors)
    names = {key.casefold() for key, _ in vectors}
    excludes = _excludes(matrix.get("exclude"), names, errors)
    includes = _includes(matrix.get("include"), names, errors)
    if not vectors and not includes:
        errors.append("a matrix must define at least one vector or include entry")
    legs: list[Leg] = []
    matched = [False] * len(includes)
    for combo in _product(vectors):
        if any(_matches(combo, entry) for entry in excludes):
            continue
        extra: dict[str, JSON] = {}
        for index, entry in enumerate(includes):
            if _matches(combo, entry.filter):
                matched[index] = True
                _merge(extra, entry.extra)
        legs.append(Leg({**combo, **extra}, _segments(combo)))
    for entry, was_matched in zip(includes, matched, strict=True):
        if not was_matched:
            alone = {**entry.filter, **entry.extra}
            legs.append(Leg(alone, _segments(alone), added=True))
    if len(legs) > MAX_LEGS:
        errors.append(f"the matrix generates {len(legs)} jobs, more than GitHub's {MAX_LEGS}")
    return Expansion(tuple(legs), tuple(errors))


def _vectors(matrix: Mapping[str, JSON], errors: list[str]) -> list[tuple[str, list[JSON]]]:
    vectors: list[tuple[str, list[JSON]]] = []
    for key, value in matrix.items():
        if key in ("include", "exclude"):
            continue
        if not isinstance(value, list):
            errors.append(f"matrix vector '{key}' must be a list")
        elif not value:
            errors.append(f"matrix vector '{key}' does not contain any values")
        else:
            vectors.append((key, value))
    return vectors


def _entries(value: JSON, what: str, errors: list[str]) -> list[dict[str, JSON]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"matrix {what} must be a list of mappings")
        return []
    found: list[dict[str, JSON]] = []
    for item in value:
        if not isinstance(item, dict):
            errors.append(f"each matrix {what} entry must be a mapping")
        elif not item:
            errors.append(f"a matrix {what} entry must not be empty")
        else:
            found.append(item)
    return found


def _excludes(value: JSON, names: set[str], errors: list[str]) -> list[dict[str, JSON]]:
    entries = _entries(value, "exclude", errors)
    for entry in entries:
        for key in entry:
            if key.casefold() not in names:
                errors.append(f"matrix exclude key '{key}' does not match any key of the matrix")
    return entries


def _includes(value: JSON, names: set[str], errors: list[str]) -> list[_Include]:
    includes: list[_Include] = []
    for entry in _entries(value, "include", errors):
        filter_ = {k: v for k, v in entry.items() if k.casefold() in names}
        extra = {k: v for k, v in entry.items() if k.casefold() not in names}
        includes.append(_Include(filter_, extra))
    return includes


def _product(vectors: list[tuple[str, list[JSON]]]) -> Iterator[dict[str, JSON]]:
    if not vectors:
        return
    keys = [key for key, _ in vectors]
    for values in product(*(values for _, values in vectors)):
        yield dict(zip(keys, values, strict=True))


def _merge(target: dict[str, JSON], extra: dict[str, JSON]) -> None:
    """Add ``extra`` to ``target``, overwriting keys equal regardless of case (the matrix
    context is case-insensitive), keeping the first spelling."""
    spelled = {key.casefold(): key for key in target}
    for key, value in extra.items():
        target[spelled.get(key.casefold(), key)] = value


def _matches(combo: Mapping[str, JSON], pattern: Mapping[str, JSON]) -> bool:
    """Whether every leaf of ``pattern`` loosely equals the combo's value at the same path."""
    leaves = _leaves(dict(pattern), ())
    return all(loose_equals(_lookup(combo, path), leaf) for path, leaf in leaves)


Path = tuple[str | int, ...]


def _leaves(value: JSON, path: Path) -> Iterator[tuple[Path, JSON]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _lookup(value: Mapping[str, JSON], path: Path) -> JSON:
    """``matrix[a][b]…`` with the expression language's rules: keys case-insensitive,
    anything missing is null."""
    current: JSON = dict(value)
    for step in path:
        if isinstance(step, str) and isinstance(current, dict):
            current = _get_folded(current, step)
        elif isinstance(step, int) and isinstance(current, list) and step < len(current):
            current = current[step]
        else:
            return None
    return current


def _get_folded(table: dict[str, JSON], key: str) -> JSON:
    if key in table:
        return table[key]
    folded = key.casefold()
    for name, value in table.items():
        if name.casefold() == folded:
            return value
    return None


def _segments(combo: Mapping[str, JSON]) -> tuple[str, ...]:
    """The scalar leaf values shown in a leg's name, depth-first in key order."""
    found: list[str] = []
    for _, leaf in _leaves(dict(combo), ()):
        if leaf is None:
            continue
        text = to_display(leaf)
        if text:
            found.append(text)
    return tuple(found)


def display_name(job_name: str, segments: tuple[str, ...]) -> str:
    """GitHub's name for a matrix leg: ``build (3.12, ubuntu-latest)``.

    A job ``name`` that holds an expression is evaluated per leg by GitHub and shown as is,
    without the value list, so such a name is returned unchanged (the caller evaluates it).
    """
    if not segments or contains_expression(job_name):
        name = job_name
    else:
        name = f"{job_name} ({', '.join(segments)})"
    if len(name) > MAX_NAME:
        name = name[: MAX_NAME - 3] + "..."
    return name


def to_display(value: JSON) -> str:
    """A value as the expression language prints it (gha-semantics.md §1.5)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(float(value))
    if isinstance(value, str):
        return value
    return "Array" if isinstance(value, list) else "Object"


def format_number(number: float) -> str:
    """.NET's invariant ``G15``: 15 significant digits, ``3.10`` → ``3.1``, ``1E+21``."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    return format(number, ".15G")


_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_OCTAL = re.compile(r"0o[0-7]+")


def to_number(value: JSON) -> float:
    """The expression language's number conversion (NaN when it is not a number)."""
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return math.nan
    return _parse_number(value.strip())


def _parse_number(text: str) -> float:
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    if _HEX.fullmatch(text):
        return float(int(text[2:], 16))
    if _OCTAL.fullmatch(text):
        return float(int(text[2:], 8))
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    return math.nan


def loose_equals(left: JSON, right: JSON) -> bool:
    """The expression ``==`` (gha-semantics.md §1.4): strings compare case-insensitively,
    mixed primitive kinds compare as numbers, arrays and objects only by identity."""
    left_kind, right_kind = _kind(left), _kind(right)
    if left_kind == right_kind:
        return _same_kind_equal(left_kind, left, right)
    if left_kind in ("array", "object") or right_kind in ("array", "object"):
        return False
    return to_number(left) == to_number(right)


def _kind(value: JSON) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _same_kind_equal(kind: str, left: JSON, right: JSON) -> bool:
    if kind == "string":
        return str(left).upper() == str(right).upper()
    if kind in ("array", "object"):
        return left is right
    return left == right
