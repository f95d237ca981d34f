"""Stage 4: apply rules' fixes by splicing the original text, to a fixed point."""

from qmoi.fix.apply import apply_edits, select_compatible
from qmoi.fix.engine import AppliedFix, FixOutcome, RejectedFix, fix_source

__all__ = [
    "AppliedFix",
    "FixOutcome",
    "RejectedFix",
    "apply_edits",
    "fix_source",
    "select_compatible",
]
