"""Inline suppressions: ``# qmoi: ignore[rule-name, CODE]`` (or a bare ``# qmoi: ignore``)
in a comment on the line where a finding starts silences that finding.

Comments are not YAML nodes, so the text is scanned; a ``#`` counts only where YAML starts a
comment (at a line start or after whitespace) and outside every scalar's content, so a ``#``
inside a quoted string or a ``run: |`` script is never taken for one. A directive on the
header line of a block scalar (``run: |  # qmoi: ignore[x]``) covers the whole block, since
no comment can stand inside it. Directives that silence nothing are reported, like ruff's
RUF100, with a safe fix that removes them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from qmoi.diagnostics import Diagnostic, Edit, Fix, FixSafety, Severity
from qmoi.parse.nodes import Mapping, Node, Scalar, Sequence
from qmoi.source import SourceFile, Span

SUPPRESS_CODE = "Q901"
SUPPRESS_RULE = "unused-suppression"
MARKER = "qmoi:"
# `ignore` must be followed by a bracketed list or end there: a malformed `ignore[x` must not
# silently turn into "ignore everything".
_DIRECTIVE = re.compile(r"#[ \t]*qmoi:[ \t]*ignore(?:\[([^\]\n]*)\]|(?![\[\w-]))")
_BLOCK_STYLES = frozenset({"|", ">"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One rule named in a directive (``name`` None: the bare form, every rule)."""

    name: str | None
    span: Span


@dataclass(slots=True)
class Suppression:
    """One ``# qmoi: ignore[…]`` directive and the lines it covers; not frozen, as silencing a
    finding marks the entry that did it."""

    span: Span  # the directive, from its `#` to its closing bracket
    first_line: int
    last_line: int
    entries: tuple[Entry, ...]
    used: set[int] = field(default_factory=set)  # indexes of entries that silenced something


def _regions(root: Node) -> tuple[list[int], list[int], dict[int, int]]:
    """Scalar content regions (sorted starts and ends) and, per block scalar, the offset of
    its header line → the offset where it ends."""
    spans: list[tuple[int, int]] = []
    blocks: dict[int, int] = {}
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # aliases make a DAG; visit each node once
            continue
        seen.add(id(node))
        if isinstance(node, Scalar):
            _scalar_region(node, spans, blocks)
        elif isinstance(node, Mapping):
            for key, value in node.pairs:
                stack.extend((key, value))
        elif isinstance(node, Sequence):
            stack.extend(node.items)
    spans.sort()
    return [s for s, _ in spans], [e for _, e in spans], blocks


def _scalar_region(node: Scalar, spans: list[tuple[int, int]], blocks: dict[int, int]) -> None:
    start, end = node.span.start, node.span.end
    if node.style in _BLOCK_STYLES:
        # The span starts at the `|`/`>` indicator; the header line may carry a comment.
        blocks[start] = end
        return  # content lines are found by their header below
    if end > start:
        spans.append((start, end))


def _in_scalar(offset: int, starts: list[int], ends: list[int]) -> bool:
    index = bisect.bisect_right(starts, offset) - 1
    return index >= 0 and offset < ends[index]


def _entries(match: re.Match[str]) -> tuple[Entry, ...]:
    if match.group(1) is None:
        return (Entry(None, Span(match.start(), match.end())),)
    entries = []
    base = match.start(1)
    for part in re.finditer(r"[^,\s]+", match.group(1)):
        entries.append(Entry(part.group(), Span(base + part.start(), base + part.end())))
    return tuple(entries)


def find_suppressions(source: SourceFile, root: Node) -> list[Suppression]:
    """Every directive in a real comment of ``source``."""
    text = source.text
    if MARKER not in text:
        return []
    starts, ends, blocks = _regions(root)
    # A block scalar's span ends after its last line break: its last line is the one before.
    block_lines = {source.position(s).line: source.position(max(s, e - 1)).line
                   for s, e in blocks.items()}
    block_spans = sorted(blocks.items())
    found = []
    for match in _DIRECTIVE.finditer(text):
        at = match.start()
        if at > 0 and text[at - 1] not in " \t\r\n":
            continue
        if _in_scalar(at, starts, ends) or _in_block_body(at, text, block_spans):
            continue
        line = source.position(at).line
        entries = _entries(match)
        if entries:
            found.append(Suppression(Span(at, match.end()), line,
                                     max(line, block_lines.get(line, line)), entries))
    return found


def _in_block_body(offset: int, text: str, blocks: list[tuple[int, int]]) -> bool:
    """Whether ``offset`` lies past the header line of a block scalar, inside its body."""
    index = bisect.bisect_right(blocks, (offset, len(text) + 1)) - 1
    if index < 0:
        return False
    start, end = blocks[index]
    header_end = text.find("\n", start)
    return header_end != -1 and header_end < offset < end


def _matches(entry: Entry, diagnostic: Diagnostic) -> bool:
    return entry.name is None or entry.name in (diagnostic.rule, diagnostic.code)


def _suppressible(diagnostic: Diagnostic) -> bool:
    # YAML errors come before any comment can be trusted, and an unused-suppression finding
    # is about the directive itself.
    return not diagnostic.code.startswith("P") and diagnostic.code != SUPPRESS_CODE


def apply_suppressions(found: Iterable[Diagnostic], source: SourceFile,
                       suppressions: list[Suppression]) -> list[Diagnostic]:
    """The findings no directive silences; marks the directives' entries that were used."""
    if not suppressions:
        return list(found)
    by_line: dict[int, list[Suppression]] = {}
    for suppression in suppressions:
        for line in range(suppression.first_line, suppression.last_line + 1):
            by_line.setdefault(line, []).append(suppression)
    kept = []
    for diagnostic in found:
        if not (_suppressible(diagnostic) and _silenced(diagnostic, source, by_line)):
            kept.append(diagnostic)
    return kept


def _silenced(diagnostic: Diagnostic, source: SourceFile,
              by_line: dict[int, list[Suppression]]) -> bool:
    silenced = False
    for suppression in by_line.get(source.position(diagnostic.span.start).line, ()):
        for index, entry in enumerate(suppression.entries):
            if _matches(entry, diagnostic):
                # Only the first matching entry counts: a second one naming the same rule
                # (by code and by name) is redundant and reported as unused.
                suppression.used.add(index)
                silenced = True
                break
    return silenced


@dataclass(frozen=True, slots=True)
class RuleNames:
    """What the unused-suppression check needs to know about the rules."""

    known: frozenset[str]  # every registered rule's name and code
    enabled: frozenset[str]  # names and codes of the rules that ran
    complete: bool  # every rule that applies to this document ran


def unused_suppressions(source: SourceFile, suppressions: list[Suppression],
                        names: RuleNames) -> list[Diagnostic]:
    """An info finding, with a fix that removes it, for each entry that silenced nothing."""
    found = []
    for suppression in suppressions:
        unused = [i for i, e in enumerate(suppression.entries) if i not in suppression.used]
        everything = len(unused) == len(suppression.entries)
        for index in unused:
            entry = suppression.entries[index]
            message = _unused_message(entry, names)
            if message is None:
                continue
            edits = (_remove_directive(source, suppression) if everything else
                     _remove_entry(source, suppression, index))
            fix = Fix("remove the unused suppression", FixSafety.SAFE, edits)
            found.append(Diagnostic(source.path, entry.span, SUPPRESS_CODE, SUPPRESS_RULE,
                                    Severity.INFO, message, fix))
    return found


def _unused_message(entry: Entry, names: RuleNames) -> str | None:
    if entry.name is None:
        if not names.complete:
            return None  # a rule that did not run might have been silenced here
        return "unused suppression: no finding on this line to ignore"
    if entry.name not in names.known:
        return f'suppression names "{entry.name}", which is no rule name or code'
    if entry.name not in names.enabled:
        return None
    return f'unused suppression: no "{entry.name}" finding on this line to ignore'


def _remove_entry(source: SourceFile, suppression: Suppression, index: int) -> tuple[Edit, ...]:
    """Drop one name and the comma that joins it to its neighbour."""
    entries = suppression.entries
    span = entries[index].span
    if index + 1 < len(entries):
        return (Edit(Span(span.start, entries[index + 1].span.start), ""),)
    return (Edit(Span(entries[index - 1].span.end, span.end), ""),)


def _remove_directive(source: SourceFile, suppression: Suppression) -> tuple[Edit, ...]:
    """Drop the directive; a comment left empty goes with it, and a line left empty too."""
    text = source.text
    start, end = suppression.span.start, suppression.span.end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    rest = text[end:line_end]
    if rest.strip(" \t\r"):
        # Text follows the directive in the same comment: keep the `#` and that text.
        tail = len(rest) - len(rest.lstrip(" \t"))
        return (Edit(Span(start + 1, end + tail), " " if text[start + 1] == " " else ""),)
    before = text[line_start:start]
    if not before.strip(" \t"):
        # The directive was the whole line: remove the line with its line break.
        stop = line_end + 1 if line_end < len(text) else line_end
        return (Edit(Span(line_start, stop), ""),)
    keep = len(before.rstrip(" \t"))
    return (Edit(Span(line_start + keep, end + len(rest) - len(rest.lstrip(" \t"))), ""),)
