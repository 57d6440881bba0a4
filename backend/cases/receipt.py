"""The 受理回执 handed (or read out) to an applicant: the case number, the items, what happens
next and by when, and whom to call. Plain data; the console prints it as HTML and as .docx.

The township's phone is `regions.extra["phone"]` of the township (else of the county). Dates are
absolute (a receipt is read days later): "2026年11月25日(周三)下班前".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import intake_texts as T
from backend.cases import items as items_service
from backend.cases import service as cases_service
from backend.cases.models import CHANNEL_NAMES, ApplicantKind, Case
from backend.core.clock import BUSINESS_TZ, as_utc
from backend.people.models import Person
from backend.regions.models import Region
from backend.staff.actor import Actor
from backend.staff.models import StaffMember
from backend.workcal import service as workcal
from backend.workcal.days import WEEKDAY_NAMES
from backend.workcal.texts import END_OF_DAY


@dataclass(frozen=True, slots=True)
class Step:
    what: str
    when: str


@dataclass(frozen=True, slots=True)
class Receipt:
    number: str
    filed_at: str
    township: str
    village: str
    beneficiary: str
    applicant: str
    channel: str
    work_order: str
    items: list[str]
    emergency: bool
    steps: list[Step]
    phone: str
    clerk: str
    notes: list[str]


def when(value: datetime) -> str:
    """An absolute deadline in words: "2026年11月25日(周三)下班前" or "…14:30前"."""
    local = as_utc(value).astimezone(BUSINESS_TZ)
    day = local.date()
    text = f"{day.year}年{day.month}月{day.day}日({WEEKDAY_NAMES[day.weekday()]})"
    return text + ("下班前" if local.time() == END_OF_DAY else f"{local:%H:%M}前")


def _phone(township: Region | None, county: Region | None) -> str:
    for region in (township, county):
        phone = str((region.extra or {}).get("phone", "")).strip() if region else ""
        if phone:
            return phone
    return T.RECEIPT_PHONE_MISSING


async def _steps(session: AsyncSession, case: Case) -> list[Step]:
    steps: list[Step] = []
    due = when(case.due_at) if case.due_at is not None and case.is_open else ""
    if case.emergency:
        steps.append(Step(T.NEXT_EMERGENCY, due))
    elif case.due_step in ("register", "work_order"):
        steps.append(Step(T.NEXT_REGISTER, due))
    if case.work_order_due_at is not None:
        steps.append(Step(T.NEXT_WORK_ORDER, when(case.work_order_due_at)))
    rules = {r.step: r for r in await workcal.rules(session, county_code=case.county_code)}
    investigate, review = rules.get("investigate"), rules.get("review")
    if investigate is not None:
        steps.append(Step(T.NEXT_INVESTIGATE, f"受理后{investigate.amount}个工作日内"))
    if review is not None:
        steps.append(Step(T.NEXT_DECIDE, f"自受理起{review.amount}个工作日内"))
    return steps


async def _clerk(session: AsyncSession, case: Case, actor: Actor) -> str:
    """The clerk who entered the case (代录), else whoever prints the receipt."""
    if case.applicant_kind == ApplicantKind.clerk and case.applicant_staff_id is not None:
        member = await session.get(StaffMember, case.applicant_staff_id)
        if member is not None:
            return member.name
    return actor.label


async def build(session: AsyncSession, *, actor: Actor, case_id: int) -> Receipt:
    """The receipt of a case the actor may see (a foreign case answers like a missing one)."""
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    person = await session.get(Person, case.beneficiary_id)
    township = await session.get(Region, case.township_id)
    village = await session.get(Region, case.village_id) if case.village_id else None
    county = (
        await session.get(Region, township.parent_id) if township and township.parent_id else None
    )
    ref = case.external_ref or ""
    hotline, _, number = ref.partition(":")
    work_order = f"{hotline} 工单 {number}" if hotline in T.HOTLINES and number else ""
    applicant = case.applicant_name or ""
    if case.delegate_relation:
        applicant += f"(代为申请,{case.delegate_relation})"
    elif case.applicant_person_id == case.beneficiary_id:
        applicant = T.RECEIPT_SELF
    notes = [T.NEXT_CONSENT] if case.consent_method != "signed_form" else []
    return Receipt(
        number=case.number,
        filed_at=as_utc(case.created_at).astimezone(BUSINESS_TZ).strftime("%Y年%m月%d日 %H:%M"),
        township=township.name if township else "",
        village=village.name if village else "",
        beneficiary=person.name if person else "",
        applicant=applicant,
        channel=CHANNEL_NAMES.get(case.channel, str(case.channel)),
        work_order=work_order,
        items=[items_service.names().get(i, i) for i in case.item_ids],
        emergency=case.emergency,
        steps=await _steps(session, case),
        phone=_phone(township, county),
        clerk=await _clerk(session, case, actor),
        notes=notes,
    )
