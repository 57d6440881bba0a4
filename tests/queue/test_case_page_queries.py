"""The case page: everything it lists (timeline, attachments, referral, suggested resources,
assign candidates, county policy) from two queries, the same facts as the per-table reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from backend.cases import assignment, policy
from backend.cases import attachments as attachments_service
from backend.cases import service as cases_service
from backend.core.errors import NotFound
from backend.core.runtime import Runtime
from backend.resources import service as resources_service
from backend.resources.models import ResourceKind
from backend.web import pages
from tests.web.kit import new_case
from tests.world import World

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@contextmanager
def counted(runtime: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        if args[2].lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(args[2])

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def test_case_page_lists_everything_from_two_queries(runtime: Runtime, world: World) -> None:
    case = await new_case(runtime, world, items=("care.rehab", "living.meal"))
    other = await new_case(runtime, world, "other", items=("care.rehab",))
    officer = world.actors["township"]
    async with runtime.sessions() as session, session.begin():
        await policy.update(
            session, clock=runtime.clock, county_code="532323", township_approves=["care.rehab"]
        )
        meals = await resources_service.create(
            session, clock=runtime.clock, name="共和镇老年食堂", kind=ResourceKind.provider,
            items=["living.meal"], region=world.township, phone="0878-1234567",
        )  # fmt: skip
        await resources_service.create(
            session, clock=runtime.clock, name="县康复中心", kind=ResourceKind.provider,
            items=["care.rehab", "living.meal"], region=world.county,
        )  # fmt: skip
        await resources_service.create(
            session, clock=runtime.clock, name="别县食堂", kind=ResourceKind.provider,
            items=["living.meal"], region=world.other_county,
        )  # fmt: skip
        found = await cases_service.get_for_actor(session, actor=officer, case_id=case.id)
        await attachments_service.add(
            session, clock=runtime.clock, storage_dir=runtime.settings.attachments_dir,
            actor=officer, case=found, kind="photo", filename="门口.png", data=PNG,
        )  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        referral = await assignment.refer(
            session, clock=runtime.clock, actor=officer, case_id=case.id,
            resource_id=meals.id, reason="需要送餐",
        )  # fmt: skip
    async with runtime.sessions() as session:
        with counted(runtime) as statements:
            page = await pages.case_page(
                session, actor=officer, case_id=case.id, now=runtime.clock.now()
            )
    assert len(statements) == 2, statements
    assert [e.kind for e in page.events] == ["submitted", "attachment", "transition"]
    assert page.events[-1].to_status == "referred"
    assert [(a.filename, a.size) for a in page.attachments] == [("门口.png", len(PNG))]
    assert [(r.reason, r.due_at, name) for r, name in page.referrals] == [
        ("需要送餐", referral.due_at, "共和镇老年食堂")
    ]
    # both items first, then one; the other county's canteen never
    assert [(s.resource.name, s.matching) for s in page.suggestions] == [
        ("县康复中心", ("care.rehab", "living.meal")),
        ("共和镇老年食堂", ("living.meal",)),
    ]
    assert page.suggestions[1].resource.phone == "0878-1234567"
    assert page.candidates == []  # referred: no longer open, nobody to assign it to
    assert page.township == "共和镇" and page.village == "北屯村"
    assert page.beneficiary.id == case.beneficiary_id
    assert page.assignee is None  # the canteen has no account: nobody assigned
    async with runtime.sessions() as session:
        try:
            await pages.case_page(session, actor=officer, case_id=other.id, now=runtime.clock.now())
        except NotFound as exc:
            assert exc.code == "case_not_found"
        else:
            raise AssertionError("a case of another county must answer as missing")


async def test_assign_candidates_for_officers_only(runtime: Runtime, world: World) -> None:
    case = await new_case(runtime, world)
    async with runtime.sessions() as session:
        with counted(runtime) as statements:
            page = await pages.case_page(
                session, actor=world.actors["township"], case_id=case.id, now=runtime.clock.now()
            )
    assert len(statements) == 2
    assert sorted(page.candidates) == [
        (world.actors["worker"].staff_id, f"{world.actors['worker'].label}(村级)"),
        (world.actors["provider"].staff_id, f"{world.actors['provider'].label}(服务机构)"),
    ]
    async with runtime.sessions() as session:
        page = await pages.case_page(
            session, actor=world.actors["worker"], case_id=case.id, now=runtime.clock.now()
        )
    assert page.candidates == [] and not page.may_assign
