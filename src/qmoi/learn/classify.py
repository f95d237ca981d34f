"""Classify a failed job's log: which kind of failure, which signature says so, which repair.

Order (the known-failures table's own advice): a job-failing known signature decides first;
then the heuristics vote over the lines that explain the failure; a warning-only known
signature (a deprecation notice in a job that failed for another reason) decides only when
nothing else does; otherwise the class is ``unknown``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from qmoi.learn.extract import Chunk, Picked, chunks_of, failing_command
from qmoi.learn.heuristics import HEURISTICS, PRIORITY, Heuristic
from qmoi.learn.logtext import LogLine, read_log
from qmoi.learn.repairs import CLASS_REPAIRS, FailureClass, Repair
from qmoi.learn.signatures import SignatureMatch, match_signatures

# Heuristics read a line without its CI marker (``##[error]``, ``::error file=…::``).
_MARKER = re.compile(r"^(?:##\[[a-z-]+\]|::[a-z-]+(?: [^:]*)?::)")


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a job failed. ``signature`` names what decided the class: ``known-failures#<row>``
    or ``heuristic:<name>`` (None when nothing matched)."""

    failure_class: FailureClass
    signature: str | None
    repair: Repair
    lines: tuple[Picked, ...]
    chunks: tuple[Chunk, ...]


def explain(log: str) -> Explanation:
    """Read a log (GitHub, QMOI or Travis style) and explain its failure."""
    return explain_lines(read_log(log))


def explain_lines(lines: Sequence[LogLine]) -> Explanation:
    chunks = chunks_of(lines)
    picked = tuple(p for chunk in chunks for p in chunk.lines)
    matches = match_signatures(lines)
    failing = next((m for m in matches if m.signature.fails_job), None)
    if failing is not None:
        return _from_signature(failing, _with_line(picked, failing))
    command = failing_command(lines)
    voted = vote((*picked, Picked(command.number, command.text)) if command else picked)
    if voted is not None:
        failure_class, heuristic = voted
        repair = heuristic.repair or CLASS_REPAIRS[failure_class]
        return Explanation(failure_class, f"heuristic:{heuristic.name}", repair, picked, chunks)
    if matches:
        return _from_signature(matches[0], _with_line(picked, matches[0]))
    return Explanation(FailureClass.UNKNOWN, None, CLASS_REPAIRS[FailureClass.UNKNOWN], picked,
                       chunks)


def _with_line(picked: tuple[Picked, ...], match: SignatureMatch) -> tuple[Picked, ...]:
    """The explaining lines, with the signature's own line in its place when it is missing."""
    if any(p.line == match.line.number for p in picked):
        return picked
    extra = Picked(match.line.number, match.line.shown)
    merged = sorted((*picked, extra), key=lambda p: p.line)
    return tuple(merged[-20:]) if merged[-1] == extra else tuple(merged[:20])


def _from_signature(match: SignatureMatch, picked: tuple[Picked, ...]) -> Explanation:
    signature = match.signature
    chunk = Chunk(picked, 0.0)
    return Explanation(match.pattern.failure_class, f"known-failures#{signature.id}",
                       signature.repair, picked, (chunk,) if picked else ())


def vote(picked: Sequence[Picked]) -> tuple[FailureClass, Heuristic] | None:
    """The class the heuristics give most weight to over ``picked`` (each line votes once
    per class, with its strongest heuristic), and the heuristic that weighed most for it."""
    weight: dict[FailureClass, float] = defaultdict(float)
    best: dict[FailureClass, tuple[float, int, Heuristic]] = {}
    for index, line in enumerate(picked):
        strongest: dict[FailureClass, Heuristic] = {}
        text = _MARKER.sub("", line.text)
        for heuristic in HEURISTICS:
            if heuristic.pattern.search(text):
                current = strongest.get(heuristic.failure_class)
                if current is None or heuristic.weight > current.weight:
                    strongest[heuristic.failure_class] = heuristic
        for failure_class, heuristic in strongest.items():
            weight[failure_class] += heuristic.weight
            # The earliest of the strongest heuristics names the signature.
            key = (heuristic.weight, -index, heuristic)
            if failure_class not in best or key[:2] > best[failure_class][:2]:
                best[failure_class] = key
    if not weight:
        return None
    winner = max(weight, key=lambda c: (weight[c], -PRIORITY.index(c)))
    return winner, best[winner][2]
