"""Bad input through aiogram: each answered politely, nothing lost, nothing twice."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from backend.cases.models import Case
from backend.conversations.models import Conversation
from backend.core.runtime import Runtime
from tests.bot.conftest import Tg
from tests.world import World

U = 6001
FILE = {"file_id": "f1", "file_unique_id": "u1"}


async def _count_cases(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int((await session.execute(select(func.count(Case.id)))).scalar_one())


async def _step(runtime: Runtime, uid: int = U) -> tuple[str, int]:
    async with runtime.sessions() as session:
        row = (
            await session.execute(
                select(Conversation.step, Conversation.version).where(
                    Conversation.external_id == str(uid)
                )
            )
        ).one()
    return row[0], row[1]


async def _start_need(tg: Tg) -> None:
    await tg.say(U, "/start")
    await tg.tap(U, "申请帮助(为自己)")


async def test_stickers_video_documents_and_unknown_commands(tg: Tg, world: World) -> None:
    await _start_need(tg)
    sticker = {**FILE, "type": "regular", "width": 1, "height": 1}
    sticker |= {"is_animated": False, "is_video": False}
    assert "打字" in (await tg.send(U, sticker=sticker))[0]
    video = {**FILE, "width": 1, "height": 1, "duration": 3}
    assert "打字" in (await tg.send(U, video=video))[0]
    assert "打字" in (await tg.send(U, document=FILE))[0]
    assert "没有这个命令" in (await tg.say(U, "/frobnicate"))[0]
    assert "用自己的话" in (await tg.say(U, "/start"))[-1]  # resumes where it was


async def test_voice_inside_a_flow_is_kept_outside_asks_to_type(tg: Tg, world: World) -> None:
    voice = {**FILE, "duration": 4}
    sent = await tg.send(U, voice=voice)
    assert "请打字" in sent[0] and "12349" in sent[0]
    await _start_need(tg)
    await tg.say(U, "想要有人送饭")
    assert "已保存" in (await tg.send(U, voice=voice))[0]
    async with tg.runtime.sessions() as session:
        state = (await session.execute(select(Conversation.state))).scalar_one()
    assert state["data"]["voices"] == ["f1"]


async def test_edited_messages_and_group_chats(tg: Tg, world: World) -> None:
    sent = await tg.run(
        lambda: tg.fake.push(
            "edited_message",
            {
                "message_id": 1,
                "date": int(time.time()),
                "edit_date": int(time.time()),
                "chat": {"id": U, "type": "private"},
                "from": tg.fake.user(U),
                "text": "改过的",
            },
        )
    )
    assert "重新发" in sent[0]
    sent = await tg.run(lambda: tg.fake.message(U, chat_type="group", text="/start"))
    assert "私聊" in sent[0]
    assert int(tg.fake.sent_to(-U)[0].params["chat_id"]) == -U


async def test_a_4000_character_text_is_kept_whole(tg: Tg, world: World, runtime: Runtime):
    await _start_need(tg)
    text = "想要有人送饭。" + "我家老人年纪大了腿脚不便" * 332
    assert 3990 < len(text) <= 4096
    assert "助餐" in (await tg.say(U, text))[0]
    async with runtime.sessions() as session:
        state = (await session.execute(select(Conversation.state))).scalar_one()
    assert state["data"]["text"] == text


async def test_old_and_forged_buttons_change_nothing(tg: Tg, world: World, runtime: Runtime):
    await _start_need(tg)
    menu_message = tg.fake.sent_to(U)[0].params["result"]  # the first menu
    await tg.say(U, "想要有人送饭")
    before = await _step(runtime)
    sent = await tg.run(lambda: tg.fake.press(U, "m:delegate", menu_message))
    assert "过期" in sent[0]
    sent = await tg.run(lambda: tg.fake.press(U, "rg:1"))
    assert "过期" in sent[0]
    assert await _step(runtime) == before


async def test_double_tap_on_submit_files_one_case(tg: Tg, world: World, runtime: Runtime):
    await _start_need(tg)
    await tg.say(U, "想要有人送饭")
    await tg.tap(U, "对,就是这些")
    await tg.say(U, "王秀英")
    await tg.tap(U, "牟定县")
    await tg.tap(U, "共和镇")
    await tg.tap(U, "不清楚")
    await tg.say(U, "13912345678")
    await tg.tap(U, "跳过")
    first = tg.fake.press_label(U, "提交")
    second = tg.fake.press_label(U, "提交")  # same batch, same message
    await tg.fake.until_confirmed(second)
    assert first < second and await _count_cases(runtime) == 1
    texts = tg.fake.texts_to(U)
    assert sum("案件号" in t for t in texts) == 2 and any("不会重复" in t for t in texts)


async def test_flooding_is_throttled(tg: Tg, world: World, runtime: Runtime) -> None:
    from backend.conversations.models import ProcessedUpdate

    last = 0
    for n in range(60):
        last = tg.fake.text(U, f"你好{n}")
    await tg.fake.until_confirmed(last)
    assert sum("太快" in t for t in tg.fake.texts_to(U)) == 1
    async with runtime.sessions() as session:
        handled = (await session.execute(select(func.count(ProcessedUpdate.update_id)))).scalar()
    assert handled == 30  # the throttle of the test dispatcher: 30 per 10 s


async def test_the_same_update_twice_changes_nothing(tg: Tg, world: World, runtime: Runtime):
    await _start_need(tg)
    update_id = tg.fake.text(U, "想要有人送饭")
    copy = dict(tg.fake.updates[-1])
    await tg.fake.until_confirmed(update_id)
    before, sent_before = await _step(runtime), len(tg.fake.sent_to(U))
    tg.fake.updates.append(copy)  # Telegram delivers it again
    marker = tg.fake.text(U + 1, "/start")
    await tg.fake.until_confirmed(marker)
    assert await _step(runtime) == before and len(tg.fake.sent_to(U)) == sent_before


async def test_a_user_who_blocked_the_bot(tg: Tg, world: World, runtime: Runtime) -> None:
    tg.fake.blocked.add(U)
    await tg.say(U, "/start")
    await tg.say(U, "想要有人送饭")
    assert (await _step(runtime))[0] == "items"  # state kept for when they come back
    sent = await tg.say(U + 1, "/start")  # the bot carries on for everyone else
    assert "请点下面的按钮" in sent[0]
