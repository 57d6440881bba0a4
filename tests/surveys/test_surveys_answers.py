"""Surveys: the relative who applied is asked; words become scores; a low score or a complaint
opens a 回访 case in the township queue; a worker enters an answer asked in person; a start
survey too old to make sense is skipped; results per township and item."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.cases import service as cases_service
from backend.cases import workflow
from backend.cases.models import ApplicantKind, Case, CaseStatus, Channel
from backend.cases.schemas import NewCase
from backend.core.errors import Conflict, InvalidInput
from backend.core.runtime import Runtime
from backend.people import service as people_service
from backend.people.service import PersonInput
from backend.staff.actor import Actor
from backend.surveys import service as surveys_service
from backend.surveys import sweeps as survey_sweeps
from backend.surveys.models import Respondent, Survey
from tests.cases.helpers import PATHS, case_in, sign_consent
from tests.scheduler.schedworld import bind_chat, scheduler_rows
from tests.world import World


async def _surveys(runtime: Runtime) -> list[Survey]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Survey).order_by(Survey.id))).scalars())


async def _sweep(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessions() as session, session.begin():
        report = await survey_sweeps.sweep_surveys(session, now=runtime.clock.now())
    return report.counts


async def _delegated_case_in_service(runtime: Runtime, world: World) -> tuple[Case, Actor]:
    async with runtime.sessions() as session, session.begin():
        son = await people_service.find_or_create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            data=PersonInput(name="李小明", region=world.village, phone="13900001111"),
        )
        result = await cases_service.submit(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=Actor.person(son.id),
            request=NewCase(
                beneficiary_id=world.resident.id,
                region_id=world.village.id,
                channel=Channel.telegram,
                applicant_kind=ApplicantKind.delegate,
                applicant_person_id=son.id,
                delegate_relation="儿子",
                consent_method="口头",
                text="父亲需要送餐",
                items=("living.meal",),
            ),
        )
    await sign_consent(runtime, world, person_id=world.resident.id)
    for actor_key, target, note in PATHS[CaseStatus.in_service]:
        async with runtime.sessions() as session, session.begin():
            await workflow.transition(
                session,
                clock=runtime.clock,
                actor=world.actors[actor_key],
                case_id=result.case.id,
                to=target,
                note=note,
            )
    return result.case, Actor.person(son.id, "李小明")


async def test_the_relative_answers_and_a_low_score_opens_a_follow_up(
    runtime: Runtime, world: World
) -> None:
    case, son = await _delegated_case_in_service(runtime, world)
    son_chat = await bind_chat(runtime, person_id=son.person_id, chat="5550")
    counts = await _sweep(runtime)
    assert counts["created"] == 1 and counts["asked"] == 1
    (survey,) = await _surveys(runtime)
    assert survey.respondent == Respondent.relative and survey.chat_identity_id == son_chat
    (ask,) = [r for r in await scheduler_rows(runtime) if r.template_key == "survey_ask"]
    assert ask.chat_identity_id == son_chat and ask.params["survey"] == survey.id
    assert (await _sweep(runtime)).get("queued", 0) == 0
    async with runtime.sessions() as session, session.begin():
        with pytest.raises(InvalidInput):
            await surveys_service.answer(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                actor=son,
                survey_id=survey.id,
                word="还行吧",
            )
        answered = await surveys_service.answer(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=son,
            survey_id=survey.id,
            word="不满意",
            comment="送来的饭是凉的",
        )
        assert answered.score == 2 and answered.followup_case_id is not None
        follow_up = await session.get(Case, answered.followup_case_id)
        assert follow_up is not None and follow_up.status == CaseStatus.submitted
        assert follow_up.township_id == world.township.id
        assert "不满意" in follow_up.original_text and follow_up.id != case.id
        with pytest.raises(Conflict):
            await surveys_service.answer(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                actor=son,
                survey_id=survey.id,
                word="满意",
            )
    async with runtime.sessions() as session:
        by_township = await surveys_service.results(
            session, by="township", region_path=world.county.path
        )
        by_item = await surveys_service.results(session, by="item", region_path=world.county.path)
    assert [(r.label, r.answered, r.average, r.low) for r in by_township] == [("共和镇", 1, 2.0, 1)]
    assert [(r.key, r.answered) for r in by_item] == [("living.meal", 1)]


async def test_no_answer_goes_to_the_worker_who_enters_it(runtime: Runtime, world: World) -> None:
    worker_chat = await bind_chat(runtime, staff_id=world.actors["worker"].staff_id, chat="5551")
    await bind_chat(runtime, person_id=world.resident.id, chat="5552")
    await case_in(runtime, world, CaseStatus.in_service)
    from backend.visits.plans import sweep_plans

    async with runtime.sessions() as session, session.begin():
        await sweep_plans(session, now=runtime.clock.now())
    await _sweep(runtime)
    runtime.clock.advance(timedelta(hours=47))  # type: ignore[attr-defined]
    assert (await _sweep(runtime))["reminded"] == 0
    runtime.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    assert (await _sweep(runtime))["reminded"] == 1
    runtime.clock.advance(timedelta(days=5))  # type: ignore[attr-defined]
    counts = await _sweep(runtime)
    assert counts["tasks"] == 1 and counts["reminded"] == 0
    (task,) = [r for r in await scheduler_rows(runtime) if r.template_key == "survey_task"]
    assert task.chat_identity_id == worker_chat
    (survey,) = await _surveys(runtime)
    async with runtime.sessions() as session, session.begin():
        answered = await surveys_service.answer(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=world.actors["worker"],
            survey_id=survey.id,
            word="非常满意",
        )
    assert answered.score == 5 and answered.respondent == Respondent.worker
    assert answered.followup_case_id is None


async def test_a_start_survey_too_old_is_skipped_and_logged(
    runtime: Runtime, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await case_in(runtime, world, CaseStatus.in_service)
    runtime.clock.advance(timedelta(days=14, hours=12))  # type: ignore[attr-defined]
    counts = await _sweep(runtime)
    assert counts.get("created", 0) == 0 and counts["start_skipped_too_old"] == 1
    assert "too old" in caplog.text
    assert await _surveys(runtime) == []
