"""Recording a visit from a digest button: outcome → note → photo → location → date → confirm.

The button (`visit:{plan}:{period}:{outcome}`) is checked against the database, not against the
buttons this conversation offered: only the plan's own worker may record, only for the current or
the previous period, and only once per period (a second tap says when it was recorded). The date
lies in the button's period and not in the future, so the visit counts for the period the
reminder was about. "需要帮助" asks what help is needed and files a case with the visit.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from backend.cases import items as case_items
from backend.cases.models import Case
from backend.core.clock import business_date
from backend.core.errors import JiuzhuError
from backend.people.models import Person
from backend.regions import service as regions_service
from backend.staff import service as staff_service
from backend.visits import service as visits_service
from backend.visits.models import OUTCOME_NAMES, Visit, VisitOutcome, VisitPlan
from backend.visits.periods import Period, parse_key, period_of
from dialogs.context import BACK, CANCEL, SKIP, Context, Turn
from dialogs.texts import render
from dialogs.types import Choice, Inbound

FLOW = "visit"
PREFIX = "visit"
CONFIRM = Choice("v:ok", "visit_confirm_button")
DAY_BUTTONS = (("vd:0", "visit_today"), ("vd:1", "visit_yesterday"), ("vd:2", "visit_day_before"))
_DATE = re.compile(r"^(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*[日号]?$")
_WORD_DAYS = {"今天": 0, "昨天": 1, "前天": 2}


# --- the button -----------------------------------------------------------------------------


def _parse(value: str) -> tuple[int, Period, VisitOutcome] | None:
    parts = value.split(":")
    if len(parts) != 4 or not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    try:
        return int(parts[1]), parse_key(parts[2]), VisitOutcome(parts[3])
    except ValueError:
        return None


async def begin(ctx: Context, turn: Turn, value: str) -> None:
    """A digest button was tapped: start recording, or say politely why not (nothing changes)."""
    parsed = _parse(value)
    identity = await ctx.identity()
    if identity.staff_id is None:
        turn.say("visit_not_staff")
        return
    plan = await ctx.session.get(VisitPlan, parsed[0]) if parsed else None
    if parsed is None or plan is None or plan.worker_staff_id != identity.staff_id:
        turn.say("visit_not_yours")
        return
    _, period, outcome = parsed
    current = period_of(business_date(ctx.clock.now()))
    if period not in (current, current.previous()):
        turn.say("visit_stale")
        return
    person = await ctx.session.get(Person, plan.person_id)
    village = await regions_service.get(ctx.session, region_id=plan.region_id)
    name = person.name if person else ""
    done = await _recorded(ctx, plan.id, period)
    if done is not None:
        turn.say(
            "visit_already",
            name=name,
            day=_day_words(done.visited_on),
            outcome=OUTCOME_NAMES[VisitOutcome(done.outcome)],
        )
        return
    data = turn.data
    if turn.snap.flow == FLOW and (data.get("plan"), data.get("period")) == (plan.id, period.key):
        if data.get("outcome") == outcome.value:  # the same button again: carry on
            await prompt(ctx, turn)
            return
    turn.reset(**{k: v for k, v in data.items() if k == "last_case"})
    turn.data.update(
        plan=plan.id,
        period=period.key,
        outcome=outcome.value,
        name=name,
        village=village.name if village else "",
    )
    turn.goto(FLOW, "note", push=False)
    turn.say("visit_start", name=name, village=turn.data["village"], outcome=OUTCOME_NAMES[outcome])
    await prompt(ctx, turn)


async def _recorded(ctx: Context, plan_id: int, period: Period) -> Visit | None:
    found = await ctx.session.execute(
        select(Visit).where(Visit.plan_id == plan_id, Visit.period == period.key).limit(1)
    )
    return found.scalar_one_or_none()


# --- questions ------------------------------------------------------------------------------


def _needs_help(turn: Turn) -> bool:
    return bool(turn.data.get("outcome") == VisitOutcome.needs_help.value)


def _days(ctx: Context, turn: Turn) -> tuple[date, date]:
    """The first and last date the visit may have: inside the period, not after today."""
    period = parse_key(str(turn.data["period"]))
    today = business_date(ctx.clock.now())
    return period.start, min(period.end, today)


def _day_words(day: date) -> str:
    return f"{day.month}月{day.day}日"


async def prompt(ctx: Context, turn: Turn) -> None:
    """Ask the question of the current step (also after a stale button or /start)."""
    step, data = turn.snap.step, turn.data
    nav = [BACK, CANCEL]
    if step == "note":
        if _needs_help(turn):
            turn.ask("visit_ask_help", [[CANCEL]])
        else:
            turn.ask("visit_ask_note", [[SKIP], [CANCEL]])
    elif step == "photo":
        turn.ask("visit_ask_photo", [[SKIP], nav])
    elif step == "location":
        turn.ask("visit_ask_location", [[SKIP], nav], ask_location=True)
    elif step == "date":
        first, last = _days(ctx, turn)
        today = business_date(ctx.clock.now())
        row = [
            Choice(value, key)
            for value, key in DAY_BUTTONS
            if first <= today - timedelta(days=int(value[3:])) <= last
        ]
        turn.ask("visit_ask_date", [row, nav])
    elif step == "confirm":
        turn.ask(
            "visit_confirm",
            [[CONFIRM], nav],
            name=data.get("name", ""),
            village=data.get("village", ""),
            outcome=OUTCOME_NAMES[VisitOutcome(data["outcome"])],
            day=_day_words(date.fromisoformat(data["day"])),
            note=data.get("note") or render("none"),
            photo=render("visit_has" if data.get("photo") else "visit_has_not"),
            location=render("visit_has" if data.get("location") else "visit_has_not"),
        )


async def _advance(ctx: Context, turn: Turn) -> None:
    order = ["note", "photo", "location", "date", "confirm"]
    turn.goto(FLOW, order[order.index(turn.snap.step) + 1])
    await prompt(ctx, turn)


# --- answers --------------------------------------------------------------------------------


def parse_day(text: str, today: date) -> date | None:
    """今天/昨天/前天, 3月5日, 3.5, 2026-03-05, 2026年3月5日; None when not a date."""
    text = text.strip().replace(" ", "")
    if text in _WORD_DAYS:
        return today - timedelta(days=_WORD_DAYS[text])
    match = _DATE.match(text)
    if match is None:
        return None
    year = int(match[1]) if match[1] else today.year
    try:
        day = date(year, int(match[2]), int(match[3]))
    except ValueError:
        return None
    if not match[1] and day.month > today.month:  # "12月30日" typed in January: last year
        try:
            day = day.replace(year=year - 1)
        except ValueError:  # 29 February
            return None
    return day


async def _take_day(ctx: Context, turn: Turn, day: date | None) -> None:
    if day is None:
        turn.say("visit_date_unknown")
        await prompt(ctx, turn)
        return
    first, last = _days(ctx, turn)
    if day > business_date(ctx.clock.now()):
        turn.say("visit_date_future")
    elif not first <= day <= last:
        turn.say("visit_date_range", first=_day_words(first), last=_day_words(last))
    else:
        turn.data["day"] = day.isoformat()
        await _advance(ctx, turn)
        return
    await prompt(ctx, turn)


async def _take_note(ctx: Context, turn: Turn, text: str) -> None:
    if len(text) > visits_service.MAX_NOTE_LENGTH:
        turn.say("visit_note_long", limit=visits_service.MAX_NOTE_LENGTH)
        return
    turn.data["note"] = text
    await _advance(ctx, turn)


async def on_input(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    step, data = turn.snap.step, turn.data
    if inbound.kind == "choice":
        await _on_choice(ctx, turn, inbound.value)
    elif inbound.kind == "photo" and step in ("note", "photo"):
        data["photo"] = f"{ctx.channel}:{inbound.file_id}"[:200]
        turn.say("visit_photo_kept")
        if step == "note" and inbound.text.strip():
            await _take_note(ctx, turn, inbound.text.strip())
        elif step == "photo":
            await _advance(ctx, turn)
    elif inbound.kind == "location" and inbound.latitude is not None:
        data["location"] = [inbound.latitude, inbound.longitude]
        if step == "location":
            await _advance(ctx, turn)
        else:
            turn.say("visit_location_kept")
    elif inbound.kind == "text" and step == "note":
        await _take_note(ctx, turn, inbound.text.strip())
    elif inbound.kind == "text" and step == "date":
        await _take_day(ctx, turn, parse_day(inbound.text, business_date(ctx.clock.now())))
    else:
        turn.say("visit_use_buttons")
        await prompt(ctx, turn)


async def _on_choice(ctx: Context, turn: Turn, value: str) -> None:
    if value == "skip" and turn.snap.step == "note" and _needs_help(turn):
        turn.say("visit_help_needed")
        await prompt(ctx, turn)
    elif value == "skip":
        await _advance(ctx, turn)
    elif value.startswith("vd:"):
        days = int(value[3:])
        await _take_day(ctx, turn, business_date(ctx.clock.now()) - timedelta(days=days))
    elif value == CONFIRM.value:
        await record(ctx, turn)


async def record(ctx: Context, turn: Turn) -> None:
    """Store the visit (and the case for 需要帮助); a refusal is said and nothing is stored."""
    data = turn.data
    identity = await ctx.identity()
    if identity.staff_id is None:
        turn.say("visit_not_staff")
        return
    period = parse_key(str(data["period"]))
    done = await _recorded(ctx, int(data["plan"]), period)
    if done is not None:  # recorded meanwhile (another device, the console)
        turn.say(
            "visit_already",
            name=data.get("name", ""),
            day=_day_words(done.visited_on),
            outcome=OUTCOME_NAMES[VisitOutcome(done.outcome)],
        )
        turn.reset(**{k: v for k, v in data.items() if k == "last_case"})
        return
    outcome = VisitOutcome(data["outcome"])
    note = data.get("note") or None
    found = ctx.classifier.classify(note) if note and outcome == VisitOutcome.needs_help else None
    location = data.get("location") or [None, None]
    actor = await staff_service.actor_for(ctx.session, staff_id=identity.staff_id)
    try:
        visit = await visits_service.record_visit(
            ctx.session,
            clock=ctx.clock,
            cipher=ctx.cipher,
            actor=actor,
            data=visits_service.VisitInput(
                int(data["plan"]),
                outcome,
                visited_on=date.fromisoformat(data["day"]),
                note=note,
                photo_key=data.get("photo") or None,
                lat=location[0],
                lon=location[1],
                items=tuple(i for i in found.labels if i in case_items.names()) if found else (),
                emergency=found.emergency if found else False,
                classification=found.to_dict() if found else {},
            ),
        )
    except JiuzhuError as exc:
        turn.say("visit_failed", reason=exc.message)
        turn.reset(**{k: v for k, v in data.items() if k == "last_case"})
        return
    turn.say(
        "visit_recorded",
        name=data.get("name", ""),
        outcome=OUTCOME_NAMES[outcome],
        day=_day_words(visit.visited_on),
    )
    if visit.case_id is not None:
        case = await ctx.session.get(Case, visit.case_id)
        township = (
            await regions_service.get(ctx.session, region_id=case.township_id) if case else None
        )
        turn.say(
            "visit_case_opened",
            number=case.number if case else "",
            township=township.name if township else "乡镇",
        )
    turn.reset(**{k: v for k, v in data.items() if k == "last_case"})
