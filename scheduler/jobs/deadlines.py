"""Job `deadlines`: overdue steps to the county, unacknowledged emergencies up a level."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.escalation import sweeps
from backend.outbox.delivery import SweepReport


async def run(session: AsyncSession, now: datetime) -> SweepReport:
    return await sweeps.sweep_deadlines(session, now=now)
