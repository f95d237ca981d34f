"""The knowledge base: failure signatures and the repairs tried for them.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failure_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("failure_class", sa.String(length=32), nullable=False),
        sa.Column("example", sa.Text(), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.Float(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_failure_signatures"),
        sa.UniqueConstraint("digest", name="uq_failure_signatures_digest"),
    )
    op.create_index("ix_failure_signatures_failure_class", "failure_signatures",
                    ["failure_class"], unique=False)
    op.create_table(
        "repairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("repair", sa.String(length=255), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("successes", sa.Integer(), nullable=False),
        sa.Column("last_outcome", sa.String(length=32), nullable=True),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["signature_id"], ["failure_signatures.id"],
                                name="fk_repairs_signature_id_failure_signatures",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_repairs"),
        sa.UniqueConstraint("signature_id", "repair", name="uq_repairs_signature_id_repair"),
    )
    op.create_index("ix_repairs_signature_id", "repairs", ["signature_id"], unique=False)


def downgrade() -> None:
    op.drop_table("repairs")
    op.drop_table("failure_signatures")
