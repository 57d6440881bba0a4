"""Recording visits, and the compliance figures of the console.

A visit is entered by the plan's worker (or a township officer over the village) with its real
date — it may be entered days later, when the worker is back in signal — and counts for the
period of that date. "需要帮助" files a new case (主动发现, channel 村级上报) into the township
queue in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import service as cases_service
from backend.cases.models import ApplicantKind, Channel
from backend.cases.schemas import NewCase
from backend.core.clock import Clock, business_date
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Forbidden, InvalidInput, NotFound
from backend.outbox.delivery import InboxRow
from backend.regions.models import Region
from backend.staff.actor import Actor
from backend.staff.models import Role, StaffMember
from backend.visits.models import Visit, VisitOutcome, VisitPlan
from backend.visits.periods import Period, period_of
from backend.visits.sweeps import due_plans, unvisited

MAX_NOTE_LENGTH = 500
MAX_LATE_DAYS = 45  # a visit entered later than this is refused: the period was long escalated
_RECORDERS = frozenset({Role.village_worker, Role.township_officer})


@dataclass(frozen=True, slots=True)
class VisitInput:
    plan_id: int
    outcome: VisitOutcome
    visited_on: date | None = None  # None: today
    note: str | None = None
    photo_key: str | None = None
    lat: float | None = None
    lon: float | None = None
    # 需要帮助: what the classifier read in the note, so the case arrives with its items and an
    # emergency reaches the township at once (empty: the township classifies by hand).
    items: tuple[str, ...] = ()
    emergency: bool = False
    classification: dict[str, Any] = field(default_factory=dict)


async def get_plan(session: AsyncSession, *, person_id: int) -> VisitPlan | None:
    result = await session.execute(select(VisitPlan).where(VisitPlan.person_id == person_id))
    return result.scalar_one_or_none()


def _check(data: VisitInput, today: date) -> date:
    day = data.visited_on or today
    if day > today:
        raise InvalidInput("走访日期不能晚于今天", code="visit_future")
    if day < today - timedelta(days=MAX_LATE_DAYS):
        raise InvalidInput(f"只能补录{MAX_LATE_DAYS}天以内的走访", code="visit_too_old")
    if data.note is not None and len(data.note) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"走访情况最多{MAX_NOTE_LENGTH}字", code="note_long")
    if (data.lat is None) != (data.lon is None):
        raise InvalidInput("位置需要同时有经度和纬度", code="location")
    if data.lat is not None and data.lon is not None:
        if not (-90 <= data.lat <= 90 and -180 <= data.lon <= 180):
            raise InvalidInput("位置不正确", code="location")
    return day


async def record_visit(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    actor: Actor,
    data: VisitInput,
) -> Visit:
    """Store one visit; "需要帮助" also files a case for the household."""
    plan = await session.get(VisitPlan, data.plan_id)
    region = await session.get(Region, plan.region_id) if plan is not None else None
    if plan is None or region is None or not actor.sees(region.path):
        raise NotFound("找不到这个走访对象", code="plan_not_found")
    if actor.staff_id is None or not (
        actor.staff_id == plan.worker_staff_id or actor.can_act_on(_RECORDERS, region.path)
    ):
        raise Forbidden("只能登记自己负责的走访", code="visit_forbidden")
    now = clock.now()
    day = _check(data, business_date(now))
    visit = Visit(
        plan_id=plan.id,
        person_id=plan.person_id,
        worker_staff_id=actor.staff_id,
        visited_on=day,
        period=period_of(day).key,
        outcome=data.outcome,
        note=(data.note or "").strip() or None,
        photo_key=data.photo_key,
        lat=data.lat,
        lon=data.lon,
        recorded_at=now,
    )
    session.add(visit)
    await session.flush()
    if data.outcome == VisitOutcome.needs_help:
        result = await cases_service.submit(
            session,
            clock=clock,
            cipher=cipher,
            actor=actor,
            request=NewCase(
                beneficiary_id=plan.person_id,
                region_id=plan.region_id,
                channel=Channel.village_report,
                applicant_kind=ApplicantKind.worker,
                text=visit.note or "走访发现需要帮助",
                items=data.items,
                emergency=data.emergency,
                classification=data.classification,
                external_ref=f"visit:{visit.id}",
            ),
        )
        visit.case_id = result.case.id
        await session.flush()
    return visit


@dataclass(frozen=True, slots=True)
class Compliance:
    """Due and visited plans in one period, for one worker or one village."""

    key: int  # staff id or village region id
    label: str
    due: int
    visited: int

    @property
    def rate(self) -> float:
        return self.visited / self.due if self.due else 1.0


async def _compliance(
    session: AsyncSession, period: Period, *, by_worker: bool, region_path: str, clock: Clock
) -> list[Compliance]:
    due = due_plans(period, at=clock.now()).subquery()
    plan = select(VisitPlan.id, VisitPlan.worker_staff_id, VisitPlan.region_id).subquery()
    visited = select(Visit.plan_id).where(Visit.period == period.key).distinct().subquery()
    key = plan.c.worker_staff_id if by_worker else plan.c.region_id
    label = StaffMember.name if by_worker else Region.name
    query = (
        select(key, label, func.count(), func.count(visited.c.plan_id))
        .select_from(due)
        .join(plan, plan.c.id == due.c.plan)
        .join(Region, Region.id == plan.c.region_id)
        .outerjoin(visited, visited.c.plan_id == plan.c.id)
        .where(Region.path.startswith(region_path))
        .group_by(key, label)
        .order_by(label)
    )
    if by_worker:
        query = query.join(StaffMember, and_(StaffMember.id == plan.c.worker_staff_id))
    rows = await session.execute(query)
    return [Compliance(k, lbl or "未分配", d, v) for k, lbl, d, v in rows.all()]


async def compliance_by_worker(
    session: AsyncSession, *, clock: Clock, period: Period, region_path: str
) -> list[Compliance]:
    return await _compliance(session, period, by_worker=True, region_path=region_path, clock=clock)


async def compliance_by_village(
    session: AsyncSession, *, clock: Clock, period: Period, region_path: str
) -> list[Compliance]:
    return await _compliance(session, period, by_worker=False, region_path=region_path, clock=clock)


@dataclass(frozen=True, slots=True)
class Unvisited:
    plan_id: int
    name: str
    village: str
    worker: str  # "" when no worker is assigned


async def list_unvisited(
    session: AsyncSession, *, clock: Clock, period: Period, region_path: str, limit: int = 500
) -> list[Unvisited]:
    """Households due in `period` with no visit recorded for it, by village and name."""
    due = unvisited(period, at=clock.now()).subquery()
    rows = await session.execute(
        select(due.c.plan, due.c.name, due.c.village, StaffMember.name)
        .select_from(due)
        .join(VisitPlan, VisitPlan.id == due.c.plan)
        .join(Region, Region.id == VisitPlan.region_id)
        .outerjoin(StaffMember, StaffMember.id == due.c.worker)
        .where(Region.path.startswith(region_path))
        .order_by(due.c.village, due.c.name, due.c.plan)
        .limit(limit)
    )
    return [Unvisited(p, n, v, w or "") for p, n, v, w in rows.all()]


LISTED_KEYS = ("visit_digest", "visit_nudge")  # inbox rows that list households with buttons


async def still_due_in_inbox(
    session: AsyncSession, rows: Sequence[InboxRow], *, today: date
) -> list[InboxRow]:
    """The newest 走访 list of the current period a web chat device was already shown, cut to
    the households still without a visit this period (the page offers their buttons again until
    each is recorded); nothing once all are visited or the period is over. No query when the
    device was shown no list this period."""
    current = period_of(today).key
    newest = next(
        (r for r in rows if r.shown and r.key in LISTED_KEYS and r.params.get("period") == current),
        None,
    )
    if newest is None:
        return []
    households = [
        h
        for h in newest.params.get("households") or []
        if isinstance(h, dict) and isinstance(h.get("plan"), int)
    ]
    if not households:
        return []
    result = await session.execute(
        select(Visit.plan_id).where(
            Visit.plan_id.in_([h["plan"] for h in households]), Visit.period == current
        )
    )
    done = set(result.scalars())
    left = [h for h in households if h["plan"] not in done]
    if not left:
        return []
    return [InboxRow(newest.id, newest.key, {**newest.params, "households": left}, True)]
