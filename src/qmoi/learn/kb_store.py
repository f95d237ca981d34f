"""The knowledge base in the store's tables (``qmoi.store.knowledge``): shared by every
``qmoi`` process using the same database, SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from sqlalchemy import select

from qmoi.learn.kb import FLAKY, KbEntry, RepairStats, rank
from qmoi.learn.repairs import RepairKind
from qmoi.store import Store
from qmoi.store.knowledge import ranked_repairs, record_failure, record_repair
from qmoi.store.models_kb import FailureSignature, RepairOutcome

_STORE_OUTCOMES = {"success": "green", "failure": "failed"}


class StoreKnowledgeBase:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, signature: str, failure_class: str, repair: str, succeeded: bool, *,
               example: str | None = None, outcome: str | None = None) -> None:
        # The store keeps success/failure only; "flaky" is read back from the repair's name.
        with self.store.transaction() as conn:
            found = record_failure(conn, signature, failure_class, example)
            record_repair(conn, found, repair, success=succeeded)

    def ranked(self, signature: str) -> list[RepairStats]:
        with self.store.transaction() as conn:
            ranks = ranked_repairs(conn, signature)
        return rank(RepairStats(r.repair, r.attempts, r.successes) for r in ranks)

    def entries(self) -> list[KbEntry]:
        with self.store.read() as session:
            signatures = session.scalars(select(FailureSignature).order_by(
                FailureSignature.last_seen.desc())).all()
            outcomes = session.scalars(select(RepairOutcome)).all()
        by_signature: dict[int, list[RepairStats]] = {}
        for row in outcomes:
            by_signature.setdefault(row.signature_id, []).append(
                RepairStats(row.repair, row.attempts, row.successes,
                            _outcome(row.repair, row.last_outcome)))
        return [KbEntry(s.signature, s.failure_class, s.occurrences, s.first_seen,
                        s.last_seen, s.example, tuple(rank(by_signature.get(s.id, []))))
                for s in signatures]


def _outcome(repair: str, stored: str | None) -> str | None:
    if repair == RepairKind.RERUN_FLAKY.value and stored == "success":
        return FLAKY
    return _STORE_OUTCOMES.get(stored or "", stored)
