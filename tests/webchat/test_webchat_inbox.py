"""The web chat as an inbox: news about a case filed on the web is shown on the device that
filed it (newest first, above the current question, once), never on another device; a survey
or this period's 走访 list that still waits for its answer is offered again until answered."""

from __future__ import annotations

from datetime import date

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from backend.cases import workflow
from backend.cases.models import Case, CaseStatus
from backend.core.runtime import Runtime
from backend.identities import bindcodes
from backend.outbox.models import Notification, NotificationStatus
from backend.surveys import sweeps as survey_sweeps
from backend.surveys.models import Survey
from backend.visits.models import Visit
from scheduler.sender import Sender
from tests.cases.helpers import case_in
from tests.scheduler.schedworld import add_recipients, at, tick
from tests.scheduler.test_sched_webchat_inbox import Recorder
from tests.webchat.kit import Resident, read
from tests.webchat.test_webchat_http import to_summary
from tests.world import World


async def _move(runtime: Runtime, world: World, case_id: int, to: CaseStatus, note: str) -> None:
    async with runtime.sessions() as session, session.begin():
        await workflow.transition(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            case_id=case_id,
            to=to,
            note=note or None,
        )


async def test_status_news_shown_once_on_the_filing_device_only(
    app: FastAPI, resident: Resident, world: World, runtime: Runtime
) -> None:
    await to_summary(resident)
    await resident.tap("提交")
    async with runtime.sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as other_http:
        other = Resident(other_http)
        await other.open()  # another phone, on the menu before anything happens

        await _move(runtime, world, case.id, CaseStatus.registered, "")
        # The sender hands the row to the inbox (nothing is sent); the second arrives after.
        assert (await Sender(runtime, Recorder()).run_once()).counts == {"inbox": 1}
        await _move(runtime, world, case.id, CaseStatus.referred, "转县残联")

        page = await resident.open()
        news = [m for m in page.messages if case.number in m and "新进展" in m]
        assert len(news) == 2 and "已转介" in news[0] and "已受理" in news[1]  # newest first
        assert page.messages[:2] == news  # above the current screen
        # no Telegram command on the page: the news points at the menu's button, which is here
        assert "/status" not in news[0] and "“查询进度”" in news[0] and "查询进度" in page.buttons
        assert "申请帮助(为自己)" in page.buttons  # the menu is still there to answer

        assert case.number not in (await other.open()).text
        assert "新进展" not in (await resident.open()).text  # read: shown once

    async with runtime.sessions() as session:
        rows = (await session.execute(select(Notification))).scalars().all()
    assert {r.channel for r in rows} == {"web_chat"}
    assert all(r.status == NotificationStatus.sent and r.sent_at is not None for r in rows)


async def _bound_and_asked(resident: Resident, world: World, runtime: Runtime) -> None:
    """The resident binds this device, gets a service, and the survey sweep asks them here."""
    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(session, clock=runtime.clock, person_id=world.resident.id)
    page = read(await resident.http.get(f"/chat?start={code}"))
    await resident.http.post("/chat", data={"token": page.token, "step": "bind", "start": code})
    await case_in(runtime, world, CaseStatus.in_service)
    async with runtime.sessions() as session, session.begin():
        await survey_sweeps.sweep_surveys(session, now=runtime.clock.now())


async def test_a_resident_bound_on_the_web_answers_the_survey_in_the_inbox(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    await _bound_and_asked(resident, world, runtime)
    async with runtime.sessions() as session:
        (survey,) = (await session.execute(select(Survey))).scalars()
        (row,) = (
            await session.execute(
                select(Notification).where(Notification.template_key == "survey_ask")
            )
        ).scalars()
    assert row.channel == "web_chat"  # the sweep asks the resident's web chat

    screen = await resident.open()
    assert any("您满意吗" in m for m in screen.messages)
    assert {"非常满意", "满意", "一般", "不满意", "很不满意"} <= set(screen.buttons)
    asked = await resident.tap("满意")
    assert "您选的是“满意”" in asked.text and "满意" not in asked.buttons  # shown once
    assert "谢谢您的评价" in (await resident.tap("跳过")).text
    async with runtime.sessions() as session:
        answered = await session.get(Survey, survey.id)
    assert answered is not None and answered.score == 4


async def test_an_unanswered_survey_stays_on_the_page_until_it_is_answered(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    await _bound_and_asked(resident, world, runtime)

    assert "您满意吗" in (await resident.open()).text
    await resident.tap("申请帮助(为自己)")  # the resident did something else first
    again = await resident.open()  # came back later: the question and its buttons are still here
    assert again.text.count("您满意吗") == 1 and "很不满意" in again.buttons
    await resident.tap("非常满意")
    assert "您满意吗" not in (await resident.tap("跳过")).text
    assert "您满意吗" not in (await resident.open()).text  # answered: gone for good
    async with runtime.sessions() as session:
        (survey,) = (await session.execute(select(Survey))).scalars()
    assert survey.score == 5


async def test_a_worker_bound_on_the_web_gets_the_visit_list_and_records_a_visit(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    runtime.clock.set(at(date(2026, 2, 26), 8))  # type: ignore[attr-defined]
    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(
            session, clock=runtime.clock, staff_id=world.actors["worker"].staff_id
        )
    page = read(await resident.http.get(f"/chat?start={code}"))
    await resident.http.post("/chat", data={"token": page.token, "step": "bind", "start": code})
    people = await add_recipients(runtime, world.village, 2, prefix="北屯")
    for day in (1, 2):  # a period begins on the 1st: the worker's list is queued
        await tick(runtime, at(date(2026, 3, day), 9))
    async with runtime.sessions() as session:
        digest = (
            await session.execute(
                select(Notification).where(Notification.template_key == "visit_digest")
            )
        ).scalar_one()
    assert digest.channel == "web_chat"

    screen = await resident.open()
    (listed,) = [m for m in screen.messages if "【走访提醒】" in m]
    assert people[0].name in listed and people[1].name in listed and "北屯村" in listed
    assert f"{people[1].name} 已走访" in screen.buttons
    started = await resident.tap(f"{people[0].name} 已走访")
    assert f"登记走访:{people[0].name}(北屯村),结果:已走访" in started.text
    assert "走访情况" in started.text and started.inputs == ["text"]
    assert "【走访提醒】" not in started.text  # not while a visit is being recorded
    screen = await resident.tap("跳过")
    assert "走访照片" in screen.text and screen.inputs == ["photo"]
    while "跳过" in screen.buttons:
        screen = await resident.tap("跳过")
    screen = await resident.tap("今天")
    assert "已登记" in (await resident.tap("确认登记")).text
    async with runtime.sessions() as session:
        visits = (await session.execute(select(Visit))).scalars().all()
    assert [v.person_id for v in visits] == [people[0].id]
    # Back on the page, the list is offered again with only the household not visited yet.
    screen = await resident.open()
    (listed,) = [m for m in screen.messages if "【走访提醒】" in m]
    assert people[1].name in listed and people[0].name not in listed and "以下1户" in listed
    assert f"{people[1].name} 已走访" in screen.buttons
    assert f"{people[0].name} 已走访" not in screen.buttons
