"""Web chat rows are never sent over a network: the sender hands them to the inbox (the device's
chat page shows them), at any hour, and leaves none pending, failed or handed to a person."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from backend.cases.models import CaseStatus
from backend.core.runtime import Runtime
from backend.identities import service as identities
from backend.outbox.delivery import Rendered, SendResult
from backend.outbox.models import Notification, NotificationStatus
from scheduler.sender import Sender
from tests.cases.helpers import case_in
from tests.scheduler.schedworld import at, bind_chat
from tests.world import World


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, chat_id: str, message: Rendered) -> SendResult:
        self.sent.append(chat_id)
        return SendResult.ok()


async def _rows(runtime: Runtime) -> list[Notification]:
    async with runtime.sessions() as session:
        found = await session.execute(select(Notification).order_by(Notification.id))
        return list(found.scalars())


async def test_web_chat_rows_go_to_the_inbox_not_the_network(
    runtime: Runtime, world: World
) -> None:
    runtime.clock.set(at(date(2026, 3, 2), 10))  # type: ignore[attr-defined]
    async with runtime.sessions() as session, session.begin():
        web = await identities.get_or_create(
            session, clock=runtime.clock, channel="web_chat", external_id="device-a"
        )
        await identities.bind(
            session, clock=runtime.clock, identity=web, person_id=world.resident.id
        )
    await bind_chat(runtime, person_id=world.resident.id, chat="7001")
    await case_in(runtime, world, CaseStatus.registered)
    queued = {r.channel: r.status for r in await _rows(runtime)}
    assert queued == {"web_chat": "pending", "telegram": "pending"}

    runtime.clock.set(at(date(2026, 3, 2), 22))  # type: ignore[attr-defined]  # quiet hours
    transport = Recorder()
    stats = await Sender(runtime, transport).run_once()
    assert stats.counts == {"inbox": 1, "quiet": 1}
    assert transport.sent == []  # nothing went over the network for the web chat
    (handed,) = [r for r in await _rows(runtime) if r.channel == "web_chat"]
    assert handed.status == NotificationStatus.sent and handed.sent_at is None  # not yet seen
    assert handed.attempts == 1 and handed.last_error is None

    # Later rounds leave it alone: never retried, never failed, never a task for a person.
    runtime.clock.set(at(date(2026, 3, 3), 9))  # type: ignore[attr-defined]
    for _ in range(3):
        await Sender(runtime, transport).run_once()
    assert transport.sent == ["7001"]
    (handed,) = [r for r in await _rows(runtime) if r.channel == "web_chat"]
    assert handed.status == NotificationStatus.sent and handed.attempts == 1
    statuses = {r.status for r in await _rows(runtime)}
    assert statuses == {NotificationStatus.sent}
