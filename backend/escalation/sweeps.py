"""Deadlines: an overdue workflow step goes to the county; an emergency nobody acknowledged within
its limit (2 hours, `emergency_ack` in the calendar rules) alerts the township again and goes up
to the county. A function of (data, now): the keys name the case, the step and its deadline, so
each escalation is queued once, and once more only if the case gets a new deadline.

Keys: `overdue:{case}:{step}:{due stamp}:{officer}`, `emergency_again:{case}:{officer}`,
`emergency_up:{case}:{officer}`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import OPEN_STATUSES, Case
from backend.identities import service as identities_service
from backend.outbox import delivery
from backend.outbox.delivery import Outgoing, SweepReport
from backend.regions.models import Region
from backend.staff.models import Role
from backend.workcal.rules import DEFAULT_RULES
from backend.workcal.texts import describe

EMERGENCY_STEP = "emergency_ack"


async def sweep_deadlines(session: AsyncSession, *, now: datetime) -> SweepReport:
    report = SweepReport("deadlines")
    overdue = list(
        (
            await session.execute(
                select(Case)
                .where(Case.status.in_(OPEN_STATUSES), Case.due_at.is_not(None), Case.due_at < now)
                .order_by(Case.id)
            )
        ).scalars()
    )
    if not overdue:
        return report
    townships = {c.township_id for c in overdue}
    parents = dict(
        (
            await session.execute(
                select(Region.id, Region.parent_id).where(Region.id.in_(sorted(townships)))
            )
        ).all()
    )
    county_staff = await identities_service.staff_chats_by_region(
        session,
        role=Role.county_officer,
        region_ids={p for p in parents.values() if p is not None},
    )
    township_staff = await identities_service.staff_chats_by_region(
        session, role=Role.township_officer, region_ids=townships
    )
    rows: list[Outgoing] = []
    for case_ in overdue:
        assert case_.due_at is not None and case_.due_step is not None
        params = {
            "number": case_.number,
            "step": DEFAULT_RULES[case_.due_step].label
            if case_.due_step in DEFAULT_RULES
            else case_.due_step,
            "due": describe(case_.due_at, now),
            "case": case_.id,
        }
        county = county_staff.get(parents.get(case_.township_id) or 0, [])
        if case_.due_step == EMERGENCY_STEP:
            report.add("emergencies")
            for who in township_staff.get(case_.township_id, []):
                rows.append(
                    Outgoing(
                        f"emergency_again:{case_.id}:{who.staff_id}",
                        "emergency_again",
                        params,
                        who.id,
                        who.channel,
                        staff_id=who.staff_id,
                    )
                )
            for who in county:
                rows.append(
                    Outgoing(
                        f"emergency_up:{case_.id}:{who.staff_id}",
                        "emergency_up",
                        params,
                        who.id,
                        who.channel,
                        staff_id=who.staff_id,
                    )
                )
            continue
        report.add("overdue")
        stamp = int(case_.due_at.timestamp())
        for who in county:
            rows.append(
                Outgoing(
                    f"overdue:{case_.id}:{case_.due_step}:{stamp}:{who.staff_id}",
                    "case_overdue",
                    params,
                    who.id,
                    who.channel,
                    staff_id=who.staff_id,
                )
            )
    report.add("queued", await delivery.enqueue_many(session, now=now, rows=rows))
    return report
