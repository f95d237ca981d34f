"""The knowledge base: failure signatures seen in job logs, the repairs tried for each and
whether the re-run went green. Repairs are ranked by their success rate per signature.

``KnowledgeBase`` is the seam; ``qmoi.learn.kb_store`` keeps it in the store's tables (the
default), ``JsonKnowledgeBase`` in one JSON file, ``MemoryKnowledgeBase`` in memory.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from qmoi.errors import InputError
from qmoi.fsutil import atomic_write
from qmoi.learn.classify import Explanation

FLAKY = "flaky"
"""The outcome of a re-run on the same commit that passed: the test is flaky, not fixed."""


@dataclass(frozen=True, slots=True)
class RepairStats:
    """How often one repair was tried for a signature and how often the re-run went green."""

    repair: str
    attempts: int
    successes: int
    last_outcome: str | None = None

    @property
    def rate(self) -> float:
        return self.successes / self.attempts if self.attempts else 0.0

    @property
    def score(self) -> float:
        """Laplace's rule of succession, as the store ranks: one lucky success does not
        outrank nine out of ten, and an untried repair scores one half."""
        return (self.successes + 1) / (self.attempts + 2)

    def to_json(self) -> dict[str, Any]:
        return {"repair": self.repair, "attempts": self.attempts, "successes": self.successes,
                "rate": round(self.rate, 3), "score": round(self.score, 3),
                "last_outcome": self.last_outcome}


@dataclass(frozen=True, slots=True)
class KbEntry:
    """What the knowledge base knows of one failure signature, with the repairs tried for it."""

    signature: str
    failure_class: str
    occurrences: int
    first_seen: float
    last_seen: float
    example: str | None = None
    repairs: tuple[RepairStats, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"signature": self.signature, "class": self.failure_class,
                "occurrences": self.occurrences, "first_seen": self.first_seen,
                "last_seen": self.last_seen, "example": self.example,
                "repairs": [r.to_json() for r in self.repairs]}


class KnowledgeBase(Protocol):
    def record(self, signature: str, failure_class: str, repair: str, succeeded: bool, *,
               example: str | None = None, outcome: str | None = None) -> None:
        """One failure seen, the repair tried for it and whether the re-run went green
        (``outcome`` says more, e.g. ``flaky``)."""
        ...

    def ranked(self, signature: str) -> list[RepairStats]:
        """The repairs tried for ``signature``, best success rate first."""
        ...

    def entries(self) -> list[KbEntry]:
        ...


UNTRIED_SCORE = 0.5


def rank(repairs: Iterable[RepairStats]) -> list[RepairStats]:
    """Best first: score, then more evidence, then name."""
    return sorted(repairs, key=lambda r: (-r.score, -r.attempts, r.repair))


_NUMBERS = re.compile(r"0x[0-9a-f]+|\b[0-9a-f]{7,40}\b|\d+(?:\.\d+)*", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def failure_signature(explanation: Explanation, where: str) -> str:
    """A signature specific enough to learn from: what decided the class, the place
    (``workflow/job``) and the first explaining line with numbers and hashes blanked, so
    the same failure on the next run has the same signature."""
    decided = explanation.signature or f"class:{explanation.failure_class.value}"
    first = next((p.text for p in explanation.lines
                  if p.text.strip() and not p.text.startswith(("##[step]", "##[group]"))), "")
    shape = _SPACE.sub(" ", _NUMBERS.sub("N", first)).strip()[:160]
    return f"{decided} @ {where}: {shape}" if shape else f"{decided} @ {where}"


@dataclass(slots=True)
class _Entry:
    """A signature's mutable record in ``MemoryKnowledgeBase`` (``KbEntry`` is its frozen view)."""

    failure_class: str
    occurrences: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0
    example: str | None = None
    repairs: dict[str, RepairStats] = field(default_factory=dict)


class MemoryKnowledgeBase:
    """The knowledge base in memory (``JsonKnowledgeBase`` persists it)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def record(self, signature: str, failure_class: str, repair: str, succeeded: bool, *,
               example: str | None = None, outcome: str | None = None) -> None:
        now = time.time()
        with self._lock:
            entry = self._entries.setdefault(signature, _Entry(failure_class, first_seen=now))
            entry.failure_class, entry.last_seen = failure_class, now
            entry.occurrences += 1
            entry.example = example or entry.example
            old = entry.repairs.get(repair, RepairStats(repair, 0, 0))
            entry.repairs[repair] = RepairStats(
                repair, old.attempts + 1, old.successes + int(succeeded),
                outcome or ("green" if succeeded else "failed"))
        self._changed()

    def ranked(self, signature: str) -> list[RepairStats]:
        with self._lock:
            entry = self._entries.get(signature)
            return rank(entry.repairs.values()) if entry else []

    def entries(self) -> list[KbEntry]:
        with self._lock:
            return [KbEntry(sig, e.failure_class, e.occurrences, e.first_seen, e.last_seen,
                            e.example, tuple(rank(e.repairs.values())))
                    for sig, e in sorted(self._entries.items(),
                                         key=lambda item: -item[1].last_seen)]

    def _changed(self) -> None:
        """Called after each record (the file-backed subclass saves)."""

    def _load(self, entries: Iterable[KbEntry]) -> None:
        for item in entries:
            self._entries[item.signature] = _Entry(
                item.failure_class, item.occurrences, item.first_seen, item.last_seen,
                item.example, {r.repair: r for r in item.repairs})


class JsonKnowledgeBase(MemoryKnowledgeBase):
    """The knowledge base in one JSON file, rewritten atomically after every record."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        if path.exists():
            self._load(_read(path))

    def _changed(self) -> None:
        data = {"version": 1, "entries": [e.to_json() for e in self.entries()]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, (json.dumps(data, indent=1) + "\n").encode())


def _read(path: Path) -> list[KbEntry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [_entry(raw) for raw in data["entries"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"the knowledge base cannot be read ({error}); move it away to "
                         "start afresh", location=str(path)) from None


def _entry(raw: dict[str, Any]) -> KbEntry:
    repairs = tuple(RepairStats(str(r["repair"]), int(r["attempts"]), int(r["successes"]),
                                r.get("last_outcome")) for r in raw["repairs"])
    return KbEntry(str(raw["signature"]), str(raw["class"]), int(raw["occurrences"]),
                   float(raw["first_seen"]), float(raw["last_seen"]), raw.get("example"),
                   repairs)
