"""The jobs, with stable ids and their triggers. Each sweep is a function of (data, now) that only
writes idempotent rows, so running one twice, or late, changes nothing (see docs/scheduler.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.outbox.delivery import SweepReport
from scheduler.jobs import deadlines, plans, surveys, visits

Sweep = Callable[[AsyncSession, datetime], Awaitable[SweepReport]]


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    run: Sweep
    every_minutes: int  # the sweeps are cheap and idempotent: a plain interval is enough


# In dependency order: `tick` runs them in this order (plans before the visits that need them).
SWEEPS: tuple[Job, ...] = (
    Job("plans", plans.run, every_minutes=15),
    Job("visits", visits.run, every_minutes=30),
    Job("surveys", surveys.run, every_minutes=30),
    Job("deadlines", deadlines.run, every_minutes=5),
)
BY_ID = {job.id: job for job in SWEEPS}
