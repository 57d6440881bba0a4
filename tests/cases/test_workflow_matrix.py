"""Every legal and illegal transition, by role and region.

The expectations are written out here from the policy workflow, independently of the table in
backend/cases/workflow.py, so a change to that table that breaks policy fails here.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.cases import workflow
from backend.cases.models import CaseEvent, CaseStatus
from backend.core.clock import FrozenClock
from backend.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.core.runtime import Runtime
from tests.cases.helpers import case_in, sign_consent
from tests.world import World

S = CaseStatus
T = "township"  # 乡镇经办 of the case's township
C = "county"  # 县级民政 of the case's county
P = "provider"  # a provider in the case's township
R = "resident"  # the applicant/beneficiary

# (from, to) → who may do it. Everything not listed is illegal for everyone.
LEGAL: dict[tuple[CaseStatus, CaseStatus], set[str]] = {
    (S.submitted, S.registered): {T},
    (S.submitted, S.referred): {T, C},
    (S.submitted, S.rejected): {T},
    (S.submitted, S.withdrawn): {T, R},
    (S.registered, S.investigating): {T},
    (S.registered, S.referred): {T, C},
    (S.registered, S.rejected): {T},
    (S.registered, S.withdrawn): {T, R},
    (S.investigating, S.reviewed): {T},
    (S.investigating, S.referred): {T, C},
    (S.investigating, S.rejected): {T},
    (S.investigating, S.withdrawn): {T, R},
    (S.reviewed, S.approved): {C},
    (S.reviewed, S.investigating): {T, C},
    (S.reviewed, S.referred): {T, C},
    (S.reviewed, S.rejected): {C},
    (S.reviewed, S.withdrawn): {T, R},
    (S.reviewed, S.publicity): {T},
    (S.publicity, S.approved): {C},  # once the notice period is over
    (S.publicity, S.investigating): {T, C},
    (S.publicity, S.referred): {T, C},
    (S.publicity, S.rejected): {C},
    (S.publicity, S.withdrawn): {T, R},
    (S.approved, S.in_service): {T},  # and the provider the case is assigned to (below)
    (S.approved, S.withdrawn): {T, R},
    (S.in_service, S.closed): {T},  # and the assigned provider
    (S.in_service, S.withdrawn): {T, R},
}
ACTORS = [
    T,
    "sibling_township",
    "other_township",
    C,
    "other_county",
    "worker",
    P,
    "admin",
    R,
]
# Who can see a case in 北屯村 of 共和镇 at all (others get "not found", as for a missing id).
# A provider sees only the cases assigned to it: here none are.
SEES = {T, C, "worker", "admin", R}
NEEDS_NOTE = {S.referred, S.rejected}
# One item per actor, so each actor's case is a distinct request, not a linked duplicate.
ITEMS = [
    "care.visit",
    "care.attendance",
    "care.rehab",
    "care.medical_escort",
    "care.health_monitor",
    "living.meal",
    "living.bath",
    "living.mobility",
    "living.cleaning",
]


def _note(frm: CaseStatus, to: CaseStatus) -> str | None:
    back = to == S.investigating and frm in {S.reviewed, S.publicity}
    return "理由" if to in NEEDS_NOTE or back else None


@pytest.mark.parametrize(("frm", "to"), sorted(LEGAL), ids=lambda s: s.value)
async def test_legal_move_by_every_actor(
    runtime: Runtime, world: World, clock: FrozenClock, frm: CaseStatus, to: CaseStatus
) -> None:
    for actor_key in ACTORS:
        case = await case_in(runtime, world, frm, items=(ITEMS[ACTORS.index(actor_key)],))
        if frm == S.publicity:
            clock.advance(timedelta(days=30))  # the notice period is over
        if to == S.investigating:
            await sign_consent(runtime, world, person_id=case.beneficiary_id)
        async with runtime.sessions() as session, session.begin():
            call = workflow.transition(
                session,
                clock=runtime.clock,
                actor=world.actors[actor_key],
                case_id=case.id,
                to=to,
                note=_note(frm, to),
            )
            if actor_key in LEGAL[(frm, to)]:
                moved = await call
                assert moved.status == to, actor_key
                events = (
                    (
                        await session.execute(
                            select(CaseEvent)
                            .where(CaseEvent.case_id == case.id)
                            .order_by(CaseEvent.id)
                        )
                    )
                    .scalars()
                    .all()
                )
                last = events[-1]
                assert (last.from_status, last.to_status) == (frm.value, to.value)
                assert last.actor_label == world.actors[actor_key].label
            elif actor_key in SEES:
                with pytest.raises(Forbidden):
                    await call
            else:
                with pytest.raises(NotFound):
                    await call


ILLEGAL = [
    (frm, to)
    for frm, to in itertools.product(list(S), list(S))
    if (frm, to) not in LEGAL and frm != to
]


@pytest.mark.parametrize(("frm", "to"), ILLEGAL, ids=lambda s: s.value)
async def test_illegal_move_is_refused_and_changes_nothing(
    runtime: Runtime, world: World, frm: CaseStatus, to: CaseStatus
) -> None:
    case = await case_in(runtime, world, frm)
    async with runtime.sessions() as session:
        before = len(
            (await session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id))).all()
        )
        # Even the most privileged actors for the target state are refused. (For a
        # non-emergency case, 先行救助 from submitted/registered is illegal too.)
        for actor_key in (T, C):
            with pytest.raises(Conflict) as refused:
                await workflow.transition(
                    session,
                    clock=runtime.clock,
                    actor=world.actors[actor_key],
                    case_id=case.id,
                    to=to,
                    note="理由",
                )
            assert case.number in refused.value.message
            await session.rollback()
        after = len(
            (await session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id))).all()
        )
    assert after == before


async def test_rejection_needs_a_reason(runtime: Runtime, world: World) -> None:
    case = await case_in(runtime, world, S.registered)
    async with runtime.sessions() as session:
        with pytest.raises(InvalidInput, match="理由"):
            await workflow.transition(
                session,
                clock=runtime.clock,
                actor=world.actors[T],
                case_id=case.id,
                to=S.rejected,
                note="  ",
            )


async def test_illegal_message_names_the_possible_moves(runtime: Runtime, world: World) -> None:
    case = await case_in(runtime, world, S.submitted)
    async with runtime.sessions() as session:
        with pytest.raises(Conflict) as refused:
            await workflow.transition(
                session, clock=runtime.clock, actor=world.actors[T], case_id=case.id, to=S.closed
            )
    assert "已提交" in refused.value.message and "受理登记" in refused.value.message


async def test_registering_officer_becomes_owner(runtime: Runtime, world: World) -> None:
    case = await case_in(runtime, world, S.registered)
    assert case.owner_staff_id == world.actors[T].staff_id


async def test_final_states_record_closing_time(runtime: Runtime, world: World) -> None:
    case = await case_in(runtime, world, S.closed)
    assert case.closed_at == runtime.clock.now()


async def test_assigned_provider_starts_and_closes_the_service(
    runtime: Runtime, world: World
) -> None:
    from backend.cases import assignment

    case = await case_in(runtime, world, S.approved)
    async with runtime.sessions() as session, session.begin():
        await assignment.assign(
            session,
            clock=runtime.clock,
            actor=world.actors[T],
            case_id=case.id,
            assignee_staff_id=world.actors[P].staff_id or 0,
        )
    for target in (S.in_service, S.closed):
        async with runtime.sessions() as session, session.begin():
            moved = await workflow.transition(
                session, clock=runtime.clock, actor=world.actors[P], case_id=case.id, to=target
            )
        assert moved.status == target
