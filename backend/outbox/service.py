"""Enqueue notifications (idempotent on the key) and record delivery results.

The scheduler's leased sender (scheduler/sender.py) lists due rows, delivers them and
calls `mark_sent`, `mark_failed` or `mark_unreachable`. Services only flush.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import Clock
from backend.core.errors import InvalidInput
from backend.outbox.models import Notification, NotificationStatus

MAX_ATTEMPTS = 5
_BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))


async def enqueue(
    session: AsyncSession,
    *,
    clock: Clock,
    channel: str,
    template_key: str,
    params: dict[str, Any],
    idempotency_key: str,
    chat_identity_id: int | None = None,
    person_id: int | None = None,
    staff_id: int | None = None,
) -> bool:
    """Queue one notification; False when a row with this key already exists."""
    if not idempotency_key or len(idempotency_key) > 200:
        raise InvalidInput("通知缺少幂等键", code="idempotency_key")
    now = clock.now()
    dialect = session.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(Notification)
        .values(
            channel=channel,
            chat_identity_id=chat_identity_id,
            person_id=person_id,
            staff_id=staff_id,
            template_key=template_key,
            params=params,
            idempotency_key=idempotency_key,
            status=NotificationStatus.pending,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def list_due(
    session: AsyncSession, *, clock: Clock, channel: str, limit: int = 50
) -> list[Notification]:
    result = await session.execute(
        select(Notification)
        .where(
            Notification.channel == channel,
            Notification.status == NotificationStatus.pending,
            Notification.next_attempt_at <= clock.now(),
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    return list(result.scalars())


async def mark_sent(session: AsyncSession, *, clock: Clock, notification: Notification) -> None:
    notification.status = NotificationStatus.sent
    notification.attempts += 1
    notification.sent_at = clock.now()
    notification.last_error = None
    await session.flush()


async def mark_failed(
    session: AsyncSession, *, clock: Clock, notification: Notification, error: str
) -> None:
    """Retry later with back-off; after MAX_ATTEMPTS the row is `failed`."""
    notification.attempts += 1
    notification.last_error = error[:500]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = NotificationStatus.failed
    else:
        delay = _BACKOFF[min(notification.attempts - 1, len(_BACKOFF) - 1)]
        notification.next_attempt_at = clock.now() + delay
    await session.flush()


async def mark_unreachable(
    session: AsyncSession, *, clock: Clock, notification: Notification, error: str
) -> None:
    notification.attempts += 1
    notification.status = NotificationStatus.unreachable
    notification.last_error = error[:500]
    await session.flush()


async def list_for(session: AsyncSession, *, chat_identity_id: int) -> list[Notification]:
    result = await session.execute(
        select(Notification)
        .where(Notification.chat_identity_id == chat_identity_id)
        .order_by(Notification.id)
    )
    return list(result.scalars())
