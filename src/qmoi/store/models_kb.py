"""The knowledge base (issue 9): failure signatures seen in job logs and the repairs tried
for each, with how often they made the re-run go green. Added by migration revision 2."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qmoi.store.models import Base


class FailureSignature(Base):
    """``digest`` is the SHA-256 of ``signature`` (texts may be long; the digest is unique)."""

    __tablename__ = "failure_signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    signature: Mapped[str] = mapped_column(Text)
    failure_class: Mapped[str] = mapped_column(String(32), index=True)
    example: Mapped[str | None] = mapped_column(Text)
    occurrences: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[float]
    last_seen: Mapped[float]


class RepairOutcome(Base):
    """One repair tried for a signature: ``attempts`` re-runs after applying it, of which
    ``successes`` went green."""

    __tablename__ = "repairs"
    __table_args__ = (UniqueConstraint("signature_id", "repair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        ForeignKey("failure_signatures.id", ondelete="CASCADE"), index=True)
    repair: Mapped[str]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    successes: Mapped[int] = mapped_column(Integer, default=0)
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    last_seen: Mapped[float]
