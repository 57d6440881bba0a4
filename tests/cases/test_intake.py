"""Submission: numbering, duplicate linking, delegate consent, bad input."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import func, select

from backend.cases import service as cases_service
from backend.cases.models import ApplicantKind, Case, CaseEvent, CaseStatus, Channel
from backend.cases.schemas import NewCase
from backend.core.clock import FrozenClock
from backend.core.errors import Forbidden, InvalidInput
from backend.core.runtime import Runtime
from tests.cases.helpers import case_in, submit
from tests.conftest import SHANGHAI
from tests.world import World


async def test_case_numbers_are_readable_and_sequential_per_county(
    runtime: Runtime, world: World
) -> None:
    first = (await submit(runtime, world, items=("living.meal",))).case
    second = (await submit(runtime, world, items=("living.bath",))).case
    other = (await submit(runtime, world, items=("care.visit",), region=world.other_village)).case
    assert first.number == "532323-2026-00001"
    assert second.number == "532323-2026-00002"
    assert other.number == "532331-2026-00001"  # another county counts on its own


async def test_numbering_restarts_with_the_year_in_shanghai_time(
    runtime: Runtime, world: World, clock: FrozenClock
) -> None:
    await submit(runtime, world, items=("living.meal",))
    # 1 Jan 2027 00:30 in Shanghai is still 2026 in UTC: the business year decides.
    clock.set(datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI))
    case = (await submit(runtime, world, items=("living.bath",))).case
    assert case.number == "532323-2027-00001"


async def test_fifty_concurrent_submissions_get_fifty_distinct_numbers(
    runtime: Runtime, world: World
) -> None:
    items = [
        "care.visit", "care.attendance", "care.rehab", "care.medical_escort",
        "care.health_monitor", "living.meal", "living.bath", "living.mobility",
        "living.cleaning", "living.shopping",
    ]  # fmt: skip
    # Different beneficiaries so none is linked as a duplicate of another.
    from backend.people import service as people_service
    from backend.people.service import PersonInput

    async with runtime.sessions() as session, session.begin():
        people = [
            await people_service.find_or_create(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                data=PersonInput(name=f"居民{i}", region=world.village, phone=f"1390000{i:04d}"),
            )
            for i in range(5)
        ]
    results = await asyncio.gather(
        *(
            submit(runtime, world, beneficiary=people[i % 5], items=(items[i // 5],))
            for i in range(50)
        )
    )
    numbers = {r.case.number for r in results}
    assert len(numbers) == 50
    assert all(r.created for r in results)
    async with runtime.sessions() as session:
        seqs = sorted((await session.execute(select(Case.seq))).scalars())
    assert seqs == list(range(1, 51))


async def test_repeat_request_is_linked_not_queued_twice(runtime: Runtime, world: World) -> None:
    first = await submit(runtime, world, items=("living.meal",))
    again = await submit(runtime, world, items=("living.meal",), text="还是想要送饭")
    assert first.created and not again.created
    assert again.case.id == first.case.id and again.linked_to is not None
    assert again.linked_items == ("living.meal",)
    async with runtime.sessions() as session:
        assert (await session.execute(select(func.count(Case.id)))).scalar_one() == 1
        kinds = (
            (
                await session.execute(
                    select(CaseEvent.kind).where(CaseEvent.case_id == first.case.id)
                )
            )
            .scalars()
            .all()
        )
    assert "repeat_request" in kinds


async def test_partly_new_request_files_only_the_new_items(runtime: Runtime, world: World) -> None:
    await submit(runtime, world, items=("living.meal",))
    result = await submit(runtime, world, items=("living.meal", "living.bath"))
    assert result.created
    assert result.case.item_ids == ["living.bath"]
    assert result.linked_items == ("living.meal",)


async def test_emergency_repeat_raises_the_open_case_to_emergency(
    runtime: Runtime, world: World
) -> None:
    first = await submit(runtime, world, items=("care.attendance",))
    again = await submit(runtime, world, items=("care.attendance",), emergency=True)
    assert not again.created and again.case.id == first.case.id
    async with runtime.sessions() as session:
        case = await session.get(Case, first.case.id)
        assert case is not None and case.emergency and case.priority >= 1


async def test_closed_case_does_not_absorb_a_new_request(runtime: Runtime, world: World) -> None:
    old = await case_in(runtime, world, CaseStatus.closed, items=("living.meal",))
    new = await submit(runtime, world, items=("living.meal",))
    assert new.created and new.case.id != old.id


async def test_delegate_needs_relation_and_consent(runtime: Runtime, world: World) -> None:
    base = NewCase(
        beneficiary_id=world.resident.id,
        region_id=world.village.id,
        channel=Channel.telegram,
        applicant_kind=ApplicantKind.delegate,
        applicant_name="李梅",
        applicant_phone="13912345678",
        text="我爸一个人在家,想请人送饭",
        items=("living.meal",),
    )
    async with runtime.sessions() as session:
        for request, code in (
            (base, "relation_missing"),
            (NewCase(**{**_fields(base), "delegate_relation": "女儿"}), "consent"),
        ):
            with pytest.raises(InvalidInput) as refused:
                await cases_service.submit(
                    session,
                    clock=runtime.clock,
                    cipher=runtime.cipher,
                    actor=world.actors["resident"],
                    request=request,
                )
            assert refused.value.code == code
        ok = NewCase(**{**_fields(base), "delegate_relation": "女儿", "consent_method": "chat"})
        result = await cases_service.submit(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=world.actors["resident"],
            request=ok,
        )
    case = result.case
    assert case.delegate_relation == "女儿" and case.consent_at == runtime.clock.now()
    assert case.applicant_phone_masked == "139****5678"
    assert "13912345678" not in (case.applicant_phone_enc or "")


async def test_village_worker_reports_only_in_own_village(runtime: Runtime, world: World) -> None:
    async with runtime.sessions() as session:
        for region, allowed in ((world.village, True), (world.village2, False)):
            request = NewCase(
                beneficiary_id=world.resident.id,
                region_id=region.id,
                channel=Channel.village_report,
                applicant_kind=ApplicantKind.worker,
                text="走访发现老人独居,需要有人照看",
                items=("care.visit",) if allowed else ("care.attendance",),
            )
            call = cases_service.submit(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                actor=world.actors["worker"],
                request=request,
            )
            if allowed:
                assert (await call).case.applicant_staff_id == world.actors["worker"].staff_id
            else:
                with pytest.raises(Forbidden):
                    await call


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"region_id": 999_999}, "region_unknown"),
        ({"items": ("发钱",)}, "unknown_item"),
        ({"items": ("living.flying",)}, "unknown_item"),  # well-formed, not in the taxonomy
        ({"text": "字" * 10_001}, "text_long"),
        ({"applicant_phone": "12345"}, "phone_length"),
        ({"region_id": -1}, "region_unknown"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    runtime: Runtime, world: World, change: dict[str, object], code: str
) -> None:
    base = NewCase(
        beneficiary_id=world.resident.id,
        region_id=world.village.id,
        channel=Channel.telegram,
        applicant_kind=ApplicantKind.self,
        applicant_phone="13812345678",
        text="想要有人送饭",
        items=("living.meal",),
    )
    request = NewCase(**{**_fields(base), **change})  # type: ignore[arg-type]
    async with runtime.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await _submit_checked(session, runtime, world, request)
        assert refused.value.code == code
        await session.rollback()
        assert (await session.execute(select(func.count(Case.id)))).scalar_one() == 0


async def _submit_checked(session, runtime: Runtime, world: World, request: NewCase):  # type: ignore[no-untyped-def]
    return await cases_service.submit(
        session,
        clock=runtime.clock,
        cipher=runtime.cipher,
        actor=world.actors["resident"],
        request=request,
    )


def _fields(request: NewCase) -> dict[str, object]:
    return {name: getattr(request, name) for name in request.__dataclass_fields__}


async def test_emergency_alerts_the_township_on_duty_whatever_the_channel(
    runtime: Runtime, world: World
) -> None:
    from backend.identities import service as identities_service
    from backend.outbox.models import Notification

    async with runtime.sessions() as session, session.begin():
        for key, external in (("township", "9001"), ("sibling_township", "9002")):
            identity = await identities_service.get_or_create(
                session, clock=runtime.clock, channel="telegram", external_id=external
            )
            await identities_service.bind(
                session, clock=runtime.clock, identity=identity, staff_id=world.actors[key].staff_id
            )
    ordinary = await submit(runtime, world, items=("living.meal",))
    await submit(runtime, world, items=("living.meal",), emergency=True)  # repeat → escalated
    fresh = await submit(runtime, world, items=("care.attendance",), emergency=True)
    async with runtime.sessions() as session:
        alerts = (
            (
                await session.execute(
                    select(Notification).where(Notification.template_key == "emergency_alert")
                )
            )
            .scalars()
            .all()
        )
    # Only the officer of the case's own township, once per case.
    assert sorted(a.params["number"] for a in alerts) == sorted(
        [ordinary.case.number, fresh.case.number]
    )
    assert {a.staff_id for a in alerts} == {world.actors["township"].staff_id}
