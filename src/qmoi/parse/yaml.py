"""Build position-keeping nodes from PyYAML's event stream.

We consume events rather than ``compose`` so that every guard runs *while* parsing,
in bounded memory and without recursion: nesting depth is checked as collections
open, alias expansion is measured (never performed) as nodes close, and duplicate
keys are found with their exact spans. libyaml (``CParser``) does the scanning when
it is available; the pure-Python parser is the fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import yaml as pyyaml

from qmoi.diagnostics import Diagnostic, Severity
from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.parse.resolve import TYPED_START, resolve_scalar
from qmoi.source import SourceFile, Span

# libyaml's loader when PyYAML was built with it (the usual wheel), else pure Python.
_LOADER: Any = getattr(pyyaml, "CLoader", pyyaml.SafeLoader)

MAX_DEPTH = 64
"""Deeper nesting than this is hostile or generated; real workflows stay under 15."""

EXPANSION_FACTOR = 8
EXPANSION_SLACK = 10_000
"""Aliases may expand a document to at most FACTOR × its own node count + SLACK nodes.
Legitimate anchor reuse stays far below; a "billion laughs" document exceeds it
after a handful of levels."""

RULE = "yaml-syntax"

_SCALAR = pyyaml.ScalarEvent
_MAP_START, _MAP_END = pyyaml.MappingStartEvent, pyyaml.MappingEndEvent
_SEQ_START, _SEQ_END = pyyaml.SequenceStartEvent, pyyaml.SequenceEndEvent
_ALIAS = pyyaml.AliasEvent
_STREAM_END = pyyaml.StreamEndEvent
_STR = ScalarKind.STR


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of a frozen dataclass whose fields must be exactly ``names``."""
    found = tuple(f.name for f in fields(cls))
    if found != names:  # fail at import, in every test, rather than build half a node
        raise ImportError(f"the YAML builder fills the fields {names} of {cls.__name__}, "
                          f"which now has {found}: update qmoi.parse.yaml")
    return tuple(getattr(cls, name).__set__ for name in names)


# Scalars are most of a document's nodes, and a frozen dataclass's __init__ (with Span's
# validation) costs twice as much as filling the slots directly; libyaml's marks always
# make a valid span.
_SPAN_SET = _slot_setters(Span, ("start", "end"))
_SCALAR_SET = _slot_setters(Scalar, ("value", "span", "kind", "style", "tag", "anchor"))


@dataclass(frozen=True, slots=True)
class ParseResult:
    root: Node | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.root is not None


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(slots=True)
class _Open:
    """A collection being built: its start event and the children seen so far."""

    is_mapping: bool
    start: int
    end: int
    flow: bool
    anchor: str | None
    tag: str | None
    children: list[Node]
    size: int
    # Where the last child's *event* ended: an alias child's node span is the anchor's,
    # elsewhere in the file, so a block collection's end is taken from here instead.
    last_end: int = -1


def _diag(path: str, start: int, end: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, Span(start, max(start, end)), code, RULE, Severity.ERROR, message)


class _Builder:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.path = source.path
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.physical = 0
        self.documents: list[Node] = []
        self.diagnostics: list[Diagnostic] = []

    def run(self, next_event: Callable[[], Any]) -> None:
        """Consume the events up to the end of the stream. Scalars, two thirds of all
        events, are handled in the loop itself: a function call per event is measurable."""
        stack = self.stack
        new = object.__new__
        set_start, set_end = _SPAN_SET
        set_value, set_span, set_kind, set_style, set_tag, set_anchor = _SCALAR_SET
        while True:
            event = next_event()
            cls = type(event)
            if cls is _SCALAR:
                value, style, tag, anchor = event.value, event.style or "", event.tag, \
                    event.anchor
                end = event.end_mark.index
                # Most scalars are quoted or plain words: strings without a regex.
                if tag is None and (style or (value and value[0] not in TYPED_START)):
                    kind = _STR
                else:
                    kind = resolve_scalar(value, style, tag)
                span = new(Span)
                set_start(span, event.start_mark.index)
                set_end(span, end)
                node = new(Scalar)
                set_value(node, value)
                set_span(node, span)
                set_kind(node, kind)
                set_style(node, style)
                set_tag(node, tag)
                set_anchor(node, anchor)
                self.physical += 1
                if anchor:
                    self.anchors[anchor] = (node, 1)
                if stack:
                    top = stack[-1]
                    top.children.append(node)
                    top.size += 1
                    top.last_end = end
                else:
                    self.documents.append(node)
            elif cls is _MAP_START or cls is _SEQ_START:
                self._open(event, cls is _MAP_START)
            elif cls is _MAP_END or cls is _SEQ_END:
                self._close(event)
            elif cls is _ALIAS:
                self._alias(event)
            elif cls is _STREAM_END:
                return

    def _open(self, event: Any, is_mapping: bool) -> None:
        start = event.start_mark.index
        if len(self.stack) >= MAX_DEPTH:
            raise _Abort(_diag(self.path, start, start + 1, "P104",
                               f"nesting is deeper than {MAX_DEPTH} levels"))
        self.stack.append(_Open(is_mapping, start, event.end_mark.index, bool(event.flow_style),
                                event.anchor, event.tag, [], 1))

    def _close(self, event: Any) -> None:
        top = self.stack.pop()
        end = top.last_end if top.children else top.end
        if top.flow:
            end = event.end_mark.index
        span = Span(top.start, max(end, top.start))
        node: Node
        if top.is_mapping:
            pairs = self._pairs(top.children)
            index = {k.value: v for k, v in pairs}
            node = Mapping(pairs, span, top.flow, top.anchor, top.tag, index)
        else:
            node = Sequence(tuple(top.children), span, top.flow, top.anchor, top.tag)
        self._guard(top.size, node)
        self.physical += 1
        self._add(node, top.size, top.anchor, span.end)

    def _alias(self, event: Any) -> None:
        start, end = event.start_mark.index, event.end_mark.index
        target = self.anchors.get(event.anchor)
        if target is None:
            raise _Abort(_diag(self.path, start, end, "P101",
                               f'alias "*{event.anchor}" refers to an unknown anchor'))
        node, size = target
        self._guard(size + (self.stack[-1].size if self.stack else 0), node)
        self._add(node, size, None, end)

    def _guard(self, size: int, node: Node) -> None:
        """Only aliases make a collection's expanded size exceed the nodes actually written,
        so checking when collections close and aliases land is enough."""
        if size > EXPANSION_FACTOR * self.physical + EXPANSION_SLACK:
            raise _Abort(_diag(
                self.path, node.span.start, node.span.end, "P103",
                "aliases expand this document beyond a safe size (a YAML \"alias bomb\"); "
                "GitHub would reject it"))

    def _add(self, node: Node, size: int, anchor: str | None, end: int) -> None:
        if anchor:
            self.anchors[anchor] = (node, size)
        if self.stack:
            top = self.stack[-1]
            top.children.append(node)
            top.size += size
            top.last_end = end
        else:
            self.documents.append(node)

    def _pairs(self, children: list[Node]) -> tuple[tuple[Scalar, Node], ...]:
        pairs: list[tuple[Scalar, Node]] = []
        seen: dict[str, Scalar] = {}
        for key, value in zip(children[::2], children[1::2], strict=True):
            if not isinstance(key, Scalar):
                self.diagnostics.append(_diag(self.path, key.span.start, key.span.end, "P108",
                                              "mapping keys must be plain strings"))
                continue
            if key.value in seen:
                first = self.source.position(seen[key.value].span.start)
                self.diagnostics.append(_diag(
                    self.path, key.span.start, key.span.end, "P102",
                    f'key "{key.value}" is duplicated; it was first defined at line '
                    f"{first.line}, column {first.column}"))
            seen[key.value] = key
            pairs.append((key, value))
        return tuple(pairs)


def _yaml_error(path: str, source: SourceFile, error: pyyaml.MarkedYAMLError) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    offset = mark.index if mark is not None else 0
    problem = error.problem or error.context or "invalid YAML"
    if "maximum nesting depth" in problem:  # libyaml's own bound, hit while scanning ahead
        message = f"nesting is deeper than {MAX_DEPTH} levels"
        code = "P104"
    elif source.text[offset : offset + 1] == "\t":
        message = "tab character in indentation: YAML allows only spaces there"
        code = "P107"
    elif "end of stream" in problem and error.context and "scalar" in error.context:
        what = error.context.replace("while scanning ", "").removeprefix("a ")
        message = f"unterminated {what}: the file ends before it is closed"
        start = error.context_mark.index if error.context_mark is not None else offset
        return _diag(path, start, start + 1, "P109", message)
    else:
        message = problem if not error.context else f"{problem} ({error.context})"
        code = "P101"
    end = min(offset + 1, len(source.text))
    return _diag(path, offset, max(end, offset), code, message)


def parse_yaml(source: SourceFile) -> ParseResult:
    """Parse one YAML document; problems become diagnostics, never exceptions."""
    builder = _Builder(source)
    parser = _LOADER(source.text)
    try:
        builder.run(parser.get_event)
    except _Abort as abort:
        return ParseResult(None, (*builder.diagnostics, abort.diagnostic))
    except pyyaml.MarkedYAMLError as error:
        return ParseResult(None, (*builder.diagnostics, _yaml_error(source.path, source, error)))
    except pyyaml.YAMLError as error:  # e.g. a reader error for a control character
        return ParseResult(None, (*builder.diagnostics,
                                  _diag(source.path, 0, 0, "P101", str(error).splitlines()[0])))
    finally:
        parser.dispose()
    docs = builder.documents
    diagnostics = list(builder.diagnostics)
    if len(docs) > 1:
        extra = docs[1].span
        diagnostics.append(_diag(source.path, extra.start, extra.end, "P110",
                                 "a workflow file must hold exactly one YAML document"))
    return ParseResult(docs[0] if docs else None, tuple(diagnostics))

