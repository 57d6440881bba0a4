"""The sender against a fake Bot API on 127.0.0.1 answering 429 (retry_after), 500 and 403:
nothing is lost, nothing is sent twice (also with two senders at once), the blocked resident's
message goes to the village worker as a task, and residents are left alone in quiet hours."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from backend.cases.models import CaseStatus
from backend.core.runtime import Runtime, create_runtime
from backend.outbox.models import NotificationStatus
from bot.transport import TelegramTransport
from scheduler.sender import Sender, SenderConfig
from tests.cases.helpers import case_in
from tests.fakebotapi import TOKEN, FakeTelegram
from tests.scheduler.schedworld import at, bind_chat, build_villages, scheduler_rows, tick
from tests.world import World


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeTelegram, TelegramTransport]]:
    fake = FakeTelegram(limit=30)
    base = await fake.start()
    session = AiohttpSession(api=TelegramAPIServer.from_base(base))
    transport = TelegramTransport(Bot(TOKEN, session=session))
    yield fake, transport
    await transport.close()
    await fake.stop()


async def _drain(runtime: Runtime, senders: list[Sender], rounds: int = 12) -> None:
    for _ in range(rounds):
        await asyncio.gather(*(s.run_once() for s in senders))
        pending = [r for r in await scheduler_rows(runtime) if r.status == "pending"]
        if not pending:
            return
        runtime.clock.advance(timedelta(seconds=31))  # type: ignore[attr-defined]
    raise AssertionError(f"still pending: {[r.idempotency_key for r in pending]}")


async def test_429_500_403_lose_nothing_and_send_once(
    runtime: Runtime, world: World, api: tuple[FakeTelegram, TelegramTransport]
) -> None:
    fake, transport = api
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    await build_villages(runtime, world)  # worker chats 9001 9002 9003, officers 9004-9006
    await case_in(runtime, world, CaseStatus.in_service)
    await bind_chat(runtime, person_id=world.resident.id, chat="7001")  # after: no status news
    await tick(runtime, at(date(2026, 3, 1)))  # three digests and the resident's survey
    fake.script = {9001: [429], 9002: [500, 500]}
    fake.blocked = {7001}
    # A second process's sender on the same database, running at the same time.
    other = create_runtime(runtime.settings, clock=runtime.clock)
    try:
        senders = [Sender(runtime, transport), Sender(other, transport)]
        await _drain(runtime, senders)
    finally:
        await other.close()
    rows = {r.idempotency_key: r for r in await scheduler_rows(runtime)}
    assert {k: r.status for k, r in rows.items() if r.status != "sent"} == {
        "survey:1:ask": NotificationStatus.unreachable
    }
    relay = [r for r in rows.values() if r.template_key == "unreachable_task"]
    assert len(relay) == 1 and relay[0].status == "sent"
    delivered = Counter(chat for chat, _, _ in fake.delivered)
    assert delivered == {9001: 2, 9002: 1, 9003: 1}  # W1: digest + the relayed task
    assert len({(c, t) for c, t, _ in fake.delivered}) == len(fake.delivered)
    assert Counter(s for _, s in fake.answered) == {200: 4, 429: 1, 500: 2, 403: 1}
    assert fake.too_many == 0
    assert rows["visit_digest:2026-03a:" + str(world.actors["worker"].staff_id)].attempts == 1


async def test_quiet_hours_hold_residents_not_staff(
    runtime: Runtime, world: World, api: tuple[FakeTelegram, TelegramTransport]
) -> None:
    fake, transport = api
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    await build_villages(runtime, world)
    await case_in(runtime, world, CaseStatus.in_service)
    await bind_chat(runtime, person_id=world.resident.id, chat="7001")  # after: no status news
    await tick(runtime, at(date(2026, 3, 1), 22))
    sender = Sender(runtime, transport, SenderConfig())
    stats = await sender.run_once()
    assert stats.counts == {"sent": 3, "quiet": 1}
    (survey,) = [r for r in await scheduler_rows(runtime) if r.template_key == "survey_ask"]
    assert survey.status == "pending" and survey.next_attempt_at == at(date(2026, 3, 2), 8)
    runtime.clock.set(at(date(2026, 3, 2), 8))  # type: ignore[attr-defined]
    assert (await sender.run_once()).counts == {"sent": 1}
    assert sorted(c for c, _, _ in fake.delivered) == [7001, 9001, 9002, 9003]


class Crash(BaseException):
    """The process dies (not an error the sender could contain)."""


async def test_a_crash_between_send_and_record_repeats_only_that_message(
    runtime: Runtime,
    world: World,
    api: tuple[FakeTelegram, TelegramTransport],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, transport = api
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    await build_villages(runtime, world)
    await tick(runtime, at(date(2026, 3, 1)))  # three digests, chats 9001-9003
    real_settle = Sender._settle

    async def dies_after_sending_to_9002(self: Sender, item, result, stats) -> None:  # type: ignore[no-untyped-def]
        if item.chat == "9002":
            raise Crash
        await real_settle(self, item, result, stats)

    monkeypatch.setattr(Sender, "_settle", dies_after_sending_to_9002)
    with pytest.raises(Crash):
        await Sender(runtime, transport).run_once()
    for _ in range(50):  # the other chats' sends finish
        if len(fake.delivered) == 3:
            break
        await asyncio.sleep(0.05)
    monkeypatch.setattr(Sender, "_settle", real_settle)
    restarted = Sender(runtime, transport)
    assert (await restarted.run_once()).counts == {}  # 9002's row is still leased
    runtime.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]  lease over
    assert (await restarted.run_once()).counts == {"sent": 1}
    assert Counter(chat for chat, _, _ in fake.delivered) == {9001: 1, 9002: 2, 9003: 1}
    assert all(r.status == "sent" for r in await scheduler_rows(runtime))
