"""Properties of fixing, over the real workflows of the shared corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmoi.check import check_source
from qmoi.fix import apply_edits, fix_source
from qmoi.parse import decode_source, parse_yaml
from tests_support import corpus_files

FILES = corpus_files()


def _load(path: Path):  # type: ignore[no-untyped-def]
    source, problems = decode_source(path.read_bytes(), path.name)
    assert not problems
    return source


@pytest.mark.skipif(not FILES, reason="the shared corpus is not available")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FILES or [Path("/")]), st.booleans())
def test_fixing_never_breaks_a_file_or_adds_a_problem(path: Path, unsafe: bool) -> None:
    source = _load(path)
    before = Counter(d.code for d in check_source(source))
    outcome = fix_source(source, unsafe=unsafe)
    if not outcome.changed:
        assert outcome.text == source.text
        return
    assert parse_yaml(outcome.source).root is not None
    after = Counter(d.code for d in check_source(outcome.source))
    assert not (after - before), f"new problems: {after - before}"


@pytest.mark.skipif(not FILES, reason="the shared corpus is not available")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FILES or [Path("/")]))
def test_one_round_changes_only_the_edited_spans(path: Path) -> None:
    source = _load(path)
    outcome = fix_source(source, unsafe=True, max_rounds=1)
    edits = [e for applied in outcome.applied for e in applied.edits]
    assert outcome.text == apply_edits(source.text, edits)
    cursor = 0
    rebuilt = []
    for edit in sorted(edits, key=lambda e: e.span.start):
        rebuilt.append(source.text[cursor : edit.span.start])
        cursor = edit.span.end
    rebuilt.append(source.text[cursor:])
    kept = "".join(rebuilt)
    # Every untouched byte survives, in order.
    it = iter(outcome.text)
    assert all(ch in it for ch in kept)
