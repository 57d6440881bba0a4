"""referral answers: when and what a referred department or provider answered

Revision ID: 0007q
Revises: 0006s
Create Date: 2026-11-24 01:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.core.db

revision: str = "0007q"
down_revision: str | Sequence[str] | None = "0006s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("answered_at", backend.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_referrals_due_at"), ["due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_referrals_due_at"))
        batch_op.drop_column("answer")
        batch_op.drop_column("answered_at")
