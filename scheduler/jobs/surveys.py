"""Job `surveys`: ask, remind, hand to the village worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.outbox.delivery import SweepReport
from backend.surveys import sweeps


async def run(session: AsyncSession, now: datetime) -> SweepReport:
    return await sweeps.sweep_surveys(session, now=now)
