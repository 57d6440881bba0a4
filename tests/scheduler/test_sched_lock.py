"""One active scheduler among several processes: the advisory lock on PostgreSQL with failover,
and two full schedulers (sweeps + sender) running at once deliver each message once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import text

from backend.core.db import create_engine
from backend.core.runtime import Runtime, create_runtime
from backend.core.settings import Settings
from backend.outbox.delivery import Rendered, SendResult
from scheduler.lock import LeaderLock
from scheduler.service import run_forever
from tests.scheduler.schedworld import at, build_villages, scheduler_rows, tick
from tests.world import World


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat_id: str, message: Rendered) -> SendResult:
        self.sent.append((chat_id, message.text))
        return SendResult.ok()


@pytest.mark.postgres
async def test_only_one_process_holds_the_lock_and_a_standby_takes_over(
    settings: Settings,
) -> None:
    engines = [create_engine(settings) for _ in range(3)]
    first, second = LeaderLock(engines[0], key=4242), LeaderLock(engines[1], key=4242)
    try:
        assert await first.refresh() is True
        assert await second.refresh() is False
        assert await first.refresh() is True  # the leader confirms it still leads
        await first.release()
        assert await second.refresh() is True  # a standby takes over on its next try
        # The leader's connection dies (crash, network): PostgreSQL frees the lock at once.
        async with engines[2].connect() as admin:
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND objid = 4242 AND granted"
                )
            )
            await admin.commit()
        assert await second.refresh() is False  # it notices it lost the connection
        assert await first.refresh() is True
    finally:
        await first.release()
        await second.release()
        for engine in engines:
            await engine.dispose()


async def test_two_schedulers_send_each_message_once(runtime: Runtime, world: World) -> None:
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    await build_villages(runtime, world)
    await tick(runtime, at(date(2026, 2, 28)))  # the plans (their duty starts with March)
    runtime.clock.set(at(date(2026, 3, 13)))  # type: ignore[attr-defined]  digests and nudges
    other = create_runtime(runtime.settings, clock=runtime.clock)
    recorders = [Recorder(), Recorder()]
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(run_forever(rt, stop=stop, transport=rec, retry=0.2))
        for rt, rec in zip((runtime, other), recorders, strict=True)
    ]
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            rows = await scheduler_rows(runtime)
            if len(rows) == 6 and all(r.status == "sent" for r in rows):
                break
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await other.close()
    sent = [m for rec in recorders for m in rec.sent]
    assert len(sent) == 6 and Counter(sent).most_common(1)[0][1] == 1
    if runtime.settings.database_url.startswith("postgresql"):
        assert min(len(rec.sent) for rec in recorders) == 0  # the standby sent nothing
