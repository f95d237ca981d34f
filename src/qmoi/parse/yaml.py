"""Build position-keeping nodes from PyYAML's event stream.

We consume events rather than ``compose`` so that every guard runs *while* parsing,
in bounded memory and without recursion: nesting depth is checked as collections
open, alias expansion is measured (never performed) as nodes close, and duplicate
keys are found with their exact spans. libyaml (``CParser``) does the scanning when
it is available; the pure-Python parser is the fallback.

A pure-Python line-at-a-time reader for plain block YAML, meant to skip libyaml's event
objects, was built and measured as a fast path (issue 4), then dropped: on the 90 files of
the lint subset it accepted it built identical trees but cost 921 M instructions against
this builder's 598 M (callgrind). Its floor alone, one regex tokenizing each line (121 M)
plus creating the nodes (~130 M), is already near half the builder's cost, so CPython
cannot make such a reader the 2x cheaper one it would need to be worth a second parser.

What does pay is the optional C extension ``_cbuild`` (built where a compiler and libyaml's
headers are, see setup.py): it drives libyaml itself and builds the same nodes, skipping
PyYAML's event and Mark objects. It takes only the valid, unremarkable file and returns
None for anything this builder reports, which then runs as before. ``QMOI_NO_CBUILD=1``
turns it off.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from qmoi.diagnostics import Diagnostic, Severity
from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.parse.resolve import TYPED_START, resolve_scalar
from qmoi.source import SourceFile, Span

if TYPE_CHECKING:
    import yaml as pyyaml

MAX_DEPTH = 64
"""Deeper nesting than this is hostile or generated; real workflows stay under 15."""

EXPANSION_FACTOR = 8
EXPANSION_SLACK = 10_000
"""Aliases may expand a document to at most FACTOR × its own node count + SLACK nodes.
Legitimate anchor reuse stays far below; a "billion laughs" document exceeds it
after a handful of levels."""

RULE = "yaml-syntax"

# PyYAML's loader and event classes, set by _load_pyyaml() when a file first needs them.
_LOADER: Any = None
_SCALAR: Any = None
_MAP_START: Any = None
_MAP_END: Any = None
_SEQ_START: Any = None
_SEQ_END: Any = None
_ALIAS: Any = None
_STREAM_END: Any = None
_STR = ScalarKind.STR
_VALUE = attrgetter("value")


def _shell(cls: type) -> Any:
    """A mutable class with the slot layout of the frozen dataclass ``cls``.

    A node is filled as a shell, then becomes ``cls`` by ``__class__`` assignment: a
    frozen dataclass's ``__init__`` (with Span's validation) costs ~4 times as much, its
    slot setters ~2 times (each call packs an argument tuple). libyaml's marks always make
    a valid span. CPython allows the assignment only between identical layouts, so a
    field added to ``cls`` fails here, at import, in every test.
    """
    shell = type(f"_{cls.__name__}Shell", (), {"__slots__": tuple(f.name for f in fields(cls))})
    probe: Any = object.__new__(shell)
    try:
        probe.__class__ = cls
    except TypeError as error:
        raise ImportError(f"qmoi.parse.yaml cannot build {cls.__name__}: {error}") from error
    return shell


_SPAN_SHELL = _shell(Span)
_SCALAR_SHELL = _shell(Scalar)
_MAPPING_SHELL = _shell(Mapping)
_SEQUENCE_SHELL = _shell(Sequence)
_new: Callable[[type], Any] = object.__new__


def _span(start: int, end: int) -> Span:
    span = _new(_SPAN_SHELL)
    span.start = start
    span.end = end
    span.__class__ = Span
    return span  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class ParseResult:
    """A parsed document: its root node (None when nothing could be built) and what the parser
    reported."""

    root: Node | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.root is not None


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Open:
    """A collection being built: its start event and the children seen so far.

    Filled field by field where it is made (a call to an ``__init__`` per collection is
    measurable). A scalar child only joins ``children``: its size is 1 and its event ends
    where its span does, so ``extra`` and ``alias_at`` change only for the rarer children.
    """

    __slots__ = ("alias_at", "alias_end", "anchor", "children", "end", "extra", "flow",
                 "is_mapping", "odd_keys", "start", "tag")
    is_mapping: bool
    start: int
    end: int
    flow: bool
    anchor: str | None
    tag: str | None
    children: list[Node]
    extra: int  # expanded size beyond one node per child: collections and aliases
    # An alias child's node span is the anchor's, elsewhere in the file, so a block
    # collection that ends with one takes its end from the alias event instead.
    alias_at: int
    alias_end: int
    odd_keys: bool  # a mapping key that is not a scalar


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
        events, are handled in the loop itself: a function call per event is measurable.
        ``append`` adds a node to the innermost open collection (or to the documents)."""
        stack, anchors, new = self.stack, self.anchors, _new
        span_shell, scalar_shell = _SPAN_SHELL, _SCALAR_SHELL
        append = self.documents.append
        scalars = 0
        while True:
            event = next_event()
            cls = type(event)
            if cls is _SCALAR:
                value, style, tag, anchor = event.value, event.style or "", event.tag, \
                    event.anchor
                span = new(span_shell)
                span.start = event.start_mark.index
                span.end = event.end_mark.index
                span.__class__ = Span
                node = new(scalar_shell)
                node.value = value
                node.span = span
                # Most scalars are quoted or plain words: strings without a regex.
                if tag is None and (style or (value and value[0] not in TYPED_START)):
                    node.kind = _STR
                else:
                    node.kind = resolve_scalar(value, style, tag)
                node.style = style
                node.tag = tag
                node.anchor = anchor
                node.__class__ = Scalar
                scalars += 1
                if anchor:
                    anchors[anchor] = (node, 1)
                append(node)
            elif cls is _MAP_START or cls is _SEQ_START:
                append = self._open(event, cls is _MAP_START).append
            elif cls is _MAP_END or cls is _SEQ_END:
                self.physical += scalars
                scalars = 0
                self._close(event)
                append = stack[-1].children.append if stack else self.documents.append
            elif cls is _ALIAS:
                self.physical += scalars
                scalars = 0
                self._alias(event)
            elif cls is _STREAM_END:
                return

    def _open(self, event: Any, is_mapping: bool) -> list[Node]:
        start = event.start_mark.index
        if len(self.stack) >= MAX_DEPTH:
            raise _Abort(_diag(self.path, start, start + 1, "P104",
                               f"nesting is deeper than {MAX_DEPTH} levels"))
        top = _new(_Open)
        top.is_mapping = is_mapping
        top.start = start
        top.end = event.end_mark.index
        top.flow = bool(event.flow_style)
        top.anchor = event.anchor
        top.tag = event.tag
        children: list[Node] = []
        top.children = children
        top.extra = 0
        top.alias_at = -1
        top.alias_end = 0
        top.odd_keys = False
        self.stack.append(top)
        return children

    def _close(self, event: Any) -> None:
        top = self.stack.pop()
        children = top.children
        if top.flow:
            end = event.end_mark.index
        elif not children:
            end = top.end
        elif top.alias_at == len(children) - 1:
            end = top.alias_end
        else:
            end = children[-1].span.end
        span = _span(top.start, max(end, top.start))
        node = _new(_MAPPING_SHELL if top.is_mapping else _SEQUENCE_SHELL)
        node.span = span
        node.flow = top.flow
        node.anchor = top.anchor
        node.tag = top.tag
        if top.is_mapping:
            node.pairs, node.index = self._pairs(children, top.odd_keys)
            node.__class__ = Mapping
        else:
            node.items = tuple(children)
            node.__class__ = Sequence
        size = 1 + len(children) + top.extra
        self._guard(size, node)
        self.physical += 1
        self._add(node, size, top.anchor, span.end, False)

    def _alias(self, event: Any) -> None:
        start, end = event.start_mark.index, event.end_mark.index
        target = self.anchors.get(event.anchor)
        if target is None:
            raise _Abort(_diag(self.path, start, end, "P101",
                               f'alias "*{event.anchor}" refers to an unknown anchor'))
        node, size = target
        stack = self.stack
        self._guard(size + (1 + len(stack[-1].children) + stack[-1].extra if stack else 0), node)
        self._add(node, size, None, end, True)

    def _guard(self, size: int, node: Node) -> None:
        """Only aliases make a collection's expanded size exceed the nodes actually written,
        so checking when collections close and aliases land is enough."""
        if size > EXPANSION_FACTOR * self.physical + EXPANSION_SLACK:
            raise _Abort(_diag(
                self.path, node.span.start, node.span.end, "P103",
                "aliases expand this document beyond a safe size (a YAML \"alias bomb\"); "
                "GitHub would reject it"))

    def _add(self, node: Node, size: int, anchor: str | None, end: int, alias: bool) -> None:
        if anchor:
            self.anchors[anchor] = (node, size)
        if not self.stack:
            self.documents.append(node)
            return
        top = self.stack[-1]
        children = top.children
        if top.is_mapping and not len(children) % 2 and type(node) is not Scalar:
            top.odd_keys = True
        if alias:
            top.alias_at, top.alias_end = len(children), end
        children.append(node)
        top.extra += size - 1

    def _pairs(self, children: list[Node], odd_keys: bool
               ) -> tuple[tuple[tuple[Scalar, Node], ...], dict[str, Node]]:
        """The pairs of a mapping and its key index; keys that are not scalars, or that
        repeat, are reported (both rare, so the common case is built in C)."""
        if not odd_keys:
            keys: list[Scalar] = children[::2]  # type: ignore[assignment]
            values = children[1::2]
            index = dict(zip(map(_VALUE, keys), values, strict=True))
            if len(index) == len(keys):
                return tuple(zip(keys, values, strict=True)), index
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
        return tuple(pairs), {k.value: v for k, v in pairs}


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


def _load_cbuild() -> Callable[[str], list[Node] | None] | None:
    if os.environ.get("QMOI_NO_CBUILD"):
        return None
    try:
        from qmoi.parse import _cbuild
    except ImportError:  # not built: no compiler or no libyaml headers at install time
        return None
    _cbuild.configure(Span, Scalar, Mapping, Sequence, resolve_scalar, ScalarKind, MAX_DEPTH,
                      EXPANSION_FACTOR, EXPANSION_SLACK)
    return _cbuild.build


_cbuild_build = _load_cbuild()


def parse_yaml(source: SourceFile) -> ParseResult:
    """Parse one YAML document; problems become diagnostics, never exceptions."""
    if _cbuild_build is not None:
        built = _cbuild_build(source.text)
        if built is not None:
            return _result(source, built, [])
    return _parse_with_pyyaml(source)


def _load_pyyaml() -> Any:
    """PyYAML, imported when a file first needs this builder: the import alone costs ~120 M
    instructions (callgrind), which a lint whose files all take ``_cbuild`` never pays."""
    global _LOADER, _SCALAR, _MAP_START, _MAP_END, _SEQ_START, _SEQ_END, _ALIAS, _STREAM_END
    import yaml

    if _LOADER is None:
        _SCALAR = yaml.ScalarEvent
        _MAP_START, _MAP_END = yaml.MappingStartEvent, yaml.MappingEndEvent
        _SEQ_START, _SEQ_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent
        _ALIAS = yaml.AliasEvent
        _STREAM_END = yaml.StreamEndEvent
        # libyaml's loader when PyYAML was built with it (the usual wheel), else pure Python.
        _LOADER = getattr(yaml, "CLoader", yaml.SafeLoader)
    return yaml


def _parse_with_pyyaml(source: SourceFile) -> ParseResult:
    yaml_lib = _load_pyyaml()
    builder = _Builder(source)
    parser = _LOADER(source.text)
    try:
        builder.run(parser.get_event)
    except _Abort as abort:
        return ParseResult(None, (*builder.diagnostics, abort.diagnostic))
    except yaml_lib.MarkedYAMLError as error:
        return ParseResult(None, (*builder.diagnostics, _yaml_error(source.path, source, error)))
    except yaml_lib.YAMLError as error:  # e.g. a reader error for a control character
        return ParseResult(None, (*builder.diagnostics,
                                  _diag(source.path, 0, 0, "P101", str(error).splitlines()[0])))
    finally:
        parser.dispose()
    return _result(source, builder.documents, list(builder.diagnostics))


def _result(source: SourceFile, docs: list[Node], diagnostics: list[Diagnostic]) -> ParseResult:
    if len(docs) > 1:
        extra = docs[1].span
        diagnostics.append(_diag(source.path, extra.start, extra.end, "P110",
                                 "a workflow file must hold exactly one YAML document"))
    return ParseResult(docs[0] if docs else None, tuple(diagnostics))

