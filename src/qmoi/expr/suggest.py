""""Did you mean" for names: contexts, properties, functions."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def closest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate closest to ``word``, if one is close (case is ignored)."""
    lowered = word.lower()
    by_lower = {c.lower(): c for c in candidates}
    if lowered in by_lower:
        return by_lower[lowered]
    close = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=0.75)
    return by_lower[close[0]] if close else None
