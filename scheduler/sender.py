"""The outbox sender: delivers due rows within Telegram's limits, records each result.

Exactly-once as far as a network allows: rows are leased (`delivery.claim`, committed before any
send), each result is recorded in its own short transaction right after its send. A crash between
a send and its record repeats only that message, when its lease runs out; no other row is sent
twice, across restarts and across several senders.

Results: ok → sent; 429 → due again after `retry_after` and every send pauses as long; 5xx or a
network error → retried with back-off (outbox.service.mark_failed, then `failed`); 403 (blocked)
or 400 (no such chat) → unreachable, and the message goes as a task to the relative on file or
the village worker (backend.visits.handoff). Web chat rows (channel `web_chat`) are never sent:
each round marks the due ones `sent` ("handed to the inbox"; `sent_at` stays empty until the
device's chat page has shown them, backend/web/chat/inbox.py), at any hour. Residents get nothing
in quiet hours (21:00–08:00 by default): their rows wait until the morning; staff rows go at any
hour.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import BUSINESS_TZ
from backend.core.runtime import Runtime
from backend.identities.models import ChatIdentity
from backend.outbox import delivery
from backend.outbox import service as outbox
from backend.outbox.delivery import SendResult
from backend.outbox.models import Notification, NotificationStatus
from backend.visits import handoff
from scheduler.ports import Transport
from scheduler.ratelimit import ChatSpacing, TokenBucket
from scheduler.templates import render

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenderConfig:
    rate: float = 29.5  # a little under Telegram's 30/s, so timer jitter never makes a 429
    per_chat_interval: float = 1.0
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    lease: timedelta = timedelta(minutes=2)
    batch: int = 300
    per_chat_per_round: int = 3
    concurrency: int = 40
    channel: str = "telegram"
    tz: ZoneInfo = BUSINESS_TZ


@dataclass
class DeliveryStats:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    @property
    def handled(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class _Item:
    id: int
    chat: str
    template_key: str
    params: dict[str, object]


def quiet_until(now: datetime, config: SenderConfig) -> datetime | None:
    """The end of the quiet hours if `now` lies in them (business zone), else None."""
    local = now.astimezone(config.tz)
    start, end = config.quiet_start, config.quiet_end
    if not (local.time() >= start or local.time() < end):
        return None
    resume = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if local.time() >= start:
        resume += timedelta(days=1)
    return resume


class Sender:
    def __init__(
        self, runtime: Runtime, transport: Transport, config: SenderConfig | None = None
    ) -> None:
        self.runtime, self.transport = runtime, transport
        self.config = config or SenderConfig()
        self.bucket = TokenBucket(self.config.rate)
        self.spacing = ChatSpacing(self.config.per_chat_interval)

    async def _claim(self, stats: DeliveryStats) -> list[_Item]:
        """Lease a batch and sort out what is not to be sent now; committed before sending."""
        config, clock = self.config, self.runtime.clock
        now = clock.now()
        items: list[_Item] = []
        async with self.runtime.sessions() as session, session.begin():
            rows = await delivery.claim(
                session, now=now, channel=config.channel, limit=config.batch, lease=config.lease
            )
            ids = {r.chat_identity_id for r in rows if r.chat_identity_id is not None}
            chats = dict(
                (
                    await session.execute(
                        select(ChatIdentity.id, ChatIdentity.external_id).where(
                            ChatIdentity.id.in_(sorted(ids))
                        )
                    )
                ).all()
            )
            quiet = quiet_until(now, config)
            per_chat: dict[str, int] = defaultdict(int)
            for row in rows:
                chat = chats.get(row.chat_identity_id or 0)
                if chat is None:
                    await self._unreachable(session, row, "no chat", stats)
                elif quiet is not None and row.person_id is not None and row.staff_id is None:
                    await delivery.release(session, notification_id=row.id, at=quiet)
                    stats.add("quiet")
                elif per_chat[chat] >= config.per_chat_per_round:
                    await delivery.release(session, notification_id=row.id, at=now)
                    stats.add("later")
                else:
                    per_chat[chat] += 1
                    items.append(_Item(row.id, chat, row.template_key, dict(row.params)))
        return items

    async def _hand_to_inbox(self, stats: DeliveryStats) -> None:
        """Web chat rows are not sent: the device's page shows them when next opened."""
        async with self.runtime.sessions() as session, session.begin():
            handed = await delivery.hand_to_inbox(session, now=self.runtime.clock.now())
        if handed:
            stats.counts["inbox"] = stats.counts.get("inbox", 0) + handed

    async def _unreachable(
        self, session: AsyncSession, row: Notification, error: str, stats: DeliveryStats
    ) -> None:
        clock = self.runtime.clock
        await outbox.mark_unreachable(session, clock=clock, notification=row, error=error)
        stats.add("unreachable")
        if await handoff.hand_over(session, now=clock.now(), notification=row):
            stats.add("handed_over")

    async def _settle(self, item: _Item, result: SendResult, stats: DeliveryStats) -> None:
        clock = self.runtime.clock
        async with self.runtime.sessions() as session, session.begin():
            row = await session.get(Notification, item.id)
            if row is None or row.status != NotificationStatus.pending:
                return
            if result.kind == "ok":
                await outbox.mark_sent(session, clock=clock, notification=row)
                stats.add("sent")
            elif result.kind == "retry_after":
                self.bucket.pause(result.retry_after)
                await delivery.release(
                    session,
                    notification_id=row.id,
                    at=clock.now() + timedelta(seconds=result.retry_after),
                )
                stats.add("rate_limited")
            elif result.kind in ("blocked", "rejected"):
                await self._unreachable(session, row, result.kind, stats)
            else:
                await outbox.mark_failed(
                    session, clock=clock, notification=row, error=result.detail or result.kind
                )
                gave_up = row.attempts >= outbox.MAX_ATTEMPTS
                stats.add("failed" if gave_up else "retry")

    async def _send_chat(
        self, chat: str, items: list[_Item], gate: asyncio.Semaphore, stats: DeliveryStats
    ) -> None:
        for item in items:
            await asyncio.sleep(self.spacing.wait_for(chat))
            try:
                message = render(item.template_key, item.params)
            except (KeyError, IndexError, ValueError):
                log.exception("notification %d: cannot render %s", item.id, item.template_key)
                await self._settle(item, SendResult("server_error", detail="render"), stats)
                continue
            await self.bucket.acquire()
            async with gate:
                try:
                    result = await self.transport.send(chat, message)
                except Exception as exc:  # a transport bug must not lose the row
                    result = SendResult("server_error", detail=type(exc).__name__)
            self.spacing.sent(chat)
            await self._settle(item, result, stats)

    async def run_once(self) -> DeliveryStats:
        """Deliver one leased batch of due rows; the counts by outcome."""
        stats = DeliveryStats()
        await self._hand_to_inbox(stats)
        items = await self._claim(stats)
        by_chat: dict[str, list[_Item]] = defaultdict(list)
        for item in items:
            by_chat[item.chat].append(item)
        gate = asyncio.Semaphore(self.config.concurrency)
        await asyncio.gather(*(self._send_chat(c, i, gate, stats) for c, i in by_chat.items()))
        if stats.counts:
            log.info("sender: %s", stats.counts)
        return stats

    async def run(self, *, stop: asyncio.Event, idle: float = 1.0) -> None:
        while not stop.is_set():
            try:
                stats = await self.run_once()
            except Exception:
                log.exception("sender round failed")
                stats = DeliveryStats()
            if stats.handled == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=idle)
                except TimeoutError:
                    pass
