"""The period sweep: digests at the start of a period, nudges three days before its end, and
escalation of the unvisited once it is over. A function of (data, now); every row it writes has a
deterministic idempotency key, so running it twice, or again after a crash, changes nothing.

Keys: `visit_digest:{period}:{worker}`, `visit_nudge:{period}:{worker}`,
`visit_missed:{period}:{township}:{officer}`, `visit_missed_again:{period}:{county}:{officer}`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.core.clock import business_date
from backend.identities.models import ChatIdentity
from backend.outbox import delivery
from backend.outbox.delivery import Outgoing, SweepReport
from backend.people.models import Person
from backend.people.service import active_recipients_filter
from backend.regions.models import Region
from backend.staff.models import Role, StaffMember, StaffRole
from backend.visits.models import Visit, VisitPlan
from backend.visits.periods import Period, period_of
from backend.workcal.service import end_of_day

log = logging.getLogger(__name__)
_village = aliased(Region)
# (plan id, worker staff id, township id, person name, village name)
DuePlans = Select[int, int | None, int, str, str]


def period_label(period: Period) -> str:
    half = "上半月" if period.key.endswith("a") else "下半月"
    return f"{period.start.month}月{half}"


def due_plans(period: Period, *, at: datetime) -> DuePlans:
    """Plans with a duty in `period`, for recipients with duties at `at`."""
    return (
        select(
            VisitPlan.id,
            VisitPlan.worker_staff_id,
            VisitPlan.township_id,
            Person.name,
            _village.name,
        )
        .join(Person, Person.id == VisitPlan.person_id)
        .join(_village, _village.id == VisitPlan.region_id)
        .where(
            VisitPlan.active_from <= period.start,
            (VisitPlan.active_to.is_(None)) | (VisitPlan.active_to >= period.start),
            active_recipients_filter(at),
        )
    )


def unvisited(period: Period, *, at: datetime) -> DuePlans:
    visited = exists().where(Visit.plan_id == VisitPlan.id, Visit.period == period.key)
    return due_plans(period, at=at).where(~visited)


async def _chats(session: AsyncSession, staff_ids: set[int]) -> dict[int, ChatIdentity]:
    """The chat identity (lowest id) of each staff member that has one."""
    found: dict[int, ChatIdentity] = {}
    ids = sorted(staff_ids)
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(ChatIdentity)
            .where(ChatIdentity.staff_id.in_(ids[start : start + 1000]))
            .order_by(ChatIdentity.id)
        )
        for identity in rows.scalars():
            if identity.staff_id is not None:
                found.setdefault(identity.staff_id, identity)
    return found


async def _by_worker(session: AsyncSession, query: DuePlans) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    result = await session.stream(query.where(VisitPlan.worker_staff_id.is_not(None)))
    # Streamed in partitions: 100,000 plans never sit in memory as ORM objects.
    async for partition in result.partitions(5000):
        for plan_id, worker, _township, name, village in partition:
            if worker is not None:
                grouped[worker].append({"plan": plan_id, "name": name, "village": village})
    return grouped


def _worker_rows(
    kind: str,
    period: Period,
    grouped: dict[int, list[dict[str, Any]]],
    chats: dict[int, ChatIdentity],
) -> Iterator[Outgoing]:
    for worker, households in sorted(grouped.items()):
        identity = chats.get(worker)
        yield Outgoing(
            idempotency_key=f"{kind}:{period.key}:{worker}",
            template_key=kind,
            params={
                "period": period.key,
                "period_label": period_label(period),
                "end": f"{period.end.month}月{period.end.day}日",
                "households": households,
            },
            chat_identity_id=identity.id if identity else None,
            channel=identity.channel if identity else "telegram",
            staff_id=worker,
        )


async def _send_to_workers(
    session: AsyncSession,
    kind: str,
    period: Period,
    query: DuePlans,
    now: datetime,
    report: SweepReport,
) -> None:
    grouped = await _by_worker(session, query)
    done = await delivery.existing_keys(
        session, keys=[f"{kind}:{period.key}:{worker}" for worker in grouped]
    )
    todo = {w: h for w, h in grouped.items() if f"{kind}:{period.key}:{w}" not in done}
    chats = await _chats(session, set(todo))
    written = await delivery.enqueue_many(
        session, now=now, rows=_worker_rows(kind, period, todo, chats)
    )
    report.add(kind, written)
    report.add(f"{kind}_no_chat", sum(1 for w in todo if w not in chats))


async def _officers(
    session: AsyncSession, role: Role, region_ids: set[int]
) -> dict[int, list[ChatIdentity]]:
    """Region id → the chat identities of the active staff holding `role` exactly there."""
    rows = await session.execute(
        select(StaffRole.region_id, ChatIdentity)
        .join(StaffMember, StaffMember.id == StaffRole.staff_id)
        .join(ChatIdentity, ChatIdentity.staff_id == StaffMember.id)
        .where(
            StaffRole.role == role,
            StaffRole.region_id.in_(sorted(region_ids)),
            StaffMember.active.is_(True),
        )
        .order_by(ChatIdentity.id)
    )
    found: dict[int, list[ChatIdentity]] = defaultdict(list)
    for region_id, identity in rows.all():
        found[region_id].append(identity)
    return found


async def _escalate(
    session: AsyncSession, period: Period, now: datetime, report: SweepReport
) -> None:
    """The period is over: the unvisited go to the township, repeated misses to the county."""
    at = end_of_day(period.end)
    missed: dict[int, list[dict[str, Any]]] = defaultdict(list)
    missed_ids: set[int] = set()
    for plan_id, worker, township, name, village in (
        await session.execute(unvisited(period, at=at))
    ).all():
        missed[township].append(
            {"plan": plan_id, "name": name, "village": village, "worker": worker}
        )
        missed_ids.add(plan_id)
    before = period.previous()
    again_ids = {
        row[0]
        for row in (await session.execute(unvisited(before, at=end_of_day(before.end)))).all()
    } & missed_ids
    report.add("missed_plans", len(missed_ids))
    report.add("missed_again_plans", len(again_ids))
    params = {"period": period.key, "period_label": period_label(period)}
    rows: list[Outgoing] = []
    for township, officers in (
        await _officers(session, Role.township_officer, set(missed))
    ).items():
        for identity in officers:
            rows.append(
                Outgoing(
                    f"visit_missed:{period.key}:{township}:{identity.staff_id}",
                    "visit_missed",
                    {**params, "households": missed[township]},
                    identity.id,
                    identity.channel,
                    staff_id=identity.staff_id,
                )
            )
    if again_ids:
        counties = await _counties(session, set(missed))
        again: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for township, households in missed.items():
            again[counties[township]] += [h for h in households if h["plan"] in again_ids]
        for county, officers in (await _officers(session, Role.county_officer, set(again))).items():
            if not again[county]:
                continue
            for identity in officers:
                rows.append(
                    Outgoing(
                        f"visit_missed_again:{period.key}:{county}:{identity.staff_id}",
                        "visit_missed_again",
                        {**params, "households": again[county]},
                        identity.id,
                        identity.channel,
                        staff_id=identity.staff_id,
                    )
                )
    written = await delivery.enqueue_many(session, now=now, rows=rows)
    report.add("escalations", written)


async def _counties(session: AsyncSession, townships: set[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Region.id, Region.parent_id).where(Region.id.in_(sorted(townships)))
    )
    return {township: parent for township, parent in rows.all() if parent is not None}


async def sweep_visits(session: AsyncSession, *, now: datetime) -> SweepReport:
    """Digest for the current period, nudge when it is near its end, escalate the last one."""
    report = SweepReport("visits")
    today = business_date(now)
    period = period_of(today)
    await _send_to_workers(session, "visit_digest", period, due_plans(period, at=now), now, report)
    if today >= period.nudge_day:
        await _send_to_workers(
            session, "visit_nudge", period, unvisited(period, at=now), now, report
        )
    await _escalate(session, period.previous(), now, report)
    await session.flush()
    log.info("visit sweep %s: %s", period.key, report.counts)
    return report
