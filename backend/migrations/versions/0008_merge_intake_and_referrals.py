"""merge clerk intake and referral answers

Revision ID: 0008
Revises: 0007c, 0007q
Create Date: 2026-11-24 02:18:00.000000
"""

from collections.abc import Sequence

revision: str = "0008"
down_revision: str | Sequence[str] | None = ("0007c", "0007q")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
