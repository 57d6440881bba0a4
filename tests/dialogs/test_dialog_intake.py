"""The intake flow with no transport: self and delegated applications, back, cancel, resume."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.cases.models import ApplicantKind, Case, CaseStatus
from backend.classifier.schemas import Classification
from backend.classifier.service import get_classifier
from backend.conversations.models import Conversation
from backend.core.runtime import Runtime
from dialogs.engine import Engine
from tests.dialogs.conftest import Chat, keys, shown
from tests.world import VALID_IDS, World

ID = VALID_IDS[1]


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Case).order_by(Case.id))).scalars())


async def _to_phone_step(chat: Chat, world: World) -> None:
    await chat.tap_label("牟定县")
    await chat.tap_label("共和镇")
    await chat.tap_label("北屯村")


async def test_self_application_end_to_end(chat: Chat, world: World, runtime: Runtime) -> None:
    assert keys(await chat.command("start")) == ["menu"]
    assert keys(await chat.tap("m:self")) == ["ask_need"]
    replies = await chat.text("家里老人做不了饭,想要有人送饭")
    assert keys(replies) == ["understood"] and "助餐" in shown(replies)
    assert keys(await chat.tap("ok")) == ["ask_name"]
    assert keys(await chat.text("王秀英")) == ["ask_county"]
    await _to_phone_step(chat, world)
    assert chat.log[-1].key == "ask_phone" and chat.log[-1].ask_contact
    assert keys(await chat.text("12345")) == ["invalid"]
    assert keys(await chat.text("139 1234 5678")) == ["ask_id"]
    replies = await chat.text(ID)
    assert keys(replies) == ["id_noted", "summary"]
    assert ID not in shown(replies) and "5323**********0029" in shown(replies)
    assert "139****5678" in shown(replies)
    replies = await chat.tap("submit")
    assert keys(replies) == ["submitted", "menu"]
    cases = await _cases(runtime)
    assert len(cases) == 1
    case = cases[0]
    assert case.status == CaseStatus.submitted and case.item_ids == ["living.meal"]
    assert case.township_id == world.township.id and case.village_id == world.village.id
    assert case.applicant_kind == ApplicantKind.self
    text = shown(replies)
    assert case.number in text and "共和镇" in text and "明天下班前" in text
    # nothing personal in clear in the conversation state
    async with runtime.sessions() as session:
        state = str((await session.execute(select(Conversation.state))).scalar_one())
    assert ID not in state and "13912345678" not in state


async def test_double_tap_on_submit_files_one_case(chat: Chat, world: World, runtime: Runtime):
    await chat.command("start")
    await chat.tap("m:self")
    await chat.text("想要有人送饭")
    await chat.tap("ok")
    await chat.text("王秀英")
    await _to_phone_step(chat, world)
    await chat.text("13912345678")
    await chat.tap("skip")
    await chat.tap("submit")
    replies = await chat.tap("submit")
    assert keys(replies) == ["already_submitted"]
    assert len(await _cases(runtime)) == 1


async def test_delegate_application_records_consent(chat: Chat, world: World, runtime: Runtime):
    await chat.command("start")
    assert keys(await chat.tap("m:delegate")) == ["ask_need_delegate"]
    await chat.text("我爸一个人住,需要有人帮忙打扫卫生和洗澡")
    assert keys(await chat.tap("ok")) == ["ask_relation"]
    assert keys(await chat.tap("rel:子女")) == ["ask_ben_name"]
    assert keys(await chat.text("李大爷")) == ["ask_ben_phone"]
    assert keys(await chat.text("13812345678")) == ["ask_consent"]
    assert keys(await chat.tap("consent:no")) == ["consent_needed", "ask_consent"]
    assert keys(await chat.tap("consent:yes")) == ["ask_county"]
    await _to_phone_step(chat, world)
    await chat.text("13700001111")
    replies = await chat.tap("skip")
    assert "李大爷(您是对方的子女,已征得同意)" in shown(replies)
    await chat.tap("submit")
    (case,) = await _cases(runtime)
    assert case.applicant_kind == ApplicantKind.delegate
    assert case.delegate_relation == "子女" and case.consent_method == "chat_confirmed"
    assert case.beneficiary_id == world.resident.id  # matched by name and phone in the township
    assert sorted(case.item_ids) == ["living.bath", "living.cleaning"]


async def test_pick_items_by_category_when_not_understood(chat: Chat, world: World) -> None:
    await chat.command("start")
    await chat.tap("m:self")
    assert keys(await chat.text("你好")) == ["not_understood", "pick_category"]
    assert keys(await chat.tap("done")) == [
        "stale_choice",
        "pick_category",
    ]  # nothing picked: no 选好了 yet
    await chat.tap("cat:living")
    await chat.tap("it:living.meal")
    await chat.tap("it:living.bath")
    await chat.tap("it:living.bath")  # a second tap takes it back
    await chat.tap("done")
    replies = await chat.tap("done")
    assert keys(replies) == ["ask_name"]
    assert "助餐" in shown(chat.log[-3:])


async def test_back_goes_one_step_and_cancel_forgets(chat: Chat, world: World, runtime: Runtime):
    await chat.command("start")
    await chat.tap("m:self")
    await chat.text("想要有人送饭")
    await chat.tap("ok")
    await chat.text("王秀英")
    assert keys(await chat.tap("back")) == ["ask_name"]
    assert keys(await chat.tap("back")) == ["understood"]
    assert keys(await chat.command("cancel")) == ["cancelled", "menu"]
    assert keys(await chat.tap("ok")) == ["stale_choice"]
    assert await _cases(runtime) == []


async def test_stale_and_forged_buttons_change_nothing(chat: Chat, world: World, runtime: Runtime):
    await chat.command("start")
    await chat.tap("m:self")
    await chat.text("想要有人送饭")
    await chat.tap("ok")
    await chat.text("王秀英")
    async with runtime.sessions() as session:
        before = (await session.execute(select(Conversation.version))).scalar_one()
    for forged in ("rg:999999", f"rg:{world.other_township.id}", "m:nonsense", "ok", "x" * 60):
        assert keys(await chat.tap(forged)) == ["stale_choice", "ask_county"]
    async with runtime.sessions() as session:
        after = (await session.execute(select(Conversation.version))).scalar_one()
    assert after == before


async def test_resume_after_hours(chat: Chat, world: World, runtime: Runtime, engine) -> None:
    from datetime import timedelta

    await chat.command("start")
    await chat.tap("m:self")
    await chat.text("想要有人送饭")
    runtime.clock.advance(timedelta(hours=30))  # type: ignore[attr-defined]
    again = Chat(runtime, engine, user=chat.user)  # a new process: nothing in memory
    replies = await again.command("start")
    assert keys(replies) == ["resumed", "understood"]
    assert keys(await again.tap("ok")) == ["ask_name"]


async def test_an_unknown_command_outside_a_flow_shows_the_menu(chat: Chat, world: World) -> None:
    replies = await chat.command("frobnicate")
    assert keys(replies) == ["unknown_command", "menu"]
    assert "/" not in shown(replies[:1])  # names no command a web user could not type


async def test_long_text_and_odd_inputs_are_answered(chat: Chat, world: World) -> None:
    from dialogs.types import Inbound

    await chat.command("start")
    await chat.tap("m:self")
    assert keys(await chat.text("饭" * 5000)) == ["text_long"]
    replies = await chat.text("想要有人送饭。" + "我家老人年纪大了腿脚不便。" * 300)
    assert keys(replies) == ["understood"]
    assert keys(await chat.send(Inbound("voice", file_id="v1"))) == ["voice_kept"]
    assert keys(await chat.send(Inbound("other"))) == ["only_text", "understood"]
    # an unknown command is answered and the current question asked again, never a dead end
    assert keys(await chat.command("frobnicate")) == ["unknown_command", "understood"]
    count = await _count(chat.runtime)
    assert count == 0


async def _count(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int((await session.execute(select(func.count(Case.id)))).scalar_one())


async def test_a_bound_resident_is_not_asked_for_a_name(
    chat: Chat, world: World, runtime: Runtime
) -> None:
    from backend.identities import bindcodes

    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(session, clock=runtime.clock, person_id=world.resident.id)
    await chat.command("start", code)
    await chat.tap("m:self")
    await chat.text("想要有人送饭")
    assert keys(await chat.tap("ok")) == ["ask_county"]
    await _to_phone_step(chat, world)
    await chat.text("13812345678")
    await chat.tap("skip")
    await chat.tap("submit")
    (case,) = await _cases(runtime)
    assert (
        case.beneficiary_id == world.resident.id and case.applicant_person_id == case.beneficiary_id
    )


async def test_a_need_is_read_by_the_classifier_once(runtime: Runtime) -> None:
    """The engine's emergency check and the intake's reading share one classification."""
    real = get_classifier()
    calls: list[str] = []

    class Counting:
        def classify(self, text: str) -> Classification:
            calls.append(text)
            return real.classify(text)

    engine = Engine.create(
        clock=runtime.clock,
        cipher=runtime.cipher,
        classifier=Counting(),  # type: ignore[arg-type]
        hotlines="12349",
    )
    chat = Chat(runtime, engine)
    await chat.command("start")
    await chat.tap("m:self")
    replies = await chat.text("  我一个人住,腿脚不好,想请人帮忙送饭  ")
    assert keys(replies) == ["understood"] and "助餐" in shown(replies)
    assert calls == ["我一个人住,腿脚不好,想请人帮忙送饭"]
