"""The scheduler's buttons through aiogram against the fake Bot API: a worker records a visit
from the real digest message with a late date, 需要帮助 opens a case, a forged press changes
nothing; a resident answers the survey message."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from backend.cases.models import Case, CaseStatus, Channel
from backend.core.runtime import Runtime
from backend.outbox.models import Notification
from backend.surveys.models import Survey
from backend.visits.models import Visit, VisitOutcome
from bot.app import create_bot
from bot.transport import TelegramTransport
from scheduler.templates import render
from tests.bot.conftest import Tg
from tests.cases.helpers import case_in
from tests.scheduler.schedworld import at, bind_chat, build_villages, tick
from tests.world import World

WORKER = 9001  # w1's bound chat: 北屯村
RESIDENT = 5552


async def _deliver(runtime: Runtime, key: str, chat: int) -> None:
    """Send the outbox row as the sender would (same rendering, same transport)."""
    async with runtime.sessions() as session:
        found = await session.execute(
            select(Notification).where(Notification.idempotency_key == key)
        )
        row = found.scalar_one()
    bot = create_bot(runtime.settings)
    try:
        result = await TelegramTransport(bot).send(str(chat), render(row.template_key, row.params))
    finally:
        await bot.session.close()
    assert result.kind == "ok"


async def _visits(runtime: Runtime) -> list[Visit]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Visit).order_by(Visit.id))).scalars())


async def _digest_to_worker(tg: Tg, runtime: Runtime, world: World) -> None:
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    await build_villages(runtime, world)
    await tick(runtime, at(date(2026, 3, 1)))
    await tick(runtime, at(date(2026, 3, 16)))  # the digest of 2026-03b
    runtime.clock.set(at(date(2026, 3, 20)))  # type: ignore[attr-defined]
    worker = world.actors["worker"].staff_id
    await _deliver(runtime, f"visit_digest:2026-03b:{worker}", WORKER)


async def test_worker_records_a_visit_from_the_digest_with_a_late_date(
    tg: Tg, world: World, runtime: Runtime
) -> None:
    await _digest_to_worker(tg, runtime, world)
    digest = tg.fake.sent_to(WORKER)[-1].params
    assert "请走访以下20户" in digest["text"]
    sent = await tg.tap(WORKER, "北屯00 已走访")
    assert "北屯00" in sent[0] and "走访情况" in sent[1]
    # The digest keeps its buttons for the other households.
    assert not [c for c in tg.fake.calls if c.method == "editMessageText"]
    assert any(c.method == "answerCallbackQuery" for c in tg.fake.calls)
    await tg.say(WORKER, "老人精神不错")
    await tg.tap(WORKER, "跳过")  # photo
    await tg.tap(WORKER, "跳过")  # location
    sent = await tg.say(WORKER, "3月17日")
    assert "3月17日" in sent[0] and "确认登记" in str(tg.fake.sent_to(WORKER)[-1].params)
    sent = await tg.tap(WORKER, "确认登记")
    assert "已登记" in sent[0]
    (visit,) = await _visits(runtime)
    assert visit.visited_on == date(2026, 3, 17) and visit.period == "2026-03b"
    assert visit.outcome == VisitOutcome.visited and visit.note == "老人精神不错"
    # The same digest button again: said, not recorded twice.
    sent = await tg.tap(WORKER, "北屯00 已走访")
    assert "已经登记过了" in sent[0]
    assert len(await _visits(runtime)) == 1


async def test_needs_help_opens_a_case_and_a_forged_press_changes_nothing(
    tg: Tg, world: World, runtime: Runtime
) -> None:
    await _digest_to_worker(tg, runtime, world)
    digest = tg.fake.sent_to(WORKER)[-1].params
    row = digest["reply_markup"]["inline_keyboard"][1]  # 北屯01: 已走访 / 未遇到 / 需要帮助
    help_data = row[2]["callback_data"]
    assert help_data.endswith(":2026-03b:needs_help")
    sent = await tg.run(lambda: tg.fake.press(WORKER, help_data, digest["result"]))
    assert "需要什么帮助" in sent[-1]
    await tg.say(WORKER, "家里没人做饭,老人想要有人送饭")
    await tg.tap(WORKER, "跳过")
    await tg.tap(WORKER, "跳过")
    await tg.tap(WORKER, "今天")
    sent = await tg.tap(WORKER, "确认登记")
    async with runtime.sessions() as session:
        (case,) = (await session.execute(select(Case))).scalars().all()
    assert case.number in sent[1] and case.status == CaseStatus.submitted
    assert case.channel == Channel.village_report and case.item_ids == ["living.meal"]
    # Forged presses: another household's plan of another worker, a made-up plan, a bad period.
    other_plan = int(help_data.split(":")[1]) + 25  # 天台村, w2's
    for forged in (f"visit:{other_plan}:2026-03b:visited", "visit:999999:2026-03b:visited",
                   "visit:1:2026-13b:visited", "survey:1:5"):  # fmt: skip
        sent = await tg.run(lambda data=forged: tg.fake.press(WORKER, data, digest["result"]))
        assert sent and "没有" in sent[0]
    assert len(await _visits(runtime)) == 1
    async with runtime.sessions() as session:
        assert len((await session.execute(select(Case))).all()) == 1


async def test_resident_answers_the_survey_message(tg: Tg, world: World, runtime: Runtime) -> None:
    await bind_chat(runtime, person_id=world.resident.id, chat=str(RESIDENT))
    await case_in(runtime, world, CaseStatus.in_service)
    from backend.surveys import sweeps as survey_sweeps

    async with runtime.sessions() as session, session.begin():
        await survey_sweeps.sweep_surveys(session, now=runtime.clock.now())
    async with runtime.sessions() as session:
        survey_id = (await session.execute(select(Survey.id))).scalar_one()
    await _deliver(runtime, f"survey:{survey_id}:ask", RESIDENT)
    sent = await tg.tap(RESIDENT, "不满意")
    assert "不满意" in sent[0]
    sent = await tg.tap(RESIDENT, "跳过")
    assert "谢谢" in sent[0] and "案件号" in sent[1]
    sent = await tg.tap(RESIDENT, "非常满意")  # the old message again
    assert "已经回答过了" in sent[0]
    async with runtime.sessions() as session:
        (survey,) = (await session.execute(select(Survey))).scalars().all()
    assert survey.score == 2 and survey.followup_case_id is not None
