"""Who works a case besides its owner: assignment to a village worker or a provider, and
referral (转办/转介) to a resource of the directory with a reason and a deadline.

Invariants: a case has at most one assignee (a staff member whose grant covers the case's region,
as village worker or provider); a provider sees a case only while it is assigned to it (see
`service.may_see`); every assignment and referral writes a CaseEvent. The queue's ordering index
is declared here, beside the table the queue joins, so Alembic sees it in the metadata.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from backend.cases import service as cases_service
from backend.cases import workflow
from backend.cases.models import Case, CaseEvent, CaseStatus
from backend.core.clock import Clock
from backend.core.db import Base
from backend.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.resources.models import CaseReferral, Resource
from backend.staff import service as staff_service
from backend.staff.actor import Actor
from backend.staff.models import Role
from backend.workcal import service as workcal

ASSIGNERS = frozenset({Role.township_officer, Role.county_officer})
ASSIGNABLE = frozenset({Role.village_worker, Role.provider})
MAX_REFERRAL_DAYS = 60
MAX_NOTE = 2000


class CaseAssignment(Base):
    __tablename__ = "case_assignments"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    assignee_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    assigned_at: Mapped[datetime]
    assigned_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    # Loaded with every Case (one extra SELECT per load), so `may_see` can read it synchronously.
    case: Mapped[Case] = relationship(
        Case, backref=backref("assignment", uselist=False, lazy="selectin"), lazy="raise"
    )


# The township queue: emergencies first, then the nearest deadline (NULL last on PostgreSQL's
# ascending order), priority, age. One index scan answers "first 50 of a township".
QUEUE_INDEX = Index(
    "ix_cases_township_queue",
    Case.township_id,
    Case.emergency.desc(),
    Case.due_at,
    Case.priority.desc(),
    Case.created_at,
    Case.id,
)


def assignee_of(case: Case) -> int | None:
    found: CaseAssignment | None = getattr(case, "assignment", None)
    return found.assignee_staff_id if found is not None else None


async def assign(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    case_id: int,
    assignee_staff_id: int,
    note: str | None = None,
) -> Case:
    """Give the case to a village worker or a provider whose area covers it."""
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    if not actor.can_act_on(ASSIGNERS, case.region_path):
        raise Forbidden("只有本辖区的乡镇或县级经办人员可以分派案件", code="assign_forbidden")
    if not case.is_open:
        raise Conflict(f"案件{case.number}已结束,不能再分派", code="case_final")
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInput(f"说明最多{MAX_NOTE}字", code="note_long")
    target = await staff_service.actor_for(session, staff_id=assignee_staff_id)
    if not target.can_act_on(ASSIGNABLE, case.region_path):
        raise InvalidInput(
            "只能分派给负责该村的村级工作人员或本地区的服务机构", code="assignee_scope"
        )
    await _set_assignee(session, case, actor=actor, staff_id=assignee_staff_id, now=clock.now())
    session.add(_event(case, actor, clock.now(), "assigned", note, {"to": target.label}))
    await session.flush()
    return case


async def _set_assignee(
    session: AsyncSession, case: Case, *, actor: Actor, staff_id: int, now: datetime
) -> None:
    current: CaseAssignment | None = getattr(case, "assignment", None)
    if current is None:
        current = CaseAssignment(case_id=case.id, assignee_staff_id=staff_id, assigned_at=now)
        session.add(current)
        case.assignment = current  # type: ignore[attr-defined]
    current.assignee_staff_id = staff_id
    current.assigned_at = now
    current.assigned_by_staff_id = actor.staff_id
    case.updated_at = now
    await session.flush()


async def refer(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    case_id: int,
    resource_id: int,
    reason: str,
    due_workdays: int = 5,
) -> CaseReferral:
    """转办/转介: hand the case to a resource serving its area, with the reason and a deadline
    counted in working days from the calendar. The case moves to "referred"; a provider resource
    with an account also gets the case assigned, so it can see and work it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("转介需要填写理由", code="note_required")
    if not 1 <= due_workdays <= MAX_REFERRAL_DAYS:
        raise InvalidInput(f"办理时限应为1到{MAX_REFERRAL_DAYS}个工作日", code="due_range")
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    resource = await session.get(Resource, resource_id)
    if resource is None or not resource.active:
        raise NotFound("找不到这个资源", code="resource_not_found")
    if not case.region_path.startswith(resource.region_path):
        raise InvalidInput(f"{resource.name}不服务这个案件所在的地区", code="resource_scope")
    now = clock.now()
    due_at = await workcal.add_working_days(session, start=now, days=due_workdays)
    await workflow.transition(
        session,
        clock=clock,
        actor=actor,
        case_id=case.id,
        to=CaseStatus.referred,
        note=f"转介至{resource.name}: {reason}",
    )
    referral = CaseReferral(
        case_id=case.id,
        resource_id=resource.id,
        reason=reason[:MAX_NOTE],
        due_at=due_at,
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        created_at=now,
    )
    session.add(referral)
    if resource.staff_id is not None:
        await _set_assignee(session, case, actor=actor, staff_id=resource.staff_id, now=now)
    await session.flush()
    return referral


async def answer_referral(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    case_id: int,
    referral_id: int,
    answer: str,
) -> CaseReferral:
    """Record what the department or provider answered to a referral: it leaves 督办. Recorded by
    a township or county officer over the case, or by the resource's own account."""
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    referral = await session.get(CaseReferral, referral_id)
    if referral is None or referral.case_id != case.id:
        raise NotFound("找不到这条转介", code="referral_not_found")
    resource = await session.get(Resource, referral.resource_id)
    by_resource = resource is not None and resource.staff_id in (actor.staff_id or -1,)
    if not (actor.can_act_on(ASSIGNERS, case.region_path) or by_resource):
        raise Forbidden("只有本辖区的经办人员或承接的机构可以记录转介回复", code="answer_forbidden")
    if referral.answered_at is not None:
        raise Conflict("这条转介已经记录了回复", code="referral_answered")
    answer = (answer or "").strip()
    if not answer or len(answer) > MAX_NOTE:
        raise InvalidInput(f"请填写回复内容(不超过{MAX_NOTE}字)", code="answer_text")
    now = clock.now()
    referral.answered_at, referral.answer = now, answer
    name = resource.name if resource is not None else ""
    session.add(_event(case, actor, now, "referral_answer", answer, {"resource": name}))
    await session.flush()
    return referral


async def list_referrals(session: AsyncSession, *, case_id: int) -> list[tuple[CaseReferral, str]]:
    rows = await session.execute(
        select(CaseReferral, Resource.name)
        .join(Resource, Resource.id == CaseReferral.resource_id)
        .where(CaseReferral.case_id == case_id)
        .order_by(CaseReferral.id)
    )
    return [(referral, name) for referral, name in rows]


def _event(
    case: Case, actor: Actor, at: datetime, kind: str, note: str | None, data: dict[str, str]
) -> CaseEvent:
    return CaseEvent(
        case_id=case.id,
        at=at,
        kind=kind,
        actor_staff_id=actor.staff_id,
        actor_person_id=actor.person_id,
        actor_label=actor.label,
        note=(note or "").strip() or None,
        data=data,
    )
