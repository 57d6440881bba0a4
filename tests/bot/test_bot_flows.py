"""End to end through aiogram against the fake Bot API: the main flows."""

from __future__ import annotations

from sqlalchemy import select

from backend.cases.models import ApplicantKind, Case
from backend.core.runtime import Runtime
from tests.bot.conftest import Tg
from tests.world import VALID_IDS, World

RESIDENT, DAUGHTER = 5001, 5002


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Case).order_by(Case.id))).scalars())


async def test_resident_completes_a_self_application(tg: Tg, world: World, runtime: Runtime):
    (menu,) = await tg.say(RESIDENT, "/start")
    assert "请点下面的按钮" in menu
    assert "用自己的话" in (await tg.tap(RESIDENT, "申请帮助(为自己)"))[0]
    assert "助餐" in (await tg.say(RESIDENT, "家里老人做不了饭,想要有人送饭"))[0]
    assert "姓名" in (await tg.tap(RESIDENT, "对,就是这些"))[0]
    await tg.say(RESIDENT, "王秀英")
    await tg.tap(RESIDENT, "牟定县")
    await tg.tap(RESIDENT, "共和镇")
    sent = await tg.tap(RESIDENT, "北屯村")
    assert "联系电话" in sent[0] and len(sent) == 2  # the share-phone keyboard comes second
    keyboard = tg.fake.sent_to(RESIDENT)[-1].params["reply_markup"]
    assert keyboard["keyboard"][0][0]["request_contact"] is True
    sent = await tg.send(
        RESIDENT,
        contact={"phone_number": "+8613912345678", "first_name": "王", "user_id": RESIDENT},
    )
    assert "身份证" in sent[0]
    sent = await tg.say(RESIDENT, VALID_IDS[1])
    assert VALID_IDS[1] not in "".join(sent) and "5323**********0029" in sent[0]
    assert "139****5678" in sent[1]
    sent = await tg.tap(RESIDENT, "提交")
    (case,) = await _cases(runtime)
    assert case.number in sent[0] and "共和镇" in sent[0] and "下班前" in sent[0]
    assert case.township_id == world.township.id and case.item_ids == ["living.meal"]
    # the pressed keyboard was replaced by the chosen label
    edits = [c for c in tg.fake.calls if c.method == "editMessageText"]
    assert edits and edits[-1].params["text"].endswith("👉 提交")
    assert any(c.method == "answerCallbackQuery" for c in tg.fake.calls)


async def test_daughter_applies_for_her_father(tg: Tg, world: World, runtime: Runtime) -> None:
    await tg.say(DAUGHTER, "/start")
    await tg.tap(DAUGHTER, "帮家人或邻居申请")
    await tg.say(DAUGHTER, "我爸一个人住,需要有人帮忙打扫卫生和洗澡")
    await tg.tap(DAUGHTER, "对,就是这些")
    await tg.tap(DAUGHTER, "子女")
    await tg.say(DAUGHTER, "李大爷")
    await tg.say(DAUGHTER, "13812345678")
    await tg.tap(DAUGHTER, "已征得同意")
    await tg.tap(DAUGHTER, "牟定县")
    await tg.tap(DAUGHTER, "共和镇")
    await tg.tap(DAUGHTER, "北屯村")
    await tg.say(DAUGHTER, "13700001111")
    await tg.tap(DAUGHTER, "跳过")
    sent = await tg.tap(DAUGHTER, "提交")
    (case,) = await _cases(runtime)
    assert case.number in sent[0]
    assert case.applicant_kind == ApplicantKind.delegate and case.consent_method
    assert case.delegate_relation == "子女" and case.beneficiary_id == world.resident.id
    # the daughter can follow it
    sent = await tg.say(DAUGHTER, "/status")
    assert case.number in "".join(sent) and "已提交" in "".join(sent)


async def test_emergency_at_the_second_step(tg: Tg, world: World, runtime: Runtime) -> None:
    await tg.say(RESIDENT, "/start")
    await tg.tap(RESIDENT, "申请帮助(为自己)")
    sent = await tg.say(RESIDENT, "我爸摔倒了起不来,家里没人")
    assert "120" in sent[0] and "0878-5211234" in sent[0]
    await tg.tap(RESIDENT, "立即上报")
    await tg.tap(RESIDENT, "牟定县")
    sent = await tg.tap(RESIDENT, "共和镇")
    (case,) = await _cases(runtime)
    assert case.emergency and case.number in sent[0] and "紧急" in sent[0]
