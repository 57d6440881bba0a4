"""一证一书: the signed authorisation for the household's economic check (核对授权书).

Every adult member of the beneficiary's household signs one, and so does the beneficiary; for a
beneficiary under 14 a guardian signs on their behalf. A member is exempt when already on the
roll: on 特困 themselves, or in a household on 低保 (低保 is granted to the household). Without
all signatures the home investigation (入户调查) cannot start; `missing_for_investigation` names
whom to collect from.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit_service
from backend.core.clock import Clock, SystemClock, business_date
from backend.core.errors import Conflict, InvalidInput
from backend.people import service as people_service
from backend.people.groups import DIBAO, TEKUN
from backend.people.models import ConsentRecord, Person, TargetGroup
from backend.staff.actor import Actor

ADULT_AGE = 18
GUARDIAN_SIGNS_BELOW = 14


class ConsentState(enum.StrEnum):
    signed = "signed"  # 已签
    not_required = "not_required"  # 无需 (已在低保或特困名册)
    missing = "missing"  # 缺


STATE_NAMES = {
    ConsentState.signed: "已签",
    ConsentState.not_required: "无需(已在低保或特困名册)",
    ConsentState.missing: "缺",
}


@dataclass(frozen=True, slots=True)
class MemberConsent:
    person_id: int
    name: str
    state: ConsentState
    guardian_signs: bool  # under 14: a guardian signs for them
    signed_on: date | None = None
    signed_by_name: str | None = None
    scan_storage_key: str | None = None

    @property
    def collect_from(self) -> str:
        """Whom a clerk asks for the signature, in plain words."""
        if not self.guardian_signs:
            return self.name
        return f"{self.name}的监护人(代{self.name}签)"


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


async def record_signed(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    person_id: int,
    signed_on: date,
    scan_storage_key: str,
    scan_sha256: str | None = None,
    signed_by_name: str | None = None,
) -> ConsentRecord:
    """Store a signed authorisation with its scan; under 14 the guardian's name is required."""
    person = await people_service.get_or_raise(session, person_id=person_id)
    if not scan_storage_key.strip():
        raise InvalidInput("请上传签字后的授权书扫描件", code="consent_scan_missing")
    if signed_on > business_date(clock.now()):
        raise InvalidInput("签字日期不能晚于今天", code="consent_future")
    minor = person.birth_date is not None and age_on(person.birth_date, signed_on) < 14
    signer = people_service.clean_name(signed_by_name) if signed_by_name else None
    if minor and signer is None:
        raise InvalidInput(
            f"{person.name}未满14周岁,授权书须由监护人代签,请填写监护人姓名",
            code="consent_guardian_missing",
        )
    record = ConsentRecord(
        person_id=person.id,
        signed_on=signed_on,
        signed_by_name=signer,
        scan_storage_key=scan_storage_key.strip(),
        scan_sha256=scan_sha256,
        recorded_by_label=actor.label,
        created_at=clock.now(),
    )
    session.add(record)
    await session.flush()
    await audit_service.record(
        session,
        clock=clock,
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        action="consent.signed",
        entity_type="person",
        entity_id=person.id,
        region_id=person.region_id,
        detail={"consent_id": record.id, "guardian": signer is not None},
    )
    return record


async def household_status(
    session: AsyncSession, *, person_id: int, today: date
) -> list[MemberConsent]:
    """The consent state of each member whose signature the beneficiary's case needs."""
    beneficiary = await people_service.get_or_raise(session, person_id=person_id)
    members = await people_service.list_household_members(session, person=beneficiary)
    ids = [m.id for m in members]
    groups = (
        await session.execute(
            select(TargetGroup.person_id, TargetGroup.group).where(
                TargetGroup.person_id.in_(ids),
                TargetGroup.group.in_((DIBAO, TEKUN)),
                TargetGroup.ended_on.is_(None),
            )
        )
    ).all()
    household_on_dibao = any(group == DIBAO for _, group in groups)
    on_tekun = {pid for pid, group in groups if group == TEKUN}
    records = (
        await session.execute(
            select(ConsentRecord)
            .where(ConsentRecord.person_id.in_(ids), ConsentRecord.withdrawn_on.is_(None))
            .order_by(ConsentRecord.signed_on)
        )
    ).scalars()
    latest = {record.person_id: record for record in records}
    result: list[MemberConsent] = []
    for member in members:
        age = age_on(member.birth_date, today) if member.birth_date else None
        is_beneficiary = member.id == beneficiary.id
        if not is_beneficiary and age is not None and age < ADULT_AGE:
            continue
        guardian = age is not None and age < GUARDIAN_SIGNS_BELOW
        record = latest.get(member.id)
        if household_on_dibao or member.id in on_tekun:
            state = ConsentState.not_required
        elif record is not None and (not guardian or record.signed_by_name):
            state = ConsentState.signed
        else:
            state = ConsentState.missing
        result.append(_member(member, state, guardian, record))
    return result


def _member(
    member: Person, state: ConsentState, guardian: bool, record: ConsentRecord | None
) -> MemberConsent:
    if record is None or state != ConsentState.signed:
        return MemberConsent(member.id, member.name, state, guardian)
    return MemberConsent(
        member.id,
        member.name,
        state,
        guardian,
        signed_on=record.signed_on,
        signed_by_name=record.signed_by_name,
        scan_storage_key=record.scan_storage_key,
    )


async def missing_for_investigation(
    session: AsyncSession, *, person_id: int, today: date | None = None
) -> list[str]:
    """Whom to collect a signed 核对授权书 from before the home investigation; empty: none.

    Adult members by name; a beneficiary under 14 as "某某的监护人(代某某签)". Pass `today`
    (the business date of the workflow's clock); without it the system clock is used.
    """
    day = today if today is not None else business_date(SystemClock().now())
    members = await household_status(session, person_id=person_id, today=day)
    return [m.collect_from for m in members if m.state == ConsentState.missing]


def missing_message(names: list[str]) -> str:
    return "入户调查前,请先收集以下人员签字的《家庭经济状况核对授权书》并上传扫描件: " + "、".join(
        names
    )


async def require_for_investigation(session: AsyncSession, *, person_id: int, today: date) -> None:
    """Raise Conflict with what to collect when a signature is missing."""
    names = await missing_for_investigation(session, person_id=person_id, today=today)
    if names:
        raise Conflict(missing_message(names), code="consent_missing", missing=names)
