"""Notifications waiting to be sent, sent, or given up on.

Invariants: `idempotency_key` is unique, so enqueuing the same event twice makes one row; a row
is rendered by the transport from (template_key, params) — never from stored message text.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db import Base


class NotificationStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after retries
    unreachable = "unreachable"  # the recipient blocked the bot or has no chat: a task for a person


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_identities.id"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    template_key: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[NotificationStatus] = mapped_column(
        Enum(NotificationStatus, native_enum=False, length=16), default=NotificationStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
