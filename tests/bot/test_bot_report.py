"""上报困难户 end to end through aiogram against the fake Bot API: a village worker binds the chat
with a code, reports a household of their village, and the case waits in the township queue as
村级上报."""

from __future__ import annotations

from sqlalchemy import select

from backend.cases import queue
from backend.cases.models import ApplicantKind, Case, Channel
from backend.core.runtime import Runtime
from backend.identities import bindcodes
from tests.bot.conftest import Tg
from tests.world import World

WORKER, RESIDENT = 6101, 6102


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Case).order_by(Case.id))).scalars())


def _labels(tg: Tg, uid: int) -> list[str]:
    markup = tg.fake.sent_to(uid)[-1].params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_worker_binds_and_reports_a_household(tg: Tg, world: World, runtime: Runtime):
    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(
            session, clock=runtime.clock, staff_id=world.actors["worker"].staff_id
        )
    sent = await tg.say(WORKER, f"/start {code}")
    assert "绑定成功" in sent[0] and "上报困难户" in _labels(tg, WORKER)
    sent = await tg.tap(WORKER, "上报困难户")
    assert "上报哪一户" in sent[0] and "李大爷(北屯村)" in _labels(tg, WORKER)
    assert "需要什么帮助" in (await tg.tap(WORKER, "李大爷(北屯村)"))[0]
    sent = await tg.say(WORKER, "老人一个人在家,做不了饭,想要有人送饭")
    assert "助餐" in sent[0]
    assert "急不急" in (await tg.tap(WORKER, "对,就是这些"))[0]
    assert "照片" in (await tg.tap(WORKER, "一般"))[0]
    sent = await tg.send(WORKER, **tg.fake.photo_content(b"\xff\xd8photo-bytes"))
    assert "照片收到了" in sent[0] and "位置" in sent[1]
    sent = await tg.send(WORKER, location={"latitude": 25.31, "longitude": 101.54})
    summary = sent[-1]
    assert "李大爷(北屯村)" in summary and "助餐" in summary and "13812345678" not in summary
    sent = await tg.tap(WORKER, "提交")
    (case,) = await _cases(runtime)
    assert case.number in sent[0] and "共和镇" in sent[0] and "下班前" in sent[0]
    assert case.channel == Channel.village_report and case.applicant_kind == ApplicantKind.worker
    assert case.beneficiary_id == world.resident.id and case.village_id == world.village.id
    async with runtime.sessions() as session:
        rows = await queue.list_queue(
            session, actor=world.actors["township"], now=runtime.clock.now()
        )
    assert [(r.number, r.channel, r.beneficiary_name) for r in rows] == [
        (case.number, "村级上报", "李大爷")
    ]


async def test_a_resident_has_no_report_entry(tg: Tg, world: World, runtime: Runtime) -> None:
    await tg.say(RESIDENT, "/start")
    assert "上报困难户" not in _labels(tg, RESIDENT)
    sent = await tg.run(lambda: tg.fake.press(RESIDENT, "m:report"))  # a forged press
    assert "过期" in sent[0]
    assert await _cases(runtime) == []
