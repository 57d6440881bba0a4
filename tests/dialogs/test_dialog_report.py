"""上报困难户 with no transport: a bound village worker reports a household of their own village or
a new one; forged and foreign households, residents without the entry, emergency words, cancel,
back and resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backend.cases import queue
from backend.cases.models import ApplicantKind, Case, Channel
from backend.conversations.models import Conversation
from backend.core.runtime import Runtime
from backend.identities import bindcodes
from backend.outbox.models import Notification
from backend.people import exits
from backend.people import households as households_service
from backend.people import service as people_service
from backend.people.models import Person
from backend.people.service import PersonInput
from backend.regions.models import Region
from backend.staff import service as staff_service
from backend.staff.models import Role
from dialogs.engine import Engine
from dialogs.types import Inbound, Reply
from tests.dialogs.conftest import Chat, keys, shown
from tests.world import World

NEED = "老人一个人在家,做不了饭,想要有人送饭"


@dataclass
class Homes:
    zhang: Person  # head of a household in 北屯村 (the worker's village)
    zhang_son: Person  # member of that household: not offered on his own
    zhao: Person  # 天台村: same township, not the worker's village
    sun: Person  # 石桥村 in 新桥镇: another township
    gone: Person  # 北屯村, exited: not offered


async def _person(runtime: Runtime, session, name: str, region: Region, **kw) -> Person:  # type: ignore[no-untyped-def]
    return await people_service.find_or_create(
        session,
        clock=runtime.clock,
        cipher=runtime.cipher,
        data=PersonInput(name=name, region=region, **kw),
    )


@pytest.fixture
async def homes(runtime: Runtime, world: World) -> Homes:
    async with runtime.sessions() as session, session.begin():
        zhang = await _person(runtime, session, "张三", world.village, phone="13911112222")
        son = await _person(runtime, session, "张小三", world.village)
        house = await households_service.create(session, clock=runtime.clock, region=world.village)
        for person, relation in ((zhang, "户主"), (son, "子")):
            await households_service.add_member(
                session, clock=runtime.clock, household=house, person=person, relation=relation
            )
        zhao = await _person(runtime, session, "赵六", world.village2)
        sun = await _person(runtime, session, "孙七", world.sibling_village)
        gone = await _person(runtime, session, "钱八", world.village)
        await exits.record_exit(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            person_id=gone.id,
            reason=exits.ExitReason.died,
            effective_on=date(2026, 2, 1),
        )
    return Homes(zhang, son, zhao, sun, gone)


async def _bind(runtime: Runtime, chat: Chat, **target: int | None) -> list[Reply]:
    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(session, clock=runtime.clock, **target)  # type: ignore[arg-type]
    return await chat.command("start", code)


@pytest.fixture
async def worker(runtime: Runtime, engine: Engine, world: World) -> Chat:
    chat = Chat(runtime, engine, user="7001", name="村干部")
    replies = await _bind(runtime, chat, staff_id=world.actors["worker"].staff_id)
    assert keys(replies) == ["bound_staff", "menu"]
    return chat


def _values(reply: Reply) -> list[str]:
    return [c.value for row in reply.choices for c in row]


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Case).order_by(Case.id))).scalars())


async def test_worker_reports_a_household_of_their_village(
    runtime: Runtime, world: World, homes: Homes, worker: Chat
) -> None:
    assert "m:report" in _values(worker.log[-1])  # the menu of a bound village worker
    replies = await worker.tap("m:report")
    assert keys(replies) == ["report_ask_household"]
    offered = _values(replies[0])
    assert f"hh:{homes.zhang.id}" in offered and f"hh:{world.resident.id}" in offered
    for other in (homes.zhang_son, homes.zhao, homes.sun, homes.gone):
        assert f"hh:{other.id}" not in offered
    assert "张三(北屯村)" in [
        shown([Reply(c.key, c.params)]) for row in replies[0].choices for c in row
    ]
    assert keys(await worker.tap(f"hh:{homes.zhang.id}")) == ["report_ask_need"]
    assert "张三" in shown(worker.log[-1:])
    replies = await worker.text(NEED)
    assert keys(replies) == ["understood"] and "助餐" in shown(replies)
    assert keys(await worker.tap("ok")) == ["report_ask_urgency"]
    assert keys(await worker.tap("ug:normal")) == ["report_ask_photo"]
    photo = await worker.send(Inbound("photo", file_id="ph-1"))
    assert keys(photo) == ["report_photo_kept", "report_ask_location"]
    assert photo[-1].ask_location
    located = await worker.send(Inbound("location", latitude=25.31, longitude=101.54))
    assert keys(located) == ["report_location_kept", "report_summary"]
    summary = shown(located)
    assert "张三(北屯村)" in summary and "助餐" in summary and "一般" in summary
    assert "13911112222" not in summary
    replies = await worker.tap("submit")
    assert keys(replies) == ["report_submitted", "menu"]
    (case,) = await _cases(runtime)
    assert case.channel == Channel.village_report and case.applicant_kind == ApplicantKind.worker
    assert case.applicant_staff_id == world.actors["worker"].staff_id
    assert case.beneficiary_id == homes.zhang.id and case.item_ids == ["living.meal"]
    assert case.village_id == world.village.id and case.township_id == world.township.id
    assert not case.emergency and case.original_text == NEED
    assert case.classification["chat"]["photos"] == ["ph-1"]
    assert case.classification["chat"]["location"] == [25.31, 101.54]
    text = shown(replies)
    assert case.number in text and "共和镇" in text and "受理登记" in text and "明天下班前" in text
    # The township's queue has it, as 村级上报.
    async with runtime.sessions() as session:
        rows = await queue.list_queue(
            session, actor=world.actors["township"], now=runtime.clock.now()
        )
    assert [(r.number, r.channel) for r in rows] == [(case.number, "村级上报")]
    # A second tap on 提交 files nothing more.
    assert keys(await worker.tap("submit")) == ["already_submitted"]
    assert len(await _cases(runtime)) == 1


async def test_worker_reports_a_new_household(
    runtime: Runtime, world: World, homes: Homes, worker: Chat
) -> None:
    await worker.tap("m:report")
    assert keys(await worker.tap("new")) == ["report_ask_name"]
    replies = await worker.text("陈大妈")
    assert keys(replies) == ["report_ask_village"]
    assert [v for v in _values(replies[0]) if v.startswith("vl:")] == [f"vl:{world.village.id}"]
    forged = await worker.tap(f"vl:{world.village2.id}")
    assert keys(forged) == ["stale_choice", "report_ask_village"]
    assert keys(await worker.tap(f"vl:{world.village.id}")) == ["report_ask_phone"]
    assert keys(await worker.text("1371234")) == ["invalid"]
    assert keys(await worker.text("137 1234 5678")) == ["report_ask_need"]
    await worker.text(NEED)
    await worker.tap("ok")
    await worker.tap("ug:normal")
    await worker.tap("skip")
    summary = await worker.tap("skip")
    assert keys(summary) == ["report_summary"]
    assert "陈大妈(北屯村,新登记,电话:137****5678)" in shown(summary)
    assert "13712345678" not in shown(summary)
    await worker.tap("submit")
    (case,) = await _cases(runtime)
    async with runtime.sessions() as session:
        person = await people_service.get_or_raise(session, person_id=case.beneficiary_id)
        state = str((await session.execute(select(Conversation.state))).scalars().all())
    assert person.name == "陈大妈" and person.region_id == world.village.id
    assert person.phone_masked == "137****5678"
    assert case.channel == Channel.village_report and case.village_id == world.village.id
    assert "13712345678" not in state
    # Next time the new household is on the worker's list.
    replies = await worker.tap("m:report")
    assert f"hh:{person.id}" in _values(replies[0])


async def test_forged_or_foreign_households_are_never_reported(
    runtime: Runtime, world: World, homes: Homes, worker: Chat
) -> None:
    await worker.tap("m:report")
    for other in (homes.sun, homes.zhao, homes.zhang_son, homes.gone):
        forged = await worker.tap(f"hh:{other.id}")
        assert keys(forged) == ["stale_choice", "report_ask_household"]
    for forged_value in ("hh:999999", "hh:abc", "pg:99", "vl:1"):
        assert keys(await worker.tap(forged_value))[0] == "stale_choice"
    none = await worker.text("孙")  # a name from another township is not found either
    assert keys(none) == ["report_none_found"]
    assert [v for v in _values(none[0]) if v.startswith("hh:")] == []
    # Chosen while in scope, then the worker moves to another village: refused on submit.
    await worker.tap("q:all")
    await worker.tap(f"hh:{homes.zhang.id}")
    await worker.text(NEED)
    await worker.tap("ok")
    await worker.tap("ug:normal")
    await worker.tap("skip")
    await worker.tap("skip")
    async with runtime.sessions() as session, session.begin():
        member = await staff_service.get_by_username_or_raise(session, username="worker")
        await staff_service.revoke(
            session, member=member, role=Role.village_worker, region=world.village
        )
        await staff_service.grant(
            session, member=member, role=Role.village_worker, region=world.village2
        )
    assert keys(await worker.tap("submit")) == ["report_out_of_scope", "menu"]
    assert await _cases(runtime) == []


async def test_residents_and_other_staff_never_see_the_entry(
    runtime: Runtime, world: World, engine: Engine, chat: Chat
) -> None:
    menu = await chat.command("start")  # an unbound chat
    assert "m:report" not in _values(menu[-1])
    assert keys(await chat.tap("m:report")) == ["stale_choice"]
    resident = Chat(runtime, engine, user="7002")
    replies = await _bind(runtime, resident, person_id=world.resident.id)
    assert keys(replies) == ["bound_person", "menu"] and "m:report" not in _values(replies[-1])
    assert keys(await resident.tap("m:report")) == ["stale_choice"]
    for role, user in (("county", "7003"), ("provider", "7004")):
        staff = Chat(runtime, engine, user=user)
        replies = await _bind(runtime, staff, staff_id=world.actors[role].staff_id)
        assert "m:report" not in _values(replies[-1])
    officer = Chat(runtime, engine, user="7005")
    replies = await _bind(runtime, officer, staff_id=world.actors["township"].staff_id)
    assert "m:report" in _values(replies[-1])  # a township officer reports in all its villages
    assert keys(await officer.tap("m:report")) == ["report_ask_household"]
    assert keys(await officer.tap("new")) == ["report_ask_name"]
    villages = await officer.text("陈大妈")
    assert {v for v in _values(villages[0]) if v.startswith("vl:")} == {
        f"vl:{world.village.id}",
        f"vl:{world.village2.id}",
    }
    assert await _cases(runtime) == []


async def test_emergency_words_alert_and_report_at_once(
    runtime: Runtime, world: World, homes: Homes, worker: Chat, engine: Engine
) -> None:
    officer = Chat(runtime, engine, user="7010")
    await _bind(runtime, officer, staff_id=world.actors["township"].staff_id)
    await worker.tap("m:report")
    await worker.tap(f"hh:{homes.zhang.id}")
    alarm = await worker.text("老人摔倒了起不来,家里没人")
    assert keys(alarm) == ["emergency"] and "120" in shown(alarm)
    assert keys(await worker.tap("em:report")) == ["report_emergency_filed", "menu"]
    (case,) = await _cases(runtime)
    assert case.emergency and case.channel == Channel.village_report
    assert case.beneficiary_id == homes.zhang.id and "摔倒" in case.original_text
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
    assert [a.params["number"] for a in alerts] == [case.number]


async def test_emergency_words_then_carry_on_skip_the_urgency_question(
    runtime: Runtime, world: World, homes: Homes, worker: Chat
) -> None:
    await worker.tap("m:report")
    await worker.tap(f"hh:{homes.zhang.id}")
    assert keys(await worker.text("老人摔倒了起不来,家里没人")) == ["emergency"]
    assert keys(await worker.tap("em:continue")) == ["understood"]
    assert keys(await worker.tap("ok")) == ["report_urgent_noted", "report_ask_photo"]
    await worker.tap("skip")
    summary = await worker.tap("skip")
    assert "紧急程度:紧急" in shown(summary)
    await worker.tap("submit")
    (case,) = await _cases(runtime)
    assert case.emergency and case.item_ids


async def test_report_now_before_the_household_is_known(
    runtime: Runtime, world: World, homes: Homes, worker: Chat
) -> None:
    await worker.tap("m:report")
    await worker.tap("new")
    assert keys(await worker.text("着火了")) == ["emergency"]
    assert keys(await worker.tap("em:report")) == ["report_em_who_first", "report_ask_name"]
    await worker.text("陈大妈")
    filed = await worker.tap(f"vl:{world.village.id}")
    assert keys(filed) == ["report_emergency_filed", "menu"]
    (case,) = await _cases(runtime)
    assert case.emergency and "着火" in case.original_text


async def test_search_and_pages(runtime: Runtime, world: World, homes: Homes, worker: Chat):
    async with runtime.sessions() as session, session.begin():
        for n in range(12):
            await _person(runtime, session, f"杨{n:02d}", world.village)
    first = await worker.tap("m:report")
    assert keys(first) == ["report_ask_household_many"] and "第1/2页" in shown(first)
    page = await worker.tap("pg:1")
    assert "第2/2页" in shown(page) and "pg:0" in _values(page[0])
    found = await worker.text("杨")
    assert keys(found) == ["report_found"] and "找到12户" in shown(found)
    zhang = await worker.text("张")
    hh = [v for v in _values(zhang[0]) if v.startswith("hh:")]
    assert hh == [f"hh:{homes.zhang.id}"]  # the head, not his son
    everyone = await worker.tap("q:all")
    assert keys(everyone) == ["report_ask_household_many"]


async def test_cancel_back_and_resume(
    runtime: Runtime, world: World, homes: Homes, worker: Chat, engine: Engine
) -> None:
    await worker.tap("m:report")
    await worker.tap(f"hh:{homes.zhang.id}")
    assert keys(await worker.tap("back")) == ["report_ask_household"]
    await worker.tap(f"hh:{homes.zhang.id}")
    await worker.text(NEED)
    assert keys(await worker.tap("ok")) == ["report_ask_urgency"]
    assert keys(await worker.tap("back")) == ["understood"]
    # A restart hours later: nothing in memory, the report resumes where it was.
    runtime.clock.advance(timedelta(hours=20))  # type: ignore[attr-defined]
    again = Chat(runtime, engine, user=worker.user)
    assert keys(await again.command("start")) == ["resumed_duty", "understood"]
    assert keys(await again.tap("ok")) == ["report_ask_urgency"]
    cancelled = await again.command("cancel")
    assert keys(cancelled) == ["cancelled", "menu"] and "m:report" in _values(cancelled[-1])
    assert keys(await again.tap("ug:normal")) == ["stale_choice"]
    assert await _cases(runtime) == []


async def test_the_same_report_from_the_web_chat(
    runtime: Runtime, world: World, homes: Homes, engine: Engine
) -> None:
    """The flow knows no transport: a web chat bound to the worker files the same 村级上报 case."""

    async def send(inbound: Inbound) -> list[str]:
        async with runtime.sessions() as session, session.begin():
            replies = await engine.handle(
                session, channel="web_chat", external_id="device-1", inbound=inbound
            )
        return keys(replies)

    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(
            session, clock=runtime.clock, staff_id=world.actors["worker"].staff_id
        )
    assert await send(Inbound("command", command="start", text=code)) == ["bound_staff", "menu"]
    assert await send(Inbound("choice", value="m:report")) == ["report_ask_household"]
    await send(Inbound("choice", value=f"hh:{homes.zhang.id}"))
    await send(Inbound("text", text=NEED))
    for value in ("ok", "ug:normal", "skip", "skip"):
        await send(Inbound("choice", value=value))
    assert await send(Inbound("choice", value="submit")) == ["report_submitted", "menu"]
    (case,) = await _cases(runtime)
    assert case.channel == Channel.village_report and case.beneficiary_id == homes.zhang.id


async def test_a_new_household_with_a_listed_name_offers_the_listed_one(
    runtime: Runtime, world: World, homes: Homes, worker: Chat
) -> None:
    await worker.tap("m:report")
    await worker.tap("new")
    replies = await worker.text("张三")
    assert keys(replies) == ["report_ask_village_same"]
    assert _values(replies[0])[0] == f"hh:{homes.zhang.id}"
    assert "张三(北屯村,139****2222)" in shown(
        [Reply(c.key, c.params) for c in replies[0].choices[0]]
    )
    assert keys(await worker.tap(f"hh:{homes.zhang.id}")) == ["report_ask_need"]
    # Back, and a village after all: a new person; then the listed one again.
    assert keys(await worker.tap("back")) == ["report_ask_village_same"]
    assert keys(await worker.tap(f"vl:{world.village.id}")) == ["report_ask_phone"]
    assert keys(await worker.tap("back")) == ["report_ask_village_same"]
    await worker.tap(f"hh:{homes.zhang.id}")
    await worker.text(NEED)
    for value in ("ok", "ug:normal", "skip", "skip"):
        await worker.tap(value)
    summary = shown(worker.log[-1:])
    assert "新登记" not in summary and "张三(北屯村)" in summary
    await worker.tap("submit")
    (case,) = await _cases(runtime)
    assert case.beneficiary_id == homes.zhang.id
