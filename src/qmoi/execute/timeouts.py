"""``timeout-minutes`` values: a positive number of minutes (fractions allowed, as the
runner reads a double)."""

from __future__ import annotations

from qmoi.parse.nodes import Scalar
from qmoi.plan.values import EvaluationError, locate
from qmoi.source import SourceFile


def minutes_to_seconds(text: str | None, what: str, source: SourceFile | None = None,
                       scalar: Scalar | None = None) -> float | None:
    """Seconds for a rendered ``timeout-minutes``; None when it is not set."""
    if text is None or not text.strip():
        return None
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not minutes > 0:
        raise EvaluationError(f"{what} must be a positive number of minutes, not {text!r}",
                              location=locate(source, scalar))
    return minutes * 60
