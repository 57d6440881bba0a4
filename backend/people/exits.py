"""Exits (死亡, 迁出, 入住供养机构, 不再符合条件, 本人拒绝) and pauses (住院) of a person.

Each one changes `Person.status` at once, so every future reminder, visit duty and survey stops
(they all ask `service.has_duties` / `service.active_recipients_filter`), keeps a row in
`person_status_changes`, and writes an audit entry. An exit is final and ends the person's target
groups; a pause keeps them and is lifted by `resume`. The effective date is the real date of the
event: it may lie in the past (a death reported late) but not in the future, and not before the
previous change.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit_service
from backend.core.clock import Clock, business_date
from backend.core.errors import Conflict, Forbidden, InvalidInput
from backend.people import service as people_service
from backend.people.models import Person, PersonStatus, PersonStatusChange, TargetGroup
from backend.regions import service as regions_service
from backend.staff.actor import Actor
from backend.staff.models import Role


class ExitReason(enum.StrEnum):
    died = "died"
    moved_out = "moved_out"
    institution = "institution"
    ineligible = "ineligible"
    refused = "refused"


class PauseReason(enum.StrEnum):
    hospital = "hospital"


REASON_NAMES: dict[str, str] = {
    ExitReason.died: "死亡",
    ExitReason.moved_out: "迁出",
    ExitReason.institution: "入住供养机构",
    ExitReason.ineligible: "不再符合条件",
    ExitReason.refused: "本人拒绝",
    PauseReason.hospital: "住院",
}

EXIT_ROLES = frozenset({Role.township_officer, Role.county_officer, Role.admin})
PAUSE_ROLES = EXIT_ROLES | {Role.village_worker}


async def record_exit(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    person_id: int,
    reason: ExitReason,
    effective_on: date,
    note: str | None = None,
) -> Person:
    """The person leaves the rolls for good: duties stop, target groups end on `effective_on`."""
    person = await _checked(
        session, clock=clock, actor=actor, person_id=person_id, roles=EXIT_ROLES
    )
    if person.status == PersonStatus.exited:
        raise Conflict("此人已登记退出,不能重复退出", code="person_exited")
    await _change(
        session,
        clock=clock,
        actor=actor,
        person=person,
        status=PersonStatus.exited,
        reason=reason,
        effective_on=effective_on,
        note=note,
    )
    await session.execute(
        update(TargetGroup)
        .where(TargetGroup.person_id == person.id, TargetGroup.ended_on.is_(None))
        .values(ended_on=effective_on, updated_at=clock.now())
    )
    return person


async def pause(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    person_id: int,
    effective_on: date,
    reason: PauseReason = PauseReason.hospital,
    note: str | None = None,
) -> Person:
    """Duties stop until `resume` (住院): the person stays on every roll."""
    person = await _checked(
        session, clock=clock, actor=actor, person_id=person_id, roles=PAUSE_ROLES
    )
    if person.status != PersonStatus.active:
        raise Conflict("只有在册人员可以暂停", code="person_not_active")
    await _change(
        session,
        clock=clock,
        actor=actor,
        person=person,
        status=PersonStatus.paused,
        reason=reason,
        effective_on=effective_on,
        note=note,
    )
    return person


async def resume(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    person_id: int,
    effective_on: date,
    note: str | None = None,
) -> Person:
    """Lift a pause (出院): duties apply again from `effective_on`."""
    person = await _checked(
        session, clock=clock, actor=actor, person_id=person_id, roles=PAUSE_ROLES
    )
    if person.status != PersonStatus.paused:
        raise Conflict("此人没有暂停,无需恢复", code="person_not_paused")
    await _change(
        session,
        clock=clock,
        actor=actor,
        person=person,
        status=PersonStatus.active,
        reason=None,
        effective_on=effective_on,
        note=note,
    )
    return person


async def _checked(
    session: AsyncSession, *, clock: Clock, actor: Actor, person_id: int, roles: frozenset[Role]
) -> Person:
    person = await people_service.get_or_raise(session, person_id=person_id)
    region = await regions_service.get_or_raise(session, region_id=person.region_id)
    if not actor.can_act_on(roles, region.path):
        await audit_service.record(
            session,
            clock=clock,
            actor_staff_id=actor.staff_id,
            actor_label=actor.label,
            action="person.status_denied",
            entity_type="person",
            entity_id=person.id,
            region_id=region.id,
            allowed=False,
            reason="role_or_region",
        )
        raise Forbidden("您没有权限修改此人的在册状态", code="person_status_forbidden")
    return person


async def _change(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    person: Person,
    status: PersonStatus,
    reason: str | None,
    effective_on: date,
    note: str | None,
) -> None:
    today = business_date(clock.now())
    if effective_on > today:
        raise InvalidInput("生效日期不能晚于今天", code="effective_future")
    if person.status_since is not None and effective_on < person.status_since:
        raise InvalidInput(
            f"生效日期不能早于上一次变动的日期 {person.status_since.isoformat()}",
            code="effective_before_last",
        )
    now = clock.now()
    person.previous_status = person.status
    person.status, person.status_reason, person.status_since = status, reason, effective_on
    person.updated_at = now
    session.add(
        PersonStatusChange(
            person_id=person.id,
            status=status,
            reason=reason,
            effective_on=effective_on,
            note=note,
            actor_label=actor.label,
            created_at=now,
        )
    )
    action = {
        PersonStatus.exited: "person.exit",
        PersonStatus.paused: "person.pause",
        PersonStatus.active: "person.resume",
    }[status]
    await audit_service.record(
        session,
        clock=clock,
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        action=action,
        entity_type="person",
        entity_id=person.id,
        region_id=person.region_id,
        detail={"reason": reason, "effective_on": effective_on.isoformat()},
    )
