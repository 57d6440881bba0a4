"""`create_scheduler(runtime, …)` on APScheduler 3, and `run_forever`, which keeps the leader
lock, runs the sweeps while this process leads, and the sender beside them.

APScheduler only ticks: each job is a few set-based queries over the data. When the process
starts, or takes over as leader, every sweep runs once at once — that is the catch-up after
downtime, since a sweep computes what is due from the data, not from missed ticks. coalesce and
misfire_grace_time make a tick missed while the event loop was busy run once, not many times.
"""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from backend.core.runtime import Runtime
from scheduler.lock import LeaderLock
from scheduler.ports import Transport
from scheduler.registry import SWEEPS, Job
from scheduler.runner import Runner
from scheduler.sender import Sender

log = logging.getLogger(__name__)
LOCK_RETRY_SECONDS = 15.0


def create_scheduler(runtime: Runtime, *, lock: LeaderLock) -> AsyncIOScheduler:
    """The sweeps on their intervals; each run is skipped unless this process leads."""
    runner = Runner(runtime)
    scheduler = AsyncIOScheduler(timezone=runtime.settings.tz)

    def guarded(job: Job) -> object:
        async def run() -> None:
            if lock.is_leader:
                await runner.run_job(job)

        return run

    for job in SWEEPS:
        scheduler.add_job(
            guarded(job),
            IntervalTrigger(minutes=job.every_minutes),
            id=job.id,
            name=job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.every_minutes * 60,
            replace_existing=True,
        )
    return scheduler


async def catch_up(runtime: Runtime) -> None:
    """Every sweep once, now (at start and on taking over)."""
    await Runner(runtime).tick()


async def run_forever(
    runtime: Runtime,
    *,
    stop: asyncio.Event,
    transport: Transport | None,
    retry: float = LOCK_RETRY_SECONDS,
) -> None:
    lock = LeaderLock(runtime.engine)
    scheduler = create_scheduler(runtime, lock=lock)
    scheduler.start()
    sender_stop = asyncio.Event()
    sender_task: asyncio.Task[None] | None = None
    try:
        while not stop.is_set():
            was_leader = lock.is_leader
            leader = await lock.refresh()
            if leader and not was_leader:
                await catch_up(runtime)
                if transport is not None:
                    sender_stop = asyncio.Event()
                    sender = Sender(runtime, transport)
                    sender_task = asyncio.create_task(sender.run(stop=sender_stop))
            if not leader and sender_task is not None:
                sender_stop.set()
                await sender_task
                sender_task = None
            try:
                await asyncio.wait_for(stop.wait(), timeout=retry)
            except TimeoutError:
                pass
    finally:
        scheduler.shutdown(wait=False)
        sender_stop.set()
        if sender_task is not None:
            await sender_task
        await lock.release()
        log.info("scheduler stopped")
