"""Job `plans`: visit plans for new recipients (in_service cases, rosters)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.outbox.delivery import SweepReport
from backend.visits import plans


async def run(session: AsyncSession, now: datetime) -> SweepReport:
    return await plans.sweep_plans(session, now=now)
