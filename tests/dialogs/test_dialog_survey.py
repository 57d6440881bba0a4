"""Answering a survey from its buttons, with no transport: the comment step, a low score that
opens a 回访 case, one answer only, and only from the chat the survey was sent to."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.cases.models import Case, CaseStatus
from backend.core.runtime import Runtime
from backend.surveys import sweeps as survey_sweeps
from backend.surveys.models import Survey
from dialogs.engine import Engine
from tests.cases.helpers import case_in
from tests.dialogs.conftest import Chat, keys, shown
from tests.scheduler.schedworld import bind_chat
from tests.world import World


@pytest.fixture
async def survey_id(runtime: Runtime, world: World) -> int:
    """The resident (chat 5552) is in service and has been asked."""
    await bind_chat(runtime, person_id=world.resident.id, chat="5552")
    await case_in(runtime, world, CaseStatus.in_service)
    async with runtime.sessions() as session, session.begin():
        await survey_sweeps.sweep_surveys(session, now=runtime.clock.now())
    (survey,) = await _surveys(runtime)
    assert survey.chat_identity_id is not None
    return survey.id


@pytest.fixture
def resident(runtime: Runtime, engine: Engine) -> Chat:
    return Chat(runtime, engine, user="5552", name="张大爷")


async def _surveys(runtime: Runtime) -> list[Survey]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Survey).order_by(Survey.id))).scalars())


async def test_answer_with_skip_and_a_second_tap(survey_id: int, resident: Chat) -> None:
    asked = await resident.tap(f"survey:{survey_id}:4")
    assert keys(asked) == ["survey_ask_comment"] and "满意" in shown(asked)
    assert keys(await resident.tap("skip")) == ["survey_thanks"]
    assert keys(await resident.tap(f"survey:{survey_id}:1")) == ["survey_already"]
    (survey,) = await _surveys(resident.runtime)
    assert survey.score == 4 and survey.comment is None and survey.followup_case_id is None


async def test_low_score_with_a_comment_opens_a_follow_up(
    runtime: Runtime, survey_id: int, resident: Chat
) -> None:
    await resident.tap(f"survey:{survey_id}:5")
    await resident.tap(f"survey:{survey_id}:1")  # changed their mind before the comment
    done = await resident.text("送来的饭是凉的")
    assert keys(done) == ["survey_thanks", "survey_followup"]
    (survey,) = await _surveys(runtime)
    assert survey.score == 1 and survey.comment == "送来的饭是凉的"
    async with runtime.sessions() as session:
        follow_up = await session.get(Case, survey.followup_case_id)
    assert follow_up is not None and follow_up.external_ref == f"survey:{survey.id}"
    assert follow_up.number in shown(done) and "共和镇" in shown(done)


async def test_other_chats_and_forged_buttons_answer_nothing(
    runtime: Runtime, engine: Engine, survey_id: int, resident: Chat
) -> None:
    stranger = Chat(runtime, engine, user="6000")
    assert keys(await stranger.tap(f"survey:{survey_id}:5")) == ["survey_not_yours"]
    assert keys(await resident.tap(f"survey:{survey_id}:9")) == ["survey_not_yours"]
    assert keys(await resident.tap(f"survey:{survey_id + 1}:5")) == ["survey_not_yours"]
    assert keys(await resident.tap("survey:x:5")) == ["survey_not_yours"]
    assert keys(await stranger.tap("skip")) == ["stale_choice"]
    (survey,) = await _surveys(runtime)
    assert survey.answered_at is None
    async with runtime.sessions() as session:
        assert len((await session.execute(select(Case))).all()) == 1  # the served case only


async def test_village_worker_enters_the_answer_after_asking_in_person(
    runtime: Runtime, engine: Engine, world: World, survey_id: int
) -> None:
    from scheduler.templates import render

    # The survey_task message carries the answer buttons for the worker.
    task = render("survey_task", {"survey": survey_id, "name": "李大爷", "round": 1})
    assert any(f"survey:{survey_id}:" in value for row in task.buttons for _, value in row)

    await bind_chat(runtime, staff_id=world.actors["worker"].staff_id, chat="7001")
    await bind_chat(runtime, staff_id=world.actors["sibling_township"].staff_id, chat="7002")
    outsider = Chat(runtime, engine, user="7002")
    await outsider.tap(f"survey:{survey_id}:5")
    refused = await outsider.tap("skip")  # another township's officer: refused by the service
    assert keys(refused) == ["survey_failed"]
    worker = Chat(runtime, engine, user="7001", name="北屯村专干")
    await worker.tap(f"survey:{survey_id}:2")
    entered = await worker.text("老人说送饭经常迟到")
    assert keys(entered) == ["survey_entered", "survey_followup_entered"]
    (survey,) = await _surveys(runtime)
    assert survey.score == 2 and survey.comment == "老人说送饭经常迟到"
    assert survey.followup_case_id is not None  # a low score opens a 回访 in the queue
