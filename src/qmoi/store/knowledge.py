"""The knowledge base: which failure signatures were seen, which repairs were tried for
each and how often the re-run then went green. Repairs are ranked by their success rate
with Laplace's rule of succession, (successes + 1) / (attempts + 2), so one lucky success
does not outrank a repair that worked nine times out of ten, and an untried repair ranks
at one half."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from qmoi.store.models_kb import FailureSignature, RepairOutcome


@dataclass(frozen=True, slots=True)
class RepairRank:
    """A repair's tries and green re-runs for one signature; ``score`` ranks it."""

    repair: str
    attempts: int
    successes: int

    @property
    def score(self) -> float:
        return (self.successes + 1) / (self.attempts + 2)


def digest(signature: str) -> str:
    return hashlib.sha256(signature.encode("utf-8")).hexdigest()


def record_failure(conn: Connection, signature: str, failure_class: str,
                   example: str | None = None, at: float | None = None) -> int:
    """Count one more occurrence of ``signature``; its id."""
    now = time.time() if at is None else at
    key = digest(signature)
    found = _signature_id(conn, key)
    if found is None:
        try:
            with conn.begin_nested():
                return int(conn.execute(insert(FailureSignature).values(
                    digest=key, signature=signature, failure_class=failure_class,
                    example=example, occurrences=1, first_seen=now, last_seen=now,
                ).returning(FailureSignature.id)).scalar_one())
        except IntegrityError:  # recorded by another process meanwhile
            found = _signature_id(conn, key)
            assert found is not None
    conn.execute(update(FailureSignature).where(FailureSignature.id == found).values(
        occurrences=FailureSignature.occurrences + 1, last_seen=now,
        failure_class=failure_class, example=example or FailureSignature.example))
    return found


def _signature_id(conn: Connection, key: str) -> int | None:
    found = conn.execute(select(FailureSignature.id).where(FailureSignature.digest == key)
                         ).scalar_one_or_none()
    return None if found is None else int(found)


def record_repair(conn: Connection, signature_id: int, repair: str, *, success: bool,
                  at: float | None = None) -> None:
    """One re-run after ``repair`` was applied for this signature, and how it went."""
    now = time.time() if at is None else at
    outcome = "success" if success else "failure"
    where = (RepairOutcome.signature_id == signature_id, RepairOutcome.repair == repair)
    bump = update(RepairOutcome).where(*where).values(
        attempts=RepairOutcome.attempts + 1,
        successes=RepairOutcome.successes + (1 if success else 0),
        last_outcome=outcome, last_seen=now)
    if conn.execute(bump).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(RepairOutcome).values(
                signature_id=signature_id, repair=repair, attempts=1,
                successes=1 if success else 0, last_outcome=outcome, last_seen=now))
    except IntegrityError:  # another process added the row meanwhile: count on it
        conn.execute(bump)


def ranked_repairs(conn: Connection, signature: str) -> list[RepairRank]:
    """The repairs tried for ``signature``, best first."""
    rows = conn.execute(
        select(RepairOutcome.repair, RepairOutcome.attempts, RepairOutcome.successes)
        .join(FailureSignature, FailureSignature.id == RepairOutcome.signature_id)
        .where(FailureSignature.digest == digest(signature))).all()
    ranks = [RepairRank(row.repair, row.attempts, row.successes) for row in rows]
    return sorted(ranks, key=lambda rank: (-rank.score, -rank.attempts, rank.repair))
