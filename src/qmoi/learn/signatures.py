"""The known GitHub Actions failure signatures (``qmoi/data/known_failures.json``, generated
from the reference table by ``scripts/gen_known_failures.py``) and matching them on a log."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from qmoi.learn.logtext import LogLine, Marker
from qmoi.learn.repairs import FailureClass, Repair, RepairKind


@dataclass(frozen=True, slots=True)
class SignaturePattern:
    """One alternative of a row. ``alone``: it counts only when the log has no other error
    line (the table's "The operation was canceled." "with no other error")."""

    regex: re.Pattern[str]
    alone: bool
    failure_class: FailureClass


@dataclass(frozen=True, slots=True)
class Signature:
    """A known-failures row. ``severity``: W (warning, the job passes), E (fails), B (fails in
    brownout windows, then always)."""

    id: str
    severity: str
    patterns: tuple[SignaturePattern, ...]
    failure_class: FailureClass
    cause: str
    repair: Repair
    sources: tuple[str, ...]

    @property
    def fails_job(self) -> bool:
        return self.severity in ("E", "B")


@dataclass(frozen=True, slots=True)
class SignatureMatch:
    """A log line that matched a known-failure signature, with the pattern and its groups."""

    signature: Signature
    pattern: SignaturePattern
    line: LogLine
    groups: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class KnownFailures:
    """The known-failures table, and the escape hatches no repair may apply."""

    signatures: tuple[Signature, ...]
    never_apply: tuple[str, ...]
    """Escape hatches a repair must never apply (tokens such as ``pull_request_target``)."""


def _signature(raw: dict[str, Any]) -> Signature:
    row_class = FailureClass(raw["class"])
    patterns = tuple(
        SignaturePattern(re.compile(p["regex"]), bool(p.get("alone")),
                         FailureClass(p.get("class", row_class)))
        for p in raw["patterns"])
    repair = Repair(RepairKind(raw["fix_kind"]), raw["fix"], bool(raw["auto_applicable"]))
    return Signature(raw["id"], raw["severity"], patterns, row_class, raw["cause"], repair,
                     tuple(raw["sources"]))


@cache
def known_failures() -> KnownFailures:
    text = resources.files("qmoi.data").joinpath("known_failures.json").read_text("utf-8")
    raw = json.loads(text)
    never = tuple(item["token"] or item["text"] for item in raw["never_apply"])
    return KnownFailures(tuple(_signature(row) for row in raw["signatures"]), never)


def match_signatures(lines: Sequence[LogLine]) -> list[SignatureMatch]:
    """Every row that matches the log, first matching line per row, in table order."""
    errors = sum(1 for line in lines if line.marker is Marker.ERROR)
    found: list[SignatureMatch] = []
    for signature in known_failures().signatures:
        match = _first_match(signature, lines, errors)
        if match is not None:
            found.append(match)
    return found


def _first_match(signature: Signature, lines: Sequence[LogLine],
                 errors: int) -> SignatureMatch | None:
    for pattern in signature.patterns:
        if pattern.alone and errors > 1:
            continue
        for line in lines:
            # ``shown`` keeps the ``##[error]`` marker that some signatures include.
            hit = pattern.regex.search(line.shown)
            if hit:
                return SignatureMatch(signature, pattern, line, hit.groups())
    return None
