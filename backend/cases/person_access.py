"""Who may see a person, and the audited view of a full ID number: the rules the person page,
the case page, 代录's roster search and the ledger share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.cases.assignment import CaseAssignment
from backend.cases.models import Case
from backend.core.clock import Clock
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Forbidden, InvalidInput, NotFound
from backend.people import service as people_service
from backend.people.models import Person
from backend.regions.models import Region
from backend.staff.actor import Actor
from backend.staff.models import Role

# Who may see a full ID number (always with a reason, always audited); others see it masked.
FULL_ID_ROLES = frozenset({Role.township_officer, Role.county_officer})


async def person_for_actor(session: AsyncSession, *, actor: Actor, person_id: int) -> Person:
    """The person if the actor may see them: a grant over their region (a provider: only a
    person with a case assigned to it); otherwise NotFound, as for a missing id."""
    found = (
        await session.execute(
            select(Person, Region.path)
            .join(Region, Region.id == Person.region_id)
            .where(Person.id == person_id)
        )
    ).first()
    if found is None or actor.kind != "staff":
        raise NotFound("找不到这个人", code="person_not_found")
    person, path = found
    for grant in actor.grants:
        if not path.startswith(grant.region_path):
            continue
        if grant.role != Role.provider:
            return person
        assigned = await session.scalar(
            select(CaseAssignment.case_id)
            .join(Case, Case.id == CaseAssignment.case_id)
            .where(
                Case.beneficiary_id == person.id,
                CaseAssignment.assignee_staff_id == actor.staff_id,
            )
            .limit(1)
        )
        if assigned is not None:
            return person
    raise NotFound("找不到这个人", code="person_not_found")


def may_see_full_id(actor: Actor, region_path: str) -> bool:
    return actor.can_act_on(FULL_ID_ROLES, region_path)


REASON_MIN, REASON_MAX = 2, 200


async def reveal_full_id(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    actor: Actor,
    person_id: int,
    reason: str,
) -> str | None:
    """The full ID number for a township or county officer over the person, with a reason; the
    view is written to the audit log (`view_full_id`, with the reason) in the same transaction.
    Others: NotFound outside their scope, Forbidden inside it."""
    person = await person_for_actor(session, actor=actor, person_id=person_id)
    region = await session.get(Region, person.region_id)
    if region is None or not may_see_full_id(actor, region.path):
        raise Forbidden("您的角色不能查看完整身份证号", code="full_id_forbidden")
    reason = (reason or "").strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput(
            f"请填写查看完整身份证号的事由({REASON_MIN}到{REASON_MAX}字)", code="reason_required"
        )
    await audit.record(
        session,
        clock=clock,
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        action="view_full_id",
        entity_type="person",
        entity_id=person.id,
        region_id=region.id,
        reason=reason,
    )
    return people_service.reveal_id_number(person, cipher=cipher)
