"""Untrusted-input matching: the indexed lookup answers as a scan of every pattern does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qmoi.check.security_util import UNTRUSTED, untrusted_match

NAMES = sorted({part for pattern in UNTRUSTED for part in pattern} | {"*", "matrix", "x"})


def _scan(path: tuple[str, ...]) -> str | None:
    for pattern in UNTRUSTED:
        if len(pattern) == len(path) and all(
                a == b or a == "*" or b == "*" for a, b in zip(pattern, path, strict=True)):
            return ".".join(path)
    return None


def test_known_fields() -> None:
    assert untrusted_match(("github", "event", "issue", "title")) == "github.event.issue.title"
    assert untrusted_match(("github", "head_ref")) == "github.head_ref"
    assert untrusted_match(("github", "sha")) is None
    assert untrusted_match(("matrix", "os")) is None
    assert untrusted_match(()) is None


def test_wildcards_on_either_side() -> None:
    assert untrusted_match(("github", "event", "pull_request", "*")) is not None
    assert untrusted_match(("*", "event", "issue", "title")) == "*.event.issue.title"
    assert untrusted_match(("github", "event", "workflow_run", "pull_requests", "0", "head",
                            "ref")) is not None


def test_every_pattern_matches_itself() -> None:
    for pattern in UNTRUSTED:
        assert untrusted_match(pattern) == ".".join(pattern)


@given(st.lists(st.sampled_from(NAMES), max_size=8).map(tuple))
def test_same_answer_as_a_full_scan(path: tuple[str, ...]) -> None:
    assert untrusted_match(path) == _scan(path)


@st.composite
def _near_patterns(draw: st.DrawFn) -> tuple[str, ...]:
    pattern = list(draw(st.sampled_from(UNTRUSTED)))
    at = draw(st.integers(0, len(pattern) - 1))
    pattern[at] = draw(st.sampled_from(NAMES))
    return tuple(pattern)


@given(_near_patterns())
def test_same_answer_near_the_patterns(path: tuple[str, ...]) -> None:
    assert untrusted_match(path) == _scan(path)
