"""Exits and pauses stop every duty at once, a resume brings them back, and each is audited."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.core.clock import FrozenClock
from backend.core.errors import Conflict, Forbidden, InvalidInput
from backend.core.runtime import Runtime
from backend.people import exits
from backend.people import service as people_service
from backend.people.models import Person, PersonStatus, PersonStatusChange, TargetGroup
from tests.world import World

TODAY = date(2026, 3, 2)


async def _active_ids(runtime: Runtime, at: datetime) -> set[int]:
    async with runtime.sessions() as session:
        query = select(Person.id).where(people_service.active_recipients_filter(at))
        return set((await session.execute(query)).scalars())


async def _actions(runtime: Runtime, person_id: int) -> list[str]:
    async with runtime.sessions() as session:
        query = (
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "person", AuditEntry.entity_id == str(person_id))
            .order_by(AuditEntry.id)
        )
        return list((await session.execute(query)).scalars())


async def _person(runtime: Runtime, person_id: int) -> Person:
    async with runtime.sessions() as session:
        return await people_service.get_or_raise(session, person_id=person_id)


async def test_pause_and_resume_flip_duties_and_are_audited(
    runtime: Runtime, world: World, clock: FrozenClock
) -> None:
    resident, officer = world.resident.id, world.actors["township"]
    now = clock.now()
    assert people_service.has_duties(await _person(runtime, resident), now)
    assert resident in await _active_ids(runtime, now)

    async with runtime.sessions() as session, session.begin():
        await exits.pause(
            session, clock=clock, actor=world.actors["worker"], person_id=resident,
            effective_on=TODAY,
        )  # fmt: skip
    person = await _person(runtime, resident)
    assert person.status == PersonStatus.paused
    assert not people_service.has_duties(person, now)
    assert resident not in await _active_ids(runtime, now)

    clock.advance(timedelta(days=10))
    async with runtime.sessions() as session, session.begin():
        await exits.resume(
            session, clock=clock, actor=officer, person_id=resident,
            effective_on=TODAY + timedelta(days=9),
        )  # fmt: skip
    person = await _person(runtime, resident)
    assert people_service.has_duties(person, clock.now())
    assert resident in await _active_ids(runtime, clock.now())
    # On a day inside the pause the status before the resume applies.
    assert not people_service.has_duties(person, now + timedelta(days=3))
    assert resident not in await _active_ids(runtime, now + timedelta(days=3))
    assert await _actions(runtime, resident) == ["person.pause", "person.resume"]


@pytest.mark.parametrize("reason", list(exits.ExitReason))
async def test_every_exit_stops_duties_ends_groups_and_is_audited(
    runtime: Runtime, world: World, clock: FrozenClock, reason: exits.ExitReason
) -> None:
    resident = world.resident.id
    async with runtime.sessions() as session, session.begin():
        session.add(TargetGroup(person_id=resident, group="dibao", created_at=clock.now(),
                                updated_at=clock.now()))  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        await exits.record_exit(
            session, clock=clock, actor=world.actors["township"], person_id=resident,
            reason=reason, effective_on=TODAY - timedelta(days=5), note="村委会报告",
        )  # fmt: skip
    person = await _person(runtime, resident)
    assert (person.status, person.status_reason) == (PersonStatus.exited, reason.value)
    assert not people_service.has_duties(person, clock.now())
    assert resident not in await _active_ids(runtime, clock.now())
    # Before the (late-reported) effective date the duties did apply.
    assert resident in await _active_ids(runtime, clock.now() - timedelta(days=10))
    async with runtime.sessions() as session:
        group = (await session.execute(select(TargetGroup))).scalar_one()
        change = (await session.execute(select(PersonStatusChange))).scalar_one()
        entry = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "person.exit"))
        ).scalar_one()
    assert group.ended_on == TODAY - timedelta(days=5)
    assert (change.reason, change.note) == (reason.value, "村委会报告")
    assert entry.detail == {"reason": reason.value, "effective_on": "2026-02-25"}
    assert entry.actor_staff_id == world.actors["township"].staff_id

    async with runtime.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="已登记退出"):
            await exits.record_exit(
                session, clock=clock, actor=world.actors["township"], person_id=resident,
                reason=exits.ExitReason.died, effective_on=TODAY,
            )  # fmt: skip
        with pytest.raises(Conflict):
            await exits.resume(
                session, clock=clock, actor=world.actors["township"], person_id=resident,
                effective_on=TODAY,
            )  # fmt: skip


async def test_future_dates_and_foreign_staff_are_refused(
    runtime: Runtime, world: World, clock: FrozenClock
) -> None:
    resident = world.resident.id
    async with runtime.sessions() as session, session.begin():
        with pytest.raises(InvalidInput, match="不能晚于今天"):
            await exits.pause(
                session, clock=clock, actor=world.actors["township"], person_id=resident,
                effective_on=TODAY + timedelta(days=1),
            )  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        for key in ("sibling_township", "worker"):
            with pytest.raises(Forbidden):
                await exits.record_exit(
                    session, clock=clock, actor=world.actors[key], person_id=resident,
                    reason=exits.ExitReason.moved_out, effective_on=TODAY,
                )  # fmt: skip
    assert people_service.has_duties(await _person(runtime, resident), clock.now())
    assert await _actions(runtime, resident) == ["person.status_denied"] * 2
