"""The period sweep: digests at the start of a period, nudges three days before its end, and
escalation of the unvisited once it is over. A function of (data, now); every row it writes has a
deterministic idempotency key, so running it twice, or again after a crash, changes nothing.

Keys: `visit_digest:{period}:{worker}`, `visit_nudge:{period}:{worker}`,
`visit_missed:{period}:{township}:{officer}`, `visit_missed_again:{period}:{county}:{officer}`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, cast, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.core.clock import business_date
from backend.core.db import UTCDateTime
from backend.identities import service as identities_service
from backend.identities.models import ChatIdentity
from backend.outbox import delivery
from backend.outbox.delivery import Outgoing, SweepReport
from backend.outbox.models import Notification, NotificationStatus
from backend.people.models import Person
from backend.people.service import active_recipients_filter
from backend.regions.models import Region
from backend.staff.models import Role
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
            VisitPlan.id.label("plan"),
            VisitPlan.worker_staff_id.label("worker"),
            VisitPlan.township_id.label("township"),
            Person.name.label("name"),
            _village.name.label("village"),
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


def _json(session: AsyncSession) -> tuple[Any, Any]:
    """(build object, aggregate into array) in the database's JSON dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.jsonb_build_object, func.jsonb_agg
    return func.json_object, func.json_group_array


async def _send_to_workers(
    session: AsyncSession,
    kind: str,
    period: Period,
    query: DuePlans,
    now: datetime,
    report: SweepReport,
) -> None:
    """One INSERT … SELECT: the due plans grouped by worker into one message each, with the
    households as a JSON list, skipping workers whose message for the period exists already.

    Set-based on purpose: 100,000 plans never travel to Python (see docs/scheduler.md)."""
    obj, agg = _json(session)
    due = query.where(VisitPlan.worker_staff_id.is_not(None)).subquery()
    key = literal(f"{kind}:{period.key}:") + cast(due.c.worker, String)
    first_chat = (
        select(ChatIdentity.staff_id, func.min(ChatIdentity.id).label("id"))
        .where(ChatIdentity.staff_id.is_not(None))
        .group_by(ChatIdentity.staff_id)
        .subquery()
    )
    chat = aliased(ChatIdentity)
    params = obj(
        "period",
        period.key,
        "period_label",
        period_label(period),
        "end",
        f"{period.end.month}月{period.end.day}日",
        "households",
        agg(obj("plan", due.c.plan, "name", due.c.name, "village", due.c.village)),
    )
    stamp = literal(now, UTCDateTime())
    rows = (
        select(
            func.coalesce(chat.channel, "telegram"),
            first_chat.c.id,
            due.c.worker,
            literal(kind),
            params,
            key,
            literal(NotificationStatus.pending.value),
            literal(0),
            stamp,
            stamp,
        )
        .select_from(due)
        .outerjoin(first_chat, first_chat.c.staff_id == due.c.worker)
        .outerjoin(chat, chat.id == first_chat.c.id)
        .where(~exists().where(Notification.idempotency_key == key))
        .group_by(due.c.worker, first_chat.c.id, chat.channel)
    )
    columns = [
        "channel",
        "chat_identity_id",
        "staff_id",
        "template_key",
        "params",
        "idempotency_key",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    statement = (
        delivery.insert_for(session)(Notification)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Notification.chat_identity_id)
    )
    written = (await session.execute(statement)).scalars().all()
    report.add(kind, len(written))
    report.add(f"{kind}_no_chat", sum(1 for chat_id in written if chat_id is None))


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
        await identities_service.staff_chats_by_region(
            session, role=Role.township_officer, region_ids=set(missed)
        )
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
        for county, officers in (
            await identities_service.staff_chats_by_region(
                session, role=Role.county_officer, region_ids=set(again)
            )
        ).items():
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
