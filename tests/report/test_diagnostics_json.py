"""render_json writes by hand what json.dumps(indent=2, ensure_ascii=False) would."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.diagnostics import Diagnostic, Edit, Fix, FixSafety, Located, Severity
from qmoi.report.diagnostics import render_json
from qmoi.source import Span

_text = st.text(st.characters(codec="utf-8"), max_size=30)
_fixes = st.none() | st.builds(Fix, _text, st.sampled_from(list(FixSafety)),
                               st.just((Edit(Span(0, 1), "x"),)))
_numbers = st.integers(min_value=0, max_value=10**7)


@st.composite
def _located(draw: st.DrawFn) -> Located:
    start = draw(_numbers)
    diagnostic = Diagnostic(draw(_text), Span(start, start + draw(_numbers)), draw(_text),
                            draw(_text), draw(st.sampled_from(list(Severity))), draw(_text),
                            draw(_fixes))
    return Located(diagnostic, draw(_numbers), draw(_numbers), draw(_numbers), draw(_numbers))


def _reference(items: list[Located]) -> str:
    return json.dumps([loc.to_json() for loc in items], indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=300)
@given(st.lists(_located(), max_size=4))
def test_render_json_is_json_dumps_with_indent(items: list[Located]) -> None:
    assert render_json(items) == _reference(items)


def test_render_json_escapes_and_empty() -> None:
    d = Diagnostic('a"\\b.yml', Span(0, 1), "W1", "r", Severity.WARNING,
                   "tab\t nl\n bell\x07 é ✓ \u2028", Fix("t\"", FixSafety.SAFE))
    items = [Located(d, 1, 2, 3, 4), Located(d, 5, 6, 7, 8)]
    assert render_json(items) == _reference(items)
    assert json.loads(render_json(items))[1]["message"] == d.message
    assert render_json([]) == "[]\n" == _reference([])
