"""The paths a linear state machine misses: 先行救助 with its overdue 补办, 公示 with objections,
township approval where the county delegates, and deadlines from the working-day calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.cases import policy as policy_service
from backend.cases import relief, workflow
from backend.cases.models import Case, CaseStatus
from backend.core.clock import FrozenClock
from backend.core.errors import Conflict, Forbidden
from backend.core.runtime import Runtime
from backend.people import service as people_service
from backend.people.service import PersonInput
from tests.cases.helpers import case_in, sign_consent, submit
from tests.conftest import SHANGHAI
from tests.world import World

S = CaseStatus


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


async def move(
    runtime: Runtime, world: World, case: Case, actor: str, to: S, note: str = ""
) -> Case:
    async with runtime.sessions() as session, session.begin():
        return await workflow.transition(
            session,
            clock=runtime.clock,
            actor=world.actors[actor],
            case_id=case.id,
            to=to,
            note=note or None,
        )


async def test_new_case_deadlines_come_from_the_calendar(runtime: Runtime, world: World) -> None:
    # Monday 2 March 2026, 09:00: registration is due by the end of the next working day.
    ordinary = (await submit(runtime, world, items=("living.meal",))).case
    assert ordinary.due_step == "register"
    assert ordinary.due_at == shanghai(2026, 3, 3, 23, 59, 59)
    urgent = (await submit(runtime, world, items=("care.attendance",), emergency=True)).case
    assert urgent.due_step == "emergency_ack"
    assert urgent.due_at == shanghai(2026, 3, 2, 11, 0)  # two hours, holidays or not


async def test_review_deadline_counts_from_registration_across_spring_festival(
    runtime: Runtime, world: World, clock: FrozenClock
) -> None:
    clock.set(shanghai(2026, 2, 12, 10, 0))  # Thursday before the 2026 Spring Festival
    case = await case_in(runtime, world, S.investigating)
    assert case.due_step == "review"
    # 25 working days after 12 Feb, skipping 15–23 Feb and counting the make-up Saturdays.
    # Working days after 12 Feb: 13, 14 (Sat, make-up), 24–28 Feb (28th a make-up Saturday),
    # then weekdays; the 25th is Wednesday 25 March.
    assert case.due_at == shanghai(2026, 3, 25, 23, 59, 59)


async def test_relief_first_then_backfill(
    runtime: Runtime, world: World, clock: FrozenClock
) -> None:
    case = (await submit(runtime, world, items=("care.attendance",), emergency=True)).case
    helped = await move(runtime, world, case, "township", S.in_service, "已派人上门照看")
    assert helped.relief_first and helped.backfill_pending
    assert helped.due_step == "backfill" and helped.backfill_due_at == helped.due_at
    with pytest.raises(Conflict, match="补办"):
        await move(runtime, world, case, "township", S.closed)

    clock.advance(timedelta(days=20))  # the paperwork is now overdue and flagged
    async with runtime.sessions() as session:
        overdue = await relief.overdue_backfills(session, now=clock.now())
    assert [c.id for c in overdue] == [case.id]

    async with runtime.sessions() as session, session.begin():
        with pytest.raises(Conflict, match="先完成补办审核"):
            await relief.backfill(
                session,
                clock=clock,
                actor=world.actors["county"],
                case_id=case.id,
                step="approve",
            )
    async with runtime.sessions() as session, session.begin():
        with pytest.raises(Forbidden):
            await relief.backfill(
                session,
                clock=clock,
                actor=world.actors["county"],
                case_id=case.id,
                step="review",
            )
        await relief.backfill(
            session, clock=clock, actor=world.actors["township"], case_id=case.id, step="review"
        )
    async with runtime.sessions() as session, session.begin():
        done = await relief.backfill(
            session, clock=clock, actor=world.actors["county"], case_id=case.id, step="approve"
        )
        assert not done.backfill_pending and done.due_at is None
        assert await relief.overdue_backfills(session, now=clock.now()) == []
    closed = await move(runtime, world, case, "township", S.closed)
    assert closed.status == S.closed


async def test_ordinary_case_cannot_skip_to_service(runtime: Runtime, world: World) -> None:
    case = (await submit(runtime, world)).case
    with pytest.raises(Conflict, match="不是紧急案件"):
        await move(runtime, world, case, "township", S.in_service)


async def test_publicity_with_objection(runtime: Runtime, world: World, clock: FrozenClock) -> None:
    async with runtime.sessions() as session, session.begin():
        await policy_service.update(
            session, clock=clock, county_code="532323", publicity_required=True
        )
    case = await case_in(runtime, world, S.reviewed)
    with pytest.raises(Conflict, match="先公示"):
        await move(runtime, world, case, "county", S.approved)
    case = await move(runtime, world, case, "township", S.publicity)
    assert case.publicity_start is not None and case.publicity_end is not None
    assert case.due_step == "publicity"
    # Monday 2 March + 5 working days: the notice runs to Monday 9 March.
    assert (case.publicity_start.isoformat(), case.publicity_end.isoformat()) == (
        "2026-03-02",
        "2026-03-09",
    )
    with pytest.raises(Conflict, match="公示期"):
        await move(runtime, world, case, "county", S.approved)

    async with runtime.sessions() as session, session.begin():
        await relief.record_objection(
            session,
            clock=clock,
            actor=world.actors["township"],
            case_id=case.id,
            text="邻居反映其子女有稳定收入",
        )
        rows = await relief.publicity_list(
            session, actor=world.actors["township"], township_id=world.township.id
        )
    assert [(r.name, r.village, r.items) for r in rows] == [("李大爷", "北屯村", "助餐")]
    printable = " ".join(str(r) for r in rows)
    assert "5323" not in printable.replace(case.number, "") and "138" not in printable

    clock.set(shanghai(2026, 3, 10, 9, 0))
    with pytest.raises(Conflict, match="异议"):
        await move(runtime, world, case, "county", S.approved)
    async with runtime.sessions() as session, session.begin():
        back = await relief.resolve_objection(
            session,
            clock=clock,
            actor=world.actors["township"],
            case_id=case.id,
            upheld=True,
            note="核实属实,重新调查收入",
        )
    assert back.status == S.investigating and back.open_objections == 0

    # Second round: an objection that does not hold is dismissed, then the county approves.
    await move(runtime, world, case, "township", S.reviewed)
    case = await move(runtime, world, case, "township", S.publicity)
    async with runtime.sessions() as session, session.begin():
        await relief.record_objection(
            session, clock=clock, actor=world.actors["township"], case_id=case.id, text="匿名"
        )
        await relief.resolve_objection(
            session,
            clock=clock,
            actor=world.actors["township"],
            case_id=case.id,
            upheld=False,
            note="经核实不属实",
        )
    clock.advance(timedelta(days=14))
    approved = await move(runtime, world, case, "county", S.approved)
    assert approved.status == S.approved


async def test_township_approves_what_the_county_delegates(
    runtime: Runtime, world: World, clock: FrozenClock
) -> None:
    async with runtime.sessions() as session, session.begin():
        await policy_service.update(
            session, clock=clock, county_code="532323", township_approves=["living.meal"]
        )
    meal = await case_in(runtime, world, S.reviewed, items=("living.meal",))
    bath = await case_in(runtime, world, S.reviewed, items=("living.bath",))
    assert (await move(runtime, world, meal, "township", S.approved)).status == S.approved
    with pytest.raises(Forbidden):
        await move(runtime, world, bath, "township", S.approved)
    assert (await move(runtime, world, bath, "county", S.approved)).status == S.approved
    # A sibling township's officer gains nothing from the delegation.
    async with runtime.sessions() as session, session.begin():
        neighbour = await people_service.find_or_create(
            session,
            clock=clock,
            cipher=runtime.cipher,
            data=PersonInput(name="王大妈", region=world.village, phone="13700001111"),
        )
    other = await case_in(runtime, world, S.reviewed, items=("living.meal",), beneficiary=neighbour)
    with pytest.raises(Exception) as refused:
        await move(runtime, world, other, "sibling_township", S.approved)
    assert refused.type.__name__ == "NotFound"


async def test_missing_consent_blocks_the_home_investigation(
    runtime: Runtime, world: World
) -> None:
    case = await case_in(runtime, world, S.registered)
    with pytest.raises(Conflict) as blocked:
        await move(runtime, world, case, "township", S.investigating)
    assert blocked.value.code == "consent_missing"
    assert "授权书" in blocked.value.message and "李大爷" in blocked.value.message
    await sign_consent(runtime, world, person_id=case.beneficiary_id)
    moved = await move(runtime, world, case, "township", S.investigating)
    assert moved.status == S.investigating
