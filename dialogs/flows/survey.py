"""Answering a survey from its buttons: the score (from the button) → an optional comment → done.

The button (`survey:{id}:{score}`) is checked against the database: only the chat the survey was
sent to may answer — or a village worker (bound staff chat) entering the answer after asking in
person, whose role and region the survey service checks — and an answered survey is never
answered again (a second tap says so). The
answer is stored after the comment step, so a tap that is never followed up leaves the survey
open and the reminder still comes.
"""

from __future__ import annotations

from backend.cases.models import Case
from backend.core.errors import JiuzhuError
from backend.regions import service as regions_service
from backend.staff import service as staff_service
from backend.staff.actor import Actor
from backend.surveys import service as surveys_service
from backend.surveys.models import SCORES, Survey
from dialogs.context import SKIP, Context, Turn
from dialogs.types import Inbound

FLOW = "survey"
PREFIX = "survey"
WORDS = {score: word for word, score in SCORES.items()}


def _parse(value: str) -> tuple[int, int] | None:
    parts = value.split(":")
    if len(parts) != 3 or not all(p.isdigit() and len(p) < 12 for p in parts[1:]):
        return None
    survey_id, score = int(parts[1]), int(parts[2])
    return (survey_id, score) if score in WORDS else None


async def begin(ctx: Context, turn: Turn, value: str) -> None:
    """An answer button was tapped: ask for a comment, or say politely why not."""
    parsed = _parse(value)
    identity = await ctx.identity()
    survey = await ctx.session.get(Survey, parsed[0]) if parsed else None
    entering = identity.staff_id is not None  # a worker enters what the resident said in person
    if (
        parsed is None
        or survey is None
        or (survey.chat_identity_id != identity.id and not entering)
    ):
        turn.say("survey_not_yours")
        return
    if survey.answered_at is not None:
        turn.say("survey_already")
        return
    turn.reset(**{k: v for k, v in turn.data.items() if k == "last_case"})
    turn.data.update(survey=survey.id, score=parsed[1])
    turn.goto(FLOW, "comment", push=False)
    await prompt(ctx, turn)


async def prompt(ctx: Context, turn: Turn) -> None:
    turn.ask("survey_ask_comment", [[SKIP]], word=WORDS[int(turn.data["score"])])


async def on_input(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    if inbound.kind == "choice" and inbound.value == SKIP.value:
        await answer(ctx, turn, None)
    elif inbound.kind == "text" and inbound.text.strip():
        text = inbound.text.strip()
        if len(text) > surveys_service.MAX_COMMENT_LENGTH:
            turn.say("survey_comment_long", limit=surveys_service.MAX_COMMENT_LENGTH)
            return
        await answer(ctx, turn, text)
    else:
        turn.say("survey_use_buttons")
        await prompt(ctx, turn)


async def answer(ctx: Context, turn: Turn, comment: str | None) -> None:
    """Store the answer; a low score or a complaint names the follow-up case."""
    data = turn.data
    identity = await ctx.identity()
    keep = {k: v for k, v in data.items() if k == "last_case"}
    if identity.staff_id is not None:
        actor = await staff_service.actor_for(ctx.session, staff_id=identity.staff_id)
    else:
        actor = Actor.person(identity.person_id, ctx.display_name or "回访对象")
    try:
        survey = await surveys_service.answer(
            ctx.session,
            clock=ctx.clock,
            cipher=ctx.cipher,
            actor=actor,
            survey_id=int(data["survey"]),
            word=WORDS[int(data["score"])],
            comment=comment,
        )
    except JiuzhuError as exc:
        key = "survey_already" if exc.code == "survey_answered" else "survey_failed"
        turn.say(key, reason=exc.message)
        turn.reset(**keep)
        return
    turn.say("survey_entered" if identity.staff_id is not None else "survey_thanks")
    if survey.followup_case_id is not None:
        case = await ctx.session.get(Case, survey.followup_case_id)
        township = (
            await regions_service.get(ctx.session, region_id=case.township_id) if case else None
        )
        turn.say(
            "survey_followup_entered" if identity.staff_id is not None else "survey_followup",
            number=case.number if case else "",
            township=township.name if township else "乡镇",
        )
    turn.reset(**keep)
