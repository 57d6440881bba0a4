"""clerk intake: hotline work-order due date on cases, one-time form nonces

Revision ID: 0007c
Revises: 0006s
Create Date: 2026-11-24 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.core.db

revision: str = "0007c"
down_revision: str | Sequence[str] | None = "0006s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "work_order_due_at", backend.core.db.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.create_table(
        "intake_nonces",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_intake_nonces_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_intake_nonces_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_intake_nonces")),
    )


def downgrade() -> None:
    op.drop_table("intake_nonces")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("work_order_due_at")
