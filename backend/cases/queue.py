"""The township work queue and what each staff member may see of cases and people.

Order: emergencies first, then the nearest deadline (none last), then priority, then age (oldest
first), then id. Scope: every grant of the actor adds its region subtree — a county grant by the
county code, a township grant by `township_id` (so the queue is one scan of
`ix_cases_township_queue`), anything finer by a `region_path` prefix; a provider grant only adds
cases assigned to that provider. One query per page, plain columns (the items aggregated in the
same SELECT, their names from an in-process dict); limit/offset.

督办 (`list_overdue`) lists the open cases past their current deadline, every case whose 先行救助
paperwork (补办) is past its deadline, even once the service itself has ended, and every case
referred to a department or provider that has not answered by the referral's deadline.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, false, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.cases import items as items_service
from backend.cases.assignment import CaseAssignment
from backend.cases.models import CHANNEL_NAMES, OPEN_STATUSES, STATUS_NAMES, Case, CaseItem
from backend.cases.models import CaseStatus as S
from backend.core.clock import as_utc
from backend.people.models import Person
from backend.regions.models import Region
from backend.resources.models import CaseReferral
from backend.staff.actor import Actor
from backend.staff.models import Role, StaffMember
from backend.workcal import texts as deadline_texts
from backend.workcal.rules import DEFAULT_RULES

MAX_PAGE = 100

_Owner = aliased(StaffMember, name="owner")
_Assignee = aliased(StaffMember, name="assignee")
_Village = aliased(Region, name="village")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    statuses: tuple[S, ...] = ()  # empty: every open status
    item: str | None = None
    village_id: int | None = None
    township_id: int | None = None
    emergency: bool | None = None
    assignee_staff_id: int | None = None
    unassigned: bool = False
    overdue: bool = False
    beneficiary_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    number: str
    status: S
    emergency: bool
    priority: int
    beneficiary_id: int
    beneficiary_name: str
    village_name: str | None
    channel: str
    created_at: datetime
    due_at: datetime | None
    due_step: str | None
    owner_name: str | None
    assignee_name: str | None
    due_text: str = ""
    overdue: bool = False
    items: tuple[str, ...] = field(default_factory=tuple)
    item_names: str = ""

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def due_step_name(self) -> str:
        return step_name(self.due_step)


@functools.cache
def _item_names() -> dict[str, str]:
    """Item id → name; the taxonomy is fixed for the life of the process."""
    return items_service.names()


def step_name(step: str | None) -> str:
    """The step a deadline belongs to, as a clerk says it (受理登记, 入户调查 …)."""
    if step == "work_order":  # a hotline work order's own due date (cases.service.work_order)
        return "热线工单时限"
    if step == "referral":  # a referral not answered by its deadline (督办)
        return "转介回复"
    rule = DEFAULT_RULES.get(step or "")
    return rule.label if rule else ""


def _grant_clause(actor: Actor) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    for grant in actor.grants:
        segments = grant.region_path.strip("/").split("/")
        if len(segments) == 1:
            region: ColumnElement[bool] = Case.county_code == segments[0]
        elif len(segments) == 2:
            region = Case.township_id == grant.region_id
        else:
            region = Case.region_path.startswith(grant.region_path, autoescape=True)
        if grant.role == Role.provider:
            region = and_(region, CaseAssignment.assignee_staff_id == actor.staff_id)
        parts.append(region)
    return or_(*parts) if parts else false()


def scope_clause(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause: the cases `actor` may see (the query must outer-join CaseAssignment)."""
    if actor.kind != "staff":
        return false()
    return _grant_clause(actor)


# Columns, not entities: no ORM identity map and no eager loads of items/assignment per row.
_COLUMNS = (
    Case.id,
    Case.number,
    Case.status,
    Case.emergency,
    Case.priority,
    Case.beneficiary_id,
    Case.channel,
    Case.created_at,
    Case.due_at,
    Case.due_step,
)


def _items_column() -> Any:
    """The case's item ids, comma-joined, from the same SELECT (a correlated aggregate)."""
    return (
        select(func.aggregate_strings(CaseItem.item, ","))
        .where(CaseItem.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )


@functools.cache
def _base(*extra: Any) -> Any:
    """The page's SELECT before its WHERE; statements are immutable, so it is built once."""
    return (
        select(
            *_COLUMNS,
            *extra,
            Person.name,
            _Village.name,
            _Owner.name,
            _Assignee.name,
            _items_column(),
        )
        .join(Person, Person.id == Case.beneficiary_id)
        .outerjoin(_Village, _Village.id == Case.village_id)
        .outerjoin(_Owner, _Owner.id == Case.owner_staff_id)
        .outerjoin(CaseAssignment, CaseAssignment.case_id == Case.id)
        .outerjoin(_Assignee, _Assignee.id == CaseAssignment.assignee_staff_id)
    )


def _inline(value: int) -> Any:
    """LIMIT/OFFSET written into the SQL: PostgreSQL then reuses one generic plan for the
    prepared statement instead of planning every request (1–2 ms for the queue's joins)."""
    return bindparam(None, value, type_=Integer, literal_execute=True)


def _filters(filters: QueueFilter, now: datetime | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Case.status.in_(filters.statuses or sorted(OPEN_STATUSES))]
    if filters.item:
        where.append(Case.id.in_(select(CaseItem.case_id).where(CaseItem.item == filters.item)))
    if filters.village_id is not None:
        where.append(Case.village_id == filters.village_id)
    if filters.township_id is not None:
        where.append(Case.township_id == filters.township_id)
    if filters.emergency is not None:
        where.append(Case.emergency.is_(filters.emergency))
    if filters.assignee_staff_id is not None:
        where.append(CaseAssignment.assignee_staff_id == filters.assignee_staff_id)
    if filters.unassigned:
        where.append(CaseAssignment.case_id.is_(None))
    if filters.overdue and now is not None:
        where.append(Case.due_at < now)
    if filters.beneficiary_ids:
        where.append(Case.beneficiary_id.in_(filters.beneficiary_ids))
    return where


async def list_queue(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    filters: QueueFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[QueueRow]:
    """One page of the cases the actor may see, in queue order."""
    filters = filters or QueueFilter()
    limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
    if filters.overdue:  # the only filter that reads the clock
        query = _page_query(actor, filters, limit, offset, now)
    else:
        query = _cached_page_query(actor, filters, limit, offset)
    return await _rows(session, query, now)


def _page_query(
    actor: Actor, filters: QueueFilter, limit: int, offset: int, now: datetime | None
) -> Any:
    return (
        _base()
        .where(scope_clause(actor), *_filters(filters, now))
        .order_by(
            Case.emergency.desc(),
            Case.due_at.asc().nulls_last(),
            Case.priority.desc(),
            Case.created_at,
            Case.id,
        )
        .limit(_inline(limit))
        .offset(_inline(offset))
    )


@functools.lru_cache(maxsize=512)
def _cached_page_query(actor: Actor, filters: QueueFilter, limit: int, offset: int) -> Any:
    """The same statement for the same grants and filters: built once, not on every request.
    Keyed by the whole (frozen) actor, so a changed grant is a new key, never a stale scope."""
    return _page_query(actor, filters, limit, offset, None)


def backfill_overdue(now: datetime) -> ColumnElement[bool]:
    """先行救助 whose owed review/approval (补办) is past its deadline, whatever the status."""
    return and_(
        Case.relief_first.is_(True),
        Case.backfill_approved_at.is_(None),
        Case.backfill_due_at < now,
    )


def _referral_due() -> Any:
    """The earliest deadline of the case's unanswered referrals (None: nothing awaited)."""
    return (
        select(func.min(CaseReferral.due_at))
        .where(CaseReferral.case_id == Case.id, CaseReferral.answered_at.is_(None))
        .correlate(Case)
        .scalar_subquery()
    )


async def list_overdue(
    session: AsyncSession, *, actor: Actor, now: datetime, limit: int = 200
) -> list[QueueRow]:
    """督办: open cases past their current deadline, cases whose 补办 is overdue and cases referred
    to a department or provider that has not answered by the referral's deadline; the longest
    overdue first, owner named. A 补办 or referral row shows that deadline."""
    late_open = and_(Case.status.in_(sorted(OPEN_STATUSES)), Case.due_at < now)
    owed = backfill_overdue(now)
    referral_due = _referral_due()
    unanswered = Case.id.in_(
        select(CaseReferral.case_id).where(
            CaseReferral.answered_at.is_(None), CaseReferral.due_at < now
        )
    )
    deadline = sql_case((owed, Case.backfill_due_at), (unanswered, referral_due), else_=Case.due_at)
    query = (
        _base(*_OVERDUE_EXTRA, referral_due)
        .add_columns(owed, unanswered)
        .where(scope_clause(actor), or_(late_open, owed, unanswered))
        .order_by(deadline, Case.id)
        .limit(_inline(max(1, min(limit, 1000))))
    )
    return await _rows(session, query, now, overdue_list=True)


_OVERDUE_EXTRA = (Case.relief_first, Case.backfill_due_at)


async def _rows(
    session: AsyncSession, query: Any, now: datetime, *, overdue_list: bool = False
) -> list[QueueRow]:
    """Plain tuples to rows. Deadlines repeat (a working-day deadline ends the day), so each
    distinct one is put in words once per page."""
    names = _item_names()
    texts: dict[datetime, str] = {}
    found: list[QueueRow] = []
    connection = await session.connection()  # Core: plain columns need no ORM result machinery
    for values in (await connection.execute(query)).all():
        (case_id, number, status_value, emergency, priority, beneficiary_id, channel,
         created_at, due_at, due_step, *rest) = values  # fmt: skip
        if overdue_list:
            (_, backfill_due, referral_due, beneficiary, village, owner, assignee, joined,
             late_backfill, late_referral) = rest  # fmt: skip
            if late_backfill:
                due_at, due_step = backfill_due, "backfill"
            elif late_referral:
                due_at, due_step = referral_due, "referral"
            late = bool(late_backfill or late_referral)
        else:
            beneficiary, village, owner, assignee, joined = rest
            late = False
        status = S(status_value)
        due = as_utc(due_at) if due_at is not None else None
        text = ""
        if due is not None:
            text = texts.get(due) or texts.setdefault(due, deadline_texts.describe(due, now))
        items = tuple(sorted(joined.split(","))) if joined else ()
        found.append(
            QueueRow(
                id=case_id,
                number=number,
                status=status,
                emergency=emergency,
                priority=priority,
                beneficiary_id=beneficiary_id,
                beneficiary_name=beneficiary,
                village_name=village,
                channel=CHANNEL_NAMES.get(channel, str(channel)),
                created_at=as_utc(created_at),
                due_at=due,
                due_step=due_step,
                owner_name=owner,
                assignee_name=assignee,
                due_text=text,
                overdue=due is not None and due < now and (status in OPEN_STATUSES or late),
                items=items,
                item_names="、".join(names.get(i, i) for i in items),
            )
        )
    return found
