"""一证一书: every adult member signs the economic-check authorisation, a guardian signs for a
beneficiary under 14, and a household already on 低保 (or a person on 特困) needs none."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.core.errors import Conflict, InvalidInput
from backend.core.runtime import Runtime
from backend.people import consent as consent_service
from backend.people import households
from backend.people import service as people_service
from backend.people.models import Person
from backend.people.service import PersonInput
from tests.world import VALID_IDS, World

TODAY = date(2026, 3, 2)
# 李大爷 (b. 1948, the world's resident), 王奶奶 (b. 1960), 小明 (b. 2015-08-20, aged 10).


async def _family(runtime: Runtime, world: World) -> dict[str, Person]:
    async with runtime.sessions() as session, session.begin():
        clock, cipher = runtime.clock, runtime.cipher
        grandpa = await people_service.get_or_raise(session, person_id=world.resident.id)
        grandma = await people_service.find_or_create(
            session, clock=clock, cipher=cipher,
            data=PersonInput(name="王奶奶", region=world.village, id_number=VALID_IDS[1]),
        )  # fmt: skip
        child = await people_service.find_or_create(
            session, clock=clock, cipher=cipher,
            data=PersonInput(name="小明", region=world.village, id_number=VALID_IDS[3]),
        )  # fmt: skip
        home = await households.create(session, clock=clock, region=world.village)
        for person, relation in ((grandpa, "户主"), (grandma, "妻"), (child, "孙子")):
            await households.add_member(
                session, clock=clock, household=home, person=person, relation=relation
            )
        return {"grandpa": grandpa, "grandma": grandma, "child": child}


async def _missing(runtime: Runtime, person: Person) -> list[str]:
    async with runtime.sessions() as session:
        return await consent_service.missing_for_investigation(
            session, person_id=person.id, today=TODAY
        )


async def _sign(runtime: Runtime, world: World, person: Person, **kwargs: object) -> None:
    async with runtime.sessions() as session, session.begin():
        await consent_service.record_signed(
            session, clock=runtime.clock, actor=world.actors["township"], person_id=person.id,
            signed_on=TODAY, scan_storage_key=f"consent/{person.id}.pdf", **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip


async def test_adults_are_missing_until_they_sign(runtime: Runtime, world: World) -> None:
    family = await _family(runtime, world)
    assert await _missing(runtime, family["grandpa"]) == ["李大爷", "王奶奶"]
    await _sign(runtime, world, family["grandma"])
    assert await _missing(runtime, family["grandpa"]) == ["李大爷"]
    await _sign(runtime, world, family["grandpa"])
    assert await _missing(runtime, family["grandpa"]) == []
    async with runtime.sessions() as session:
        statuses = await consent_service.household_status(
            session, person_id=family["grandpa"].id, today=TODAY
        )
        query = select(AuditEntry.action).where(AuditEntry.action.like("consent%"))
        actions = (await session.execute(query)).scalars().all()
    assert [(s.name, s.state, s.signed_on) for s in statuses] == [
        ("李大爷", "signed", TODAY), ("王奶奶", "signed", TODAY),
    ]  # fmt: skip
    assert statuses[0].scan_storage_key == f"consent/{family['grandpa'].id}.pdf"
    assert list(actions) == ["consent.signed", "consent.signed"]


async def test_a_child_beneficiary_needs_a_guardians_signature(
    runtime: Runtime, world: World
) -> None:
    family = await _family(runtime, world)
    assert await _missing(runtime, family["child"]) == [
        "李大爷", "王奶奶", "小明的监护人(代小明签)",
    ]  # fmt: skip
    with pytest.raises(InvalidInput, match="监护人代签"):
        await _sign(runtime, world, family["child"])
    await _sign(runtime, world, family["child"], signed_by_name="王奶奶")
    assert await _missing(runtime, family["child"]) == ["李大爷", "王奶奶"]


async def test_a_household_on_dibao_needs_no_consent(runtime: Runtime, world: World) -> None:
    family = await _family(runtime, world)
    async with runtime.sessions() as session, session.begin():
        await households.add_group(
            session, clock=runtime.clock, person=family["grandma"], group="农村低保"
        )
    assert await _missing(runtime, family["grandpa"]) == []
    async with runtime.sessions() as session:
        statuses = await consent_service.household_status(
            session, person_id=family["grandpa"].id, today=TODAY
        )
    assert {s.state for s in statuses} == {consent_service.ConsentState.not_required}


async def test_tekun_exempts_only_that_person_and_the_block_says_what_to_collect(
    runtime: Runtime, world: World
) -> None:
    family = await _family(runtime, world)
    async with runtime.sessions() as session, session.begin():
        await households.add_group(
            session, clock=runtime.clock, person=family["grandpa"], group="特困", sub_type="分散"
        )
    assert await _missing(runtime, family["grandpa"]) == ["王奶奶"]
    async with runtime.sessions() as session:
        with pytest.raises(Conflict) as caught:
            await consent_service.require_for_investigation(
                session, person_id=family["grandpa"].id, today=TODAY
            )
    assert "核对授权书" in caught.value.message and "王奶奶" in caught.value.message
    assert caught.value.details["missing"] == ["王奶奶"]
