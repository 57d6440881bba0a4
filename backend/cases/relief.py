"""The paths beside the main line: 先行救助 paperwork owed afterwards (补办), objections during
公示, and the printable 公示 list (name, village and items only — no ID, health or income)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import items as items_service
from backend.cases import policy as policy_service
from backend.cases import service as cases_service
from backend.cases import workflow
from backend.cases.models import Case, CaseEvent, CaseStatus, CountyPolicy
from backend.core.clock import Clock
from backend.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.people.models import Person
from backend.regions.models import Region, RegionLevel
from backend.staff.actor import Actor
from backend.staff.models import Role

MAX_TEXT = 2000


def _event(case: Case, actor: Actor, clock: Clock, kind: str, note: str | None) -> CaseEvent:
    return CaseEvent(
        case_id=case.id,
        at=clock.now(),
        kind=kind,
        actor_staff_id=actor.staff_id,
        actor_person_id=actor.person_id,
        actor_label=actor.label,
        note=note,
        data={},
    )


BackfillStep = Literal["review", "approve"]
BACKFILL_NAMES: dict[str, str] = {"review": "补办审核", "approve": "补办审批"}
OBJECTION_ROLES = frozenset({Role.township_officer, Role.county_officer})


def _backfill_roles(case: Case, step: BackfillStep, policy: CountyPolicy) -> set[Role]:
    if step == "review":
        return {Role.township_officer}
    roles = {Role.county_officer}
    if policy_service.township_may_approve(policy, case):
        roles.add(Role.township_officer)
    return roles


def next_backfill_step(case: Case) -> BackfillStep | None:
    """The 补办 step the case waits for, or None (not helped first, or all done)."""
    if not case.relief_first or case.backfill_approved_at is not None:
        return None
    return "review" if case.backfill_reviewed_at is None else "approve"


def may_backfill(actor: Actor, case: Case, policy: CountyPolicy) -> BackfillStep | None:
    """The 补办 step `actor` may record on `case` now, if any (what the case page offers)."""
    step = next_backfill_step(case)
    if step is None or not actor.can_act_on(_backfill_roles(case, step, policy), case.region_path):
        return None
    return step


def may_handle_objections(actor: Actor, case: Case) -> bool:
    """Township and county officers over the case record and resolve 公示 objections."""
    return case.status == CaseStatus.publicity and actor.can_act_on(
        OBJECTION_ROLES, case.region_path
    )


async def backfill(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    case_id: int,
    step: BackfillStep,
    note: str | None = None,
) -> Case:
    """Record the review (township) or approval (county, or township where delegated) owed by a
    case that was helped first (先行救助)."""
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    if not case.relief_first:
        raise Conflict("这个案件不是先行救助,不需要补办", code="not_relief_first")
    if case.backfill_approved_at is not None:
        raise Conflict("补办手续已经完成", code="backfill_done")
    policy = await policy_service.get(session, county_code=case.county_code)
    if step == "review" and case.backfill_reviewed_at is not None:
        raise Conflict("补办审核已经完成,等待审批", code="backfill_reviewed")
    if step == "approve" and case.backfill_reviewed_at is None:
        raise Conflict("请先完成补办审核,再审批", code="backfill_review_first")
    if not actor.can_act_on(_backfill_roles(case, step, policy), case.region_path):
        raise Forbidden("您没有权限办理这一步补办手续", code="backfill_forbidden")
    now = clock.now()
    if step == "review":
        case.backfill_reviewed_at = now
    else:
        case.backfill_approved_at = now
        if case.due_step == "backfill":
            case.due_at, case.due_step = None, None
    case.updated_at = now
    session.add(_event(case, actor, clock, f"backfill_{step}", (note or "").strip() or None))
    await session.flush()
    return case


async def record_objection(
    session: AsyncSession, *, clock: Clock, actor: Actor, case_id: int, text: str
) -> Case:
    """An objection raised during 公示 (recorded by a township or county officer)."""
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    if case.status != CaseStatus.publicity:
        raise Conflict("只有公示中的案件可以登记异议", code="not_in_publicity")
    if not actor.can_act_on(OBJECTION_ROLES, case.region_path):
        raise Forbidden("您没有权限登记异议", code="objection_forbidden")
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidInput(f"请填写异议内容(不超过{MAX_TEXT}字)", code="objection_text")
    case.open_objections += 1
    case.updated_at = clock.now()
    session.add(_event(case, actor, clock, "objection", text))
    await session.flush()
    return case


async def resolve_objection(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    case_id: int,
    upheld: bool,
    note: str,
) -> Case:
    """An upheld objection sends the case back to investigation; a dismissed one is closed."""
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    if not actor.can_act_on(OBJECTION_ROLES, case.region_path):
        raise Forbidden("您没有权限处理异议", code="objection_forbidden")
    if case.status != CaseStatus.publicity or case.open_objections < 1:
        raise Conflict("没有待处理的异议", code="no_objection")
    if not (note or "").strip():
        raise InvalidInput("请写明异议核实的结果", code="note_required")
    if upheld:
        return await workflow.transition(
            session,
            clock=clock,
            actor=actor,
            case_id=case.id,
            to=CaseStatus.investigating,
            note=f"异议成立: {note.strip()}",
        )
    case.open_objections -= 1
    case.updated_at = clock.now()
    session.add(_event(case, actor, clock, "objection_dismissed", note.strip()))
    await session.flush()
    return case


@dataclass(frozen=True, slots=True)
class PublicityRow:
    number: str
    name: str
    village: str
    items: str
    start: str
    end: str


async def publicity_list(
    session: AsyncSession, *, actor: Actor, township_id: int
) -> list[PublicityRow]:
    """The printable 公示 list of a township: only what may be published."""
    township = await session.get(Region, township_id)
    if township is None or township.level != RegionLevel.township or not actor.sees(township.path):
        raise NotFound("找不到这个乡镇", code="region_not_found")  # foreign = missing
    rows = await session.execute(
        select(Case, Person.name, Region.name)
        .join(Person, Person.id == Case.beneficiary_id)
        .join(Region, Region.id == Case.village_id, isouter=True)
        .where(Case.township_id == township_id, Case.status == CaseStatus.publicity)
        .order_by(Case.number)
    )
    return [
        PublicityRow(
            number=case.number,
            name=name,
            village=village or township.name,
            items=items_service.describe(case.item_ids),
            start=f"{case.publicity_start:%Y-%m-%d}" if case.publicity_start else "",
            end=f"{case.publicity_end:%Y-%m-%d}" if case.publicity_end else "",
        )
        for case, name, village in rows.all()
    ]


async def overdue_backfills(session: AsyncSession, *, now: datetime) -> list[Case]:
    """Cases helped first whose 补办 is past its deadline: flagged until the approval is done."""
    result = await session.execute(
        select(Case)
        .where(
            Case.relief_first.is_(True),
            Case.backfill_approved_at.is_(None),
            Case.backfill_due_at < now,
        )
        .order_by(Case.backfill_due_at)
    )
    return list(result.scalars())
