"""Bulk enqueuing for the scheduler's sweeps, and leased claiming for its sender.

Adds to `backend.outbox.service` (which stays the one-row API) without changing it:

- `enqueue_many` writes many rows in one batched INSERT … ON CONFLICT (idempotency_key) DO
  NOTHING, so a sweep that runs twice, or is rolled back and rerun, writes each row once.
- `claim` leases due rows: it pushes their `next_attempt_at` forward by the lease in its own
  committed transaction, so no other sender takes them; `settle_*` record the outcome. A sender
  that dies between the network call and `settle_sent` leaves the row leased; when the lease runs
  out it is sent again. That is the only repeat: at most the messages in flight at a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.identities.models import ChatIdentity
from backend.outbox.models import Notification, NotificationStatus

BATCH = 2000


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One notification to queue (plain data)."""

    idempotency_key: str
    template_key: str
    params: dict[str, Any]
    chat_identity_id: int | None
    channel: str = "telegram"
    person_id: int | None = None
    staff_id: int | None = None


@dataclass
class SweepReport:
    """What one sweep did: counts by kind (rows newly queued, rows skipped …)."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, amount: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + amount

    def merge(self, other: SweepReport) -> None:
        for kind, amount in other.counts.items():
            self.add(kind, amount)


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT construct (both have ON CONFLICT DO NOTHING)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def enqueue_many(
    session: AsyncSession,
    *,
    now: datetime,
    rows: Iterable[Outgoing],
    not_before: datetime | None = None,
) -> int:
    """Queue the rows; the number newly written (existing keys are left alone)."""
    insert = insert_for(session)
    written, batch = 0, []
    first = not_before or now

    async def flush_batch(values: list[dict[str, Any]]) -> int:
        if not values:
            return 0
        statement = (
            insert(Notification)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(Notification.id)
        )
        # RETURNING counts what was really written (rowcount is unreliable for executemany).
        result = await session.execute(statement, values)
        return len(result.all())

    for row in rows:
        batch.append(
            {
                "channel": row.channel,
                "chat_identity_id": row.chat_identity_id,
                "person_id": row.person_id,
                "staff_id": row.staff_id,
                "template_key": row.template_key,
                "params": row.params,
                "idempotency_key": row.idempotency_key,
                "status": NotificationStatus.pending,
                "attempts": 0,
                "next_attempt_at": first,
                "created_at": now,
            }
        )
        if len(batch) >= BATCH:
            written += await flush_batch(batch)
            batch = []
    written += await flush_batch(batch)
    return written


async def existing_keys(session: AsyncSession, *, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        result = await session.execute(
            select(Notification.idempotency_key).where(Notification.idempotency_key.in_(chunk))
        )
        found.update(result.scalars())
    return found


async def claim(
    session: AsyncSession, *, now: datetime, channel: str, limit: int, lease: timedelta
) -> list[Notification]:
    """Lease up to `limit` due rows to this sender (commit right after, before sending)."""
    candidates = (
        (
            await session.execute(
                select(Notification.id)
                .where(
                    Notification.channel == channel,
                    Notification.status == NotificationStatus.pending,
                    Notification.next_attempt_at <= now,
                )
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    if not candidates:
        return []
    # The conditional UPDATE is the claim: a row another sender leased meanwhile no longer
    # matches `next_attempt_at <= now` and is not returned.
    claimed = (
        (
            await session.execute(
                update(Notification)
                .where(
                    Notification.id.in_(candidates),
                    Notification.status == NotificationStatus.pending,
                    Notification.next_attempt_at <= now,
                )
                .values(next_attempt_at=now + lease)
                .returning(Notification.id)
                .execution_options(synchronize_session=False)
            )
        )
        .scalars()
        .all()
    )
    if not claimed:
        return []
    rows = await session.execute(
        select(Notification)
        .where(Notification.id.in_(claimed))
        .order_by(Notification.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


async def release(session: AsyncSession, *, notification_id: int, at: datetime) -> None:
    """Give a leased row back unsent, due again at `at` (quiet hours, a busy chat, 429)."""
    await session.execute(
        update(Notification).where(Notification.id == notification_id).values(next_attempt_at=at)
    )


# --- what a transport is given and answers (plain data; bot/ and scheduler/ both import it) ----


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready to send: text, and rows of (label, callback data) buttons."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class SendResult:
    """ok | retry_after (seconds, Telegram 429) | blocked (403: the user blocked the bot) |
    rejected (400: chat not found …, never retried) | server_error (5xx, network: retried)."""

    kind: str
    retry_after: float = 0.0
    detail: str = ""

    @classmethod
    def ok(cls) -> SendResult:
        return cls("ok")


# --- the web chat's inbox (channel "web_chat": nothing is pushed, the page shows the rows) -----

INBOX_CHANNEL = "web_chat"
INBOX_LIMIT = 20  # newest unread shown on one page


async def hand_to_inbox(session: AsyncSession, *, now: datetime) -> int:
    """Due web chat rows are delivered by the page, not sent: mark them `sent` (handed to the
    inbox) with `sent_at` left empty until the device's page has shown them; the number."""
    result = await session.execute(
        update(Notification)
        .where(
            Notification.channel == INBOX_CHANNEL,
            Notification.status == NotificationStatus.pending,
            Notification.next_attempt_at <= now,
        )
        .values(status=NotificationStatus.sent, attempts=Notification.attempts + 1, last_error=None)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return len(result.all())


@dataclass(frozen=True)
class InboxRow:
    id: int
    key: str
    params: dict[str, Any]
    shown: bool  # the page showed it before (only rows of `kept` keys come back shown)


async def inbox_rows(
    session: AsyncSession,
    *,
    external_id: str,
    kept: Sequence[str] = (),
    limit: int = INBOX_LIMIT,
) -> list[InboxRow]:
    """The web chat rows this device has not seen yet, newest first (pending ones too: the page
    may open before the sender's next round), and the rows of the `kept` keys it was shown
    already (a question still waiting for its answer is offered again). One query."""
    identities = select(ChatIdentity.id).where(
        ChatIdentity.channel == INBOX_CHANNEL, ChatIdentity.external_id == external_id
    )
    unread = and_(
        Notification.status.in_((NotificationStatus.pending, NotificationStatus.sent)),
        Notification.sent_at.is_(None),
    )
    wanted = or_(unread, Notification.template_key.in_(kept)) if kept else unread
    result = await session.execute(
        select(
            Notification.id, Notification.template_key, Notification.params, Notification.sent_at
        )
        .where(
            Notification.chat_identity_id.in_(identities),
            Notification.channel == INBOX_CHANNEL,
            wanted,
        )
        .order_by(Notification.id.desc())
        .limit(limit * 2 if kept else limit)
    )
    return [
        InboxRow(row.id, row.template_key, dict(row.params), row.sent_at is not None)
        for row in result
    ]


async def mark_read(session: AsyncSession, *, ids: Sequence[int], now: datetime) -> None:
    """The page showed these rows: delivered (`sent`, `sent_at` = when shown)."""
    if ids:
        await session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.sent_at.is_(None))
            .values(status=NotificationStatus.sent, sent_at=now)
            .execution_options(synchronize_session=False)
        )
