"""Job `visits`: period digests, nudges and period-end escalation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.outbox.delivery import SweepReport
from backend.visits import sweeps


async def run(session: AsyncSession, now: datetime) -> SweepReport:
    return await sweeps.sweep_visits(session, now=now)
