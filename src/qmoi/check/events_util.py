"""Helpers shared by the needs, anchor, event, matrix and runner-label rules.

Spans: a rule points inside a scalar (a column of a cron field, a character of a glob)
through :mod:`qmoi.expr.yamlspan`, and edits replace only the scalar's text, so quotes,
comments and line endings around it stay as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Edit, Fix, FixSafety
from qmoi.expr.yamlspan import value_span_to_source
from qmoi.model.cron import SHORTEST_INTERVAL_MINUTES, CronSpec
from qmoi.model.job import Job, Matrix, ReusableCall
from qmoi.model.values import contains_expression
from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.source import SourceFile, Span

if TYPE_CHECKING:
    from qmoi.check.base import Context
    from qmoi.model.workflow import WorkflowInput


def text_span(source: SourceFile, span: Span, value: str) -> Span:
    """Where ``value`` is written inside ``span`` (inside the quotes of a quoted scalar).

    Values this is used for (job ids, runner labels) never need escapes, so the text is
    found verbatim; otherwise the whole span is returned.
    """
    index = source.text.find(value, span.start, span.end) if value else -1
    if index < 0:
        return span
    return Span(index, index + len(value))


def replace_text(source: SourceFile, span: Span, value: str, new: str) -> Edit:
    """An edit that rewrites ``value`` where it is written inside ``span``."""
    return Edit(text_span(source, span, value), new)


def inner_span(scalar: Scalar, source: SourceFile, offset: int, length: int = 1) -> Span:
    """The source span of ``scalar.value[offset:offset + length]``."""
    end = max(offset, min(offset + length, len(scalar.value)))
    return value_span_to_source(scalar, source, Span(offset, end))


def one_edit_away(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of two neighbouring
    characters (a single slip of the fingers) turns ``a`` into ``b``."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    swapped = a[i + 1 : i + 2] == b[i : i + 1] and a[i : i + 1] == b[i + 1 : i + 2]
    return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])


def walk_nodes(root: Node) -> Iterator[Node]:
    """Every node under ``root`` once (aliases make the tree a DAG; a shared node is
    visited at its first place only)."""
    stack: list[Node] = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, Mapping):
            for key, value in reversed(node.pairs):
                stack.append(value)
                stack.append(key)
        elif isinstance(node, Sequence):
            stack.extend(reversed(node.items))


def quoted_list(names: Iterable[str]) -> str:
    items = [f'"{name}"' for name in names]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def report_input_type(ctx: Context, type_node: Scalar, event: str, allowed: Iterable[str]) -> None:
    """An input ``type`` that ``event`` does not accept, with an unsafe rename when a
    close one exists (the input's meaning changes with its type)."""
    options = tuple(allowed)
    guess = did_you_mean(type_node.value, options)
    if guess is None and type_node.value.lower() in ("bool", "int", "integer", "float", "str"):
        guess = {"bool": "boolean", "str": "string"}.get(type_node.value.lower(), "number")
        guess = guess if guess in options else None
    message = f'input type "{type_node.value}" is not valid for {event}'
    fix = None
    if guess is None:
        message += f"; use {quoted_list(options)}"
    else:
        message += f'; did you mean "{guess}"?'
        edit = replace_text(ctx.source, type_node.span, type_node.value, guess)
        fix = Fix(f'Change to "{guess}"', FixSafety.UNSAFE, (edit,))
    ctx.report(type_node, message, fix=fix)


def check_input_default(ctx: Context, item: WorkflowInput, type_name: str) -> None:
    """A constant ``default`` that cannot be a value of the input's type."""
    default = item.default
    if not isinstance(default, Scalar) or default.is_null or contains_expression(default.value):
        return
    if type_name == "boolean" and default.kind is not ScalarKind.BOOL and default.value not in (
        "true", "false"
    ):
        ctx.report(default, f'default "{default.value}" of boolean input "{item.name}" must '
                            "be true or false")
    elif type_name == "number" and _not_a_number(default):
        ctx.report(default, f'default "{default.value}" of number input "{item.name}" is not '
                            "a number")


def _not_a_number(node: Scalar) -> bool:
    if node.kind in (ScalarKind.INT, ScalarKind.FLOAT):
        return False
    try:
        float(node.value.strip())
    except ValueError:
        return True
    return False


# --------------------------------------------------------------------------- runner labels
# GitHub-hosted runner labels as of 2026-11. Sources: "GitHub-hosted runners" reference
# https://docs.github.com/en/actions/reference/runners/github-hosted-runners , larger runners
# https://docs.github.com/en/actions/reference/runners/larger-runners , and the
# actions/runner-images announcements cited per entry. Labels are case-insensitive.


@dataclass(frozen=True, slots=True)
class HostedLabel:
    """One GitHub-hosted label. ``status`` is current, deprecated (still runs, removal
    announced) or retired (jobs fail); ``successor`` is the label to move to and ``safe``
    whether that move is the documented replacement."""

    name: str
    os: str
    arch: str
    status: str = "current"
    successor: str | None = None
    safe: bool = False
    when: str = ""
    # Retired recently enough that actionlint-clean corpora still use it: a warning,
    # not an error, until the corpus baseline moves (see the rule's docstring).
    recent: bool = False

    @property
    def is_alias(self) -> bool:
        return "-latest" in self.name


def _current(os: str, arch: str, *names: str) -> tuple[HostedLabel, ...]:
    return tuple(HostedLabel(name, os, arch) for name in names)


_HOSTED: tuple[HostedLabel, ...] = (
    *_current("linux", "x64", "ubuntu-latest", "ubuntu-24.04", "ubuntu-26.04", "ubuntu-slim"),
    *_current("linux", "arm64", "ubuntu-24.04-arm", "ubuntu-26.04-arm"),
    *_current("windows", "x64", "windows-latest", "windows-2025", "windows-2022",
              "windows-2025-vs2026"),
    *_current("windows", "arm64", "windows-11-arm"),
    *_current("macos", "arm64", "macos-latest", "macos-15", "macos-26", "macos-latest-xlarge",
              "macos-15-xlarge", "macos-26-xlarge"),
    *_current("macos", "x64", "macos-15-intel", "macos-26-intel", "macos-latest-large",
              "macos-15-large", "macos-26-large"),
    # actions/runner-images#14254: deprecated 2026-09-17, removed 2027-04-17.
    HostedLabel("ubuntu-22.04", "linux", "x64", "deprecated", "ubuntu-24.04", False,
                "is deprecated and will be removed on 2027-04-17"),
    HostedLabel("ubuntu-22.04-arm", "linux", "arm64", "deprecated", "ubuntu-24.04-arm", False,
                "is deprecated and will be removed on 2027-04-17"),
    # actions/runner-images#11101 names ubuntu-22.04/24.04/latest as the replacements;
    # #6002 (18.04) and the 16.04 notice named images that are now retired themselves.
    HostedLabel("ubuntu-20.04", "linux", "x64", "retired", "ubuntu-24.04", True,
                "was removed on 2025-04-15"),
    HostedLabel("ubuntu-18.04", "linux", "x64", "retired", "ubuntu-24.04", False,
                "was removed on 2023-04-03"),
    HostedLabel("ubuntu-16.04", "linux", "x64", "retired", "ubuntu-24.04", False,
                "was removed in 2021"),
    # actions/runner-images#12045: "consider switching to windows-2022 ... or windows-2025".
    HostedLabel("windows-2019", "windows", "x64", "retired", "windows-2022", True,
                "was removed on 2025-06-30"),
    HostedLabel("windows-2016", "windows", "x64", "retired", "windows-2022", False,
                "was removed in 2022"),
    # actions/runner-images#13518: macOS 14 removed on 2026-11-02.
    HostedLabel("macos-14", "macos", "arm64", "retired", "macos-15", True,
                "was removed on 2026-11-02", recent=True),
    HostedLabel("macos-14-xlarge", "macos", "arm64", "retired", "macos-15-xlarge", True,
                "was removed on 2026-11-02", recent=True),
    HostedLabel("macos-14-large", "macos", "x64", "retired", "macos-15-large", True,
                "was removed on 2026-11-02", recent=True),
    # actions/runner-images#13046: macos-15-intel is the x86_64 replacement.
    HostedLabel("macos-13", "macos", "x64", "retired", "macos-15-intel", True,
                "was removed on 2025-12-04"),
    HostedLabel("macos-13-large", "macos", "x64", "retired", "macos-15-large", True,
                "was removed on 2025-12-04"),
    HostedLabel("macos-13-xlarge", "macos", "arm64", "retired", "macos-15-xlarge", True,
                "was removed on 2025-12-04"),
    # actions/runner-images#10721 suggested macos-13/14, both gone now; macos-15-intel keeps
    # the architecture but is not what the notice said, so the move needs review.
    HostedLabel("macos-12", "macos", "x64", "retired", "macos-15-intel", False,
                "was removed on 2024-12-03"),
    HostedLabel("macos-12-large", "macos", "x64", "retired", "macos-15-large", False,
                "was removed on 2024-12-03"),
    HostedLabel("macos-12-xl", "macos", "arm64", "retired", "macos-15-xlarge", False,
                "was removed on 2024-12-03"),
    HostedLabel("macos-12-xlarge", "macos", "arm64", "retired", "macos-15-xlarge", False,
                "was removed on 2024-12-03"),
    HostedLabel("macos-11", "macos", "x64", "retired", "macos-15-intel", False,
                "was removed on 2024-06-28"),
    HostedLabel("macos-10.15", "macos", "x64", "retired", "macos-15-intel", False,
                "was removed on 2022-12-01"),
)

HOSTED_LABELS: dict[str, HostedLabel] = {label.name: label for label in _HOSTED}
CURRENT_LABELS = tuple(label.name for label in _HOSTED if label.status != "retired")

# Labels every self-hosted runner carries
# (https://docs.github.com/en/actions/how-tos/manage-runners/self-hosted-runners/apply-labels).
SELF_HOSTED_PRESETS = frozenset({"self-hosted", "linux", "windows", "macos", "x64", "arm",
                                 "arm64"})
PRESET_OS = frozenset({"linux", "windows", "macos"})


def hosted_label(name: str) -> HostedLabel | None:
    return HOSTED_LABELS.get(name.lower())


_MATRIX_REF = re.compile(r"\$\{\{\s*matrix((?:\.[A-Za-z_][\w-]*)+)\s*\}\}")


def runs_on_labels(job: Job | ReusableCall) -> Iterator[Scalar]:
    """The label scalars of a job's ``runs-on``: written labels, and for a label that is
    exactly ``${{ matrix.x }}`` the constant string values ``x`` takes in the matrix."""
    runs_on = job.runs_on if isinstance(job, Job) else None
    if runs_on is None:
        return
    written = runs_on.labels if runs_on.expression is None else (runs_on.expression,)
    for label in written:
        yield from resolve_label(label, job.matrix)


def resolve_label(label: Scalar, matrix: Matrix | None) -> Iterator[Scalar]:
    """The label itself, or the matrix values of a label that is ``${{ matrix.x }}``; a label
    with any other expression cannot be known statically and gives nothing."""
    found = _MATRIX_REF.fullmatch(label.value.strip())
    if found is None:
        if not contains_expression(label.value):
            yield label
    elif matrix is not None:
        yield from matrix_values(matrix, found.group(1)[1:].split("."))


def matrix_values(matrix: Matrix, path: list[str]) -> Iterator[Scalar]:
    """Constant string scalars ``matrix.<path>`` can take: row values and include values."""
    first = path[0].lower()
    for row in matrix.rows:
        if row.key.value.lower() == first:
            for value in row.values:
                yield from _descend(value, path[1:])
    for entry in matrix.include:
        for key, value in entry.pairs:
            if key.value.lower() == first:
                yield from _descend(value, path[1:])


def _descend(node: Node, path: list[str]) -> Iterator[Scalar]:
    for name in path:
        if not isinstance(node, Mapping):
            return
        found = next((v for k, v in node.pairs if k.value.lower() == name.lower()), None)
        if found is None:
            return
        node = found
    if isinstance(node, Scalar) and node.kind is ScalarKind.STR and not contains_expression(
        node.value
    ):
        yield node


# --------------------------------------------------------------------------- cron shortcuts
# CronSpec.fires and min_interval_minutes scan a 400-year calendar (tens of ms per new
# schedule); these exact shortcuts settle the everyday schedules without it.

_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def surely_fires(spec: CronSpec) -> bool:
    """True when some date certainly matches: a day of month that exists in one of the
    months (any date falls on every weekday over the 400-year cycle), or OR-ed day fields."""
    if not spec.weekdays:
        return False
    if spec.dom_restricted and spec.dow_restricted:
        return True
    return any(day <= _LONGEST_MONTH[month - 1] for month in spec.months for day in spec.days)


def surely_not_too_frequent(spec: CronSpec) -> bool:
    """True when no two runs can be under 5 minutes apart, whatever the days."""
    minutes, hours = sorted(spec.minutes), sorted(spec.hours)
    gaps = [b - a for a, b in pairwise(minutes)]
    spread = minutes[-1] - minutes[0]
    gaps += [(b - a) * 60 - spread for a, b in pairwise(hours)]
    # Across midnight: the last run of one day to the first of the next firing day.
    gaps.append(24 * 60 - ((hours[-1] - hours[0]) * 60 + spread))
    return min(gaps) >= SHORTEST_INTERVAL_MINUTES
