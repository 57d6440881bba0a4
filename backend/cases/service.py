"""Case intake and reading: submission with duplicate linking, and scoped look-up.

Invariants: a case always has a township and a readable number unique per county and year; an open
case per beneficiary and item at most (a repeat request is linked to the open case as an event);
every change writes a CaseEvent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import notify, numbering
from backend.cases.items import check_items
from backend.cases.models import (
    OPEN_STATUSES,
    ApplicantKind,
    Case,
    CaseEvent,
    CaseItem,
    CaseStatus,
)
from backend.cases.schemas import NewCase, SubmitResult
from backend.core.clock import Clock, as_utc, business_date
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Forbidden, InvalidInput, NotFound
from backend.people import service as people_service
from backend.people.idnumbers import mask_phone, normalise_phone
from backend.regions import service as regions_service
from backend.regions.models import RegionLevel
from backend.staff.actor import Actor
from backend.staff.models import Role
from backend.workcal import service as workcal

MAX_TEXT_LENGTH = 10_000
_CLERK_ROLES = {Role.township_officer, Role.county_officer}
_WORKER_ROLES = {Role.village_worker, Role.township_officer}


async def get(session: AsyncSession, *, case_id: int) -> Case | None:
    return await session.get(Case, case_id)


async def get_for_actor(session: AsyncSession, *, actor: Actor, case_id: int) -> Case:
    """The case if the actor may see it; a foreign case answers exactly like a missing one."""
    case = await session.get(Case, case_id)
    if case is None or not may_see(actor, case):
        raise NotFound("找不到这个案件", code="case_not_found")
    return case


async def get_by_number(session: AsyncSession, *, number: str) -> Case | None:
    result = await session.execute(select(Case).where(Case.number == number.strip()))
    return result.scalar_one_or_none()


def may_see(actor: Actor, case: Case) -> bool:
    if actor.kind == "system":
        return True
    if actor.kind == "person":
        return actor.person_id is not None and actor.person_id in (
            case.applicant_person_id,
            case.beneficiary_id,
        )
    # A provider sees a case only while it is assigned to it (backend.cases.assignment adds the
    # `assignment` relationship, loaded with the case); any other role sees its region subtree.
    assignment = getattr(case, "assignment", None)
    assignee = assignment.assignee_staff_id if assignment is not None else None
    return any(
        case.region_path.startswith(grant.region_path)
        and (grant.role != Role.provider or assignee == actor.staff_id)
        for grant in actor.grants
    )


async def list_open_for_beneficiary(session: AsyncSession, *, person_id: int) -> list[Case]:
    result = await session.execute(
        select(Case)
        .where(Case.beneficiary_id == person_id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.created_at, Case.id)
    )
    return list(result.scalars())


def _check_applicant(actor: Actor, request: NewCase, region_path: str) -> None:
    kind = request.applicant_kind
    if kind == ApplicantKind.delegate:
        if not (request.delegate_relation or "").strip():
            raise InvalidInput("代他人申请,请说明您和申请对象的关系", code="relation_missing")
        if not request.consent_method:
            raise InvalidInput("代他人申请,需要确认已征得本人(或监护人)同意", code="consent")
    if kind == ApplicantKind.clerk and not actor.can_act_on(_CLERK_ROLES, region_path):
        raise Forbidden("只有本乡镇的经办人员可以代录申请", code="clerk_scope")
    if kind == ApplicantKind.worker and not actor.can_act_on(_WORKER_ROLES, region_path):
        raise Forbidden("只能上报自己负责的村的困难户", code="worker_scope")


async def submit(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    actor: Actor,
    request: NewCase,
) -> SubmitResult:
    """File a help request, or link it to the beneficiary's open case for the same items."""
    text = (request.text or "").strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(f"描述太长了,请不超过{MAX_TEXT_LENGTH}个字", code="text_long")
    items = check_items(request.items)
    region = await regions_service.get(session, region_id=request.region_id)
    if region is None:
        raise InvalidInput("所选地区不存在,请重新选择乡镇和村", code="region_unknown")
    township = await regions_service.township_of(session, region=region)
    _check_applicant(actor, request, region.path)
    beneficiary = await people_service.get_or_raise(session, person_id=request.beneficiary_id)
    phone = normalise_phone(request.applicant_phone) if request.applicant_phone else None
    now = clock.now()

    covering: dict[str, Case] = {}
    for open_case in await list_open_for_beneficiary(session, person_id=beneficiary.id):
        for item in open_case.item_ids:
            covering.setdefault(item, open_case)
    linked_items = [i for i in items if i in covering]
    new_items = [i for i in items if i not in covering]
    linked_to = covering[linked_items[0]] if linked_items else None
    if linked_to is not None:
        await _link_repeat_request(
            session, case=linked_to, actor=actor, request=request, clock=clock
        )
        if not new_items:
            return SubmitResult(linked_to, False, linked_to, tuple(linked_items))

    year = business_date(now).year
    seq, number = await numbering.next_number(session, county_code=region.county_code, year=year)
    case = Case(
        number=number,
        county_code=region.county_code,
        year=year,
        seq=seq,
        status=CaseStatus.submitted,
        beneficiary_id=beneficiary.id,
        applicant_kind=request.applicant_kind,
        applicant_person_id=request.applicant_person_id,
        applicant_staff_id=actor.staff_id,
        applicant_name=request.applicant_name,
        applicant_phone_enc=cipher.encrypt(phone) if phone else None,
        applicant_phone_hash=cipher.lookup_hash("phone", phone) if phone else None,
        applicant_phone_masked=mask_phone(phone) if phone else None,
        delegate_relation=(request.delegate_relation or "").strip() or None,
        consent_method=request.consent_method,
        consent_at=now if request.consent_method else None,
        channel=request.channel,
        external_ref=request.external_ref,
        work_order_due_at=request.work_order_due_at,
        original_text=text,
        emergency=request.emergency,
        priority=1 if request.emergency else 0,
        classification=dict(request.classification),
        township_id=township.id,
        village_id=region.id if region.level != RegionLevel.township else None,
        region_path=region.path,
        created_at=now,
        updated_at=now,
        items=[CaseItem(item=i) for i in new_items],
    )
    await _set_first_deadline(session, case)
    session.add(case)
    await session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            kind="submitted",
            to_status=CaseStatus.submitted.value,
            actor_staff_id=actor.staff_id,
            actor_person_id=actor.person_id,
            actor_label=actor.label,
            note=None,
            data={
                "channel": request.channel.value,
                "applicant_kind": request.applicant_kind.value,
                "items": new_items,
                "emergency": request.emergency,
                "linked_to": linked_to.number if linked_to else None,
            },
        )
    )
    await session.flush()
    if case.emergency:  # 救急难: the township on duty hears of it at once, whatever the channel
        await notify.emergency_filed(session, clock=clock, case=case)
    return SubmitResult(case, True, linked_to, tuple(linked_items))


async def _set_first_deadline(session: AsyncSession, case: Case) -> None:
    """A new case waits for registration; an emergency must be acknowledged within hours."""
    step = "emergency_ack" if case.emergency else "register"
    case.due_at = await workcal.deadline(
        session, county_code=case.county_code, step=step, start=case.created_at
    )
    case.due_step = step
    apply_work_order(case, now=case.created_at)


# The ordinary steps a hotline work order's due date may shorten. Emergency acknowledgement,
# 先行救助's 补办 and the 公示 period keep their own clocks (sweeps and rules depend on them).
WORK_ORDER_STEPS = frozenset({"register", "investigate", "review", "review_special", "approve"})
WORK_ORDER_STEP = "work_order"


def apply_work_order(case: Case, *, now: datetime) -> None:
    """The earlier of the step's calendar deadline and the work order's due date.

    A due date already past when a step begins no longer shortens it: the lateness showed on the
    step during which it passed (and in 督办), and every later step would otherwise start overdue.
    """
    due = case.work_order_due_at
    if due is None or case.due_at is None or case.due_step not in WORK_ORDER_STEPS:
        return
    if as_utc(due) > as_utc(now) and as_utc(due) < as_utc(case.due_at):
        case.due_at, case.due_step = due, WORK_ORDER_STEP


async def _link_repeat_request(
    session: AsyncSession, *, case: Case, actor: Actor, request: NewCase, clock: Clock
) -> None:
    """Record a repeat request on the open case; an emergency raises the case's urgency."""
    now = clock.now()
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            kind="repeat_request",
            actor_staff_id=actor.staff_id,
            actor_person_id=actor.person_id,
            actor_label=actor.label,
            note=request.text[:2000],
            data={"channel": request.channel.value, "items": list(request.items)},
        )
    )
    if request.emergency and not case.emergency:
        case.emergency = True
        case.priority = max(case.priority, 1)
        if case.status == CaseStatus.submitted:
            await _set_first_deadline(session, case)
        await notify.emergency_filed(session, clock=clock, case=case)
        session.add(
            CaseEvent(
                case_id=case.id,
                at=now,
                kind="escalated",
                actor_label=actor.label,
                actor_staff_id=actor.staff_id,
                actor_person_id=actor.person_id,
                note="重复申请中提到紧急情况,已标为紧急",
                data={},
            )
        )
    case.updated_at = now
    await session.flush()
