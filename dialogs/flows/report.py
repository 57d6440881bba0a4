"""A worker reports a household in difficulty (上报困难户, 主动发现): household → need → items →
urgency → photo → location → summary → a case in the township queue (channel 村级上报).

Only a chat bound to a village worker or a township officer may start it (`menu.reporter`), and
the role is read again at every step that touches people. The household is chosen from the
worker's own villages (paged buttons; a typed text searches by name) or described anew (name,
village by buttons, optional phone). A household id is checked against the scope when chosen and
again on submit, so neither a forged button nor a role revoked meanwhile reaches another village.
The need is understood like the intake's (`intake.accept_need`, its item questions); an
emergency in the words is caught by the engine, and its 立即上报 files the report at once.
Texts: `dialogs/texts/report.py`. Personal data in the state is encrypted, shown masked.
"""

from __future__ import annotations

from backend.cases import items as case_items
from backend.cases.schemas import SubmitResult
from backend.core.errors import JiuzhuError
from backend.people.idnumbers import mask_phone, normalise_phone
from backend.people.service import clean_name
from backend.regions import service as regions_service
from backend.regions.models import Region
from backend.staff.actor import Actor
from backend.workcal import texts as workcal_texts
from dialogs import filing
from dialogs.context import BACK, CANCEL, SKIP, Context, Turn
from dialogs.flows import intake, menu
from dialogs.flows import report_scope as scope
from dialogs.texts import render
from dialogs.types import Choice, Inbound

FLOW = "report"
PAGE = 8
MAX_QUERY = 20
MAX_SHOWN_TEXT = 200
ITEM_STEPS = ("items", "pick", "pick_item")
NEW = Choice("new", "report_new")
ALL = Choice("q:all", "report_show_all")
SUBMIT = Choice("submit", "submit")
URGENCY = [Choice("ug:urgent", "report_urgent"), Choice("ug:normal", "report_normal")]
_ORDER = [
    "new_name",
    "new_village",
    "new_phone",
    "need",
    "items",
    "urgency",
    "photo",
    "location",
    "summary",
]


def _keep(turn: Turn) -> dict[str, object]:
    return {k: v for k, v in turn.data.items() if k == "last_case"}


async def _reporter(ctx: Context, turn: Turn) -> Actor | None:
    """The worker, or None after saying so and going back to the menu (role gone meanwhile)."""
    actor = await menu.reporter(ctx)
    if actor is None:
        turn.reset(**_keep(turn))
        turn.say("report_not_staff")
        await menu.show_for(ctx, turn)
    return actor


async def begin(ctx: Context, turn: Turn) -> None:
    """上报困难户 from the menu."""
    if await _reporter(ctx, turn) is None:
        return
    turn.reset(**_keep(turn))
    turn.goto(FLOW, "household", push=False)
    await prompt(ctx, turn)


def _known(data: dict[str, object]) -> bool:
    """The household is settled: chosen from the list, or a new one with its village."""
    return bool(data.get("person_id") or (data.get("new_name") and data.get("region_id")))


async def _advance(ctx: Context, turn: Turn) -> None:
    data, step = turn.data, turn.snap.step
    if data.get("file_now") and _known(data):  # 立即上报 was tapped before the household was known
        await submit(ctx, turn)
        return
    chosen = step == "household" or (step == "new_village" and data.get("person_id"))
    following = "need" if chosen else _ORDER[_ORDER.index(step) + 1]
    if following == "urgency" and data.get("emergency"):  # the engine found an emergency
        data["urgency"] = "urgent"
        turn.say("report_urgent_noted")
        following = "photo"
    turn.goto(FLOW, following)
    await prompt(ctx, turn)


# --- questions ------------------------------------------------------------------------------


async def prompt(ctx: Context, turn: Turn) -> None:
    """Ask the question of the current step (also to resume and after a stale button)."""
    step, data = turn.snap.step, turn.data
    nav = [BACK, CANCEL]
    if step == "household":
        await _ask_household(ctx, turn)
    elif step == "new_name":
        turn.ask("report_ask_name", [nav])
    elif step == "new_village":
        await _ask_village(ctx, turn)
    elif step == "new_phone":
        turn.ask("report_ask_phone", [[SKIP], nav])
    elif step == "need":
        turn.ask("report_ask_need", [nav], name=data.get("who", ""))
    elif step in ITEM_STEPS:
        await intake.prompt(ctx, turn)  # the intake's questions: understood / category / items
    elif step == "urgency":
        turn.ask("report_ask_urgency", [URGENCY, nav])
    elif step == "photo":
        turn.ask("report_ask_photo", [[SKIP], nav])
    elif step == "location":
        turn.ask("report_ask_location", [[SKIP], nav], ask_location=True)
    elif step == "summary":
        _summary(turn)


def _label(house: scope.Household, twins: set[str]) -> Choice:
    params = {"name": house.name, "village": house.village, "phone": house.phone_masked}
    twin = house.name in twins and house.phone_masked  # the same name twice: tell them apart
    return Choice(f"hh:{house.person_id}", f"report_household{'_phone' if twin else ''}", params)


async def _ask_household(ctx: Context, turn: Turn) -> None:
    actor = await _reporter(ctx, turn)
    if actor is None:
        return
    query, page = str(turn.data.get("q") or ""), int(turn.data.get("page") or 0)
    session, clock = ctx.session, ctx.clock
    total = await scope.count_households(session, actor=actor, clock=clock, query=query)
    pages = max(1, -(-total // PAGE))
    page = min(max(page, 0), pages - 1)
    turn.data["page"] = page
    shown = await scope.list_households(
        session, actor=actor, clock=clock, query=query, limit=PAGE, offset=page * PAGE
    )
    names = [h.name for h in shown]
    twins = {n for n in names if names.count(n) > 1}
    rows = [[_label(h, twins)] for h in shown]
    paging = [Choice(f"pg:{page - 1}", "report_prev")] if page > 0 else []
    paging += [Choice(f"pg:{page + 1}", "report_next")] if page + 1 < pages else []
    rows += [paging, [ALL] if query else [], [NEW], [CANCEL]]
    if query:
        key = "report_found" if total else "report_none_found"
    elif not total:
        key = "report_no_households"
    else:
        key = "report_ask_household_many" if total > PAGE else "report_ask_household"
    turn.ask(key, rows, total=total, page=page + 1, pages=pages, query=query)


async def _ask_village(ctx: Context, turn: Turn) -> None:
    actor = await _reporter(ctx, turn)
    if actor is None:
        return
    found = await scope.villages(ctx.session, actor=actor)
    if not found:
        turn.say("report_no_villages")
    buttons = [Choice(f"vl:{r.id}", "plain", {"label": r.name}) for r in found]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    # The same name already on the list: offer it first rather than register the person twice.
    name = str(turn.data.get("new_name") or "")
    listed = await scope.list_households(
        ctx.session, actor=actor, clock=ctx.clock, query=name, limit=PAGE
    )
    same = [[_label(h, {name})] for h in listed if h.name == name]
    key = "report_ask_village_same" if same else "report_ask_village"
    turn.ask(key, [*same, *rows, [BACK, CANCEL]], name=name)


def _summary(turn: Turn) -> None:
    data = turn.data
    if data.get("person_id"):
        who = render("report_household", {"name": data.get("who"), "village": data.get("village")})
    else:
        phone = data.get("new_phone_masked") or render("none")
        params = {"name": data.get("new_name"), "village": data.get("village"), "phone": phone}
        who = render("report_who_new", params)
    text = str(data.get("text") or "")
    urgent = data.get("emergency") or data.get("urgency") == "urgent"
    turn.ask(
        "report_summary",
        [[SUBMIT], [BACK, CANCEL]],
        who=who,
        items=case_items.describe(data.get("items", [])) or render("none"),
        text=(text[:MAX_SHOWN_TEXT] + "…" if len(text) > MAX_SHOWN_TEXT else text)
        or render("none"),
        urgency=render("report_urgent" if urgent else "report_normal"),
        photo=render("report_has" if data.get("photos") else "report_has_not"),
        location=render("report_has" if data.get("location") else "report_has_not"),
    )


# --- answers --------------------------------------------------------------------------------


async def on_input(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    step, data = turn.snap.step, turn.data
    text = inbound.text.strip()
    if inbound.kind == "choice":
        await _on_choice(ctx, turn, inbound.value)
    elif inbound.kind == "photo":
        data.setdefault("photos", []).append(inbound.file_id)
        if step in ("need", *ITEM_STEPS) and text:
            await _need_text(ctx, turn, text)
        else:
            turn.say("report_photo_kept")
            if step in ("photo", "need"):  # the photo step is answered; the need still wants words
                await (_advance if step == "photo" else prompt)(ctx, turn)
    elif inbound.kind == "location" and inbound.latitude is not None:
        data["location"] = [inbound.latitude, inbound.longitude]
        turn.say("report_location_kept")
        if step == "location":
            await _advance(ctx, turn)
    elif inbound.kind == "voice":
        data.setdefault("voices", []).append(inbound.file_id)
        turn.say("voice_kept")
    elif inbound.kind == "text" and step == "household":
        data["q"], data["page"] = text[:MAX_QUERY], 0  # a few characters of a name: search
        await prompt(ctx, turn)
    elif (inbound.kind == "text" and step in ("new_name", "new_phone")) or (
        inbound.kind == "contact" and step == "new_phone"
    ):
        await _new_household(ctx, turn, inbound.phone or text)
    elif inbound.kind == "text" and step in ("need", *ITEM_STEPS):
        await _need_text(ctx, turn, text)
    else:
        turn.say("report_use_buttons")
        await prompt(ctx, turn)


async def _need_text(ctx: Context, turn: Turn, text: str) -> None:
    if turn.snap.step != "need":  # more words about the need: understand them all again
        text = f"{turn.data.get('text', '')}\n{text}".strip()
    turn.data["text"] = text
    await intake.accept_need(ctx, turn)


async def _new_household(ctx: Context, turn: Turn, text: str) -> None:
    data = turn.data
    try:
        if turn.snap.step == "new_name":
            data["new_name"] = clean_name(text)
        else:
            phone = normalise_phone(text)
            data["new_phone_enc"] = ctx.cipher.encrypt(phone)
            data["new_phone_masked"] = mask_phone(phone)
    except JiuzhuError as exc:
        turn.say("invalid", reason=exc.message)
        return
    await _advance(ctx, turn)


async def _on_choice(ctx: Context, turn: Turn, value: str) -> None:
    data, step = turn.data, turn.snap.step
    if value.startswith("hh:"):
        await _household_chosen(ctx, turn, int(value[3:]))
    elif value.startswith("pg:"):
        data["page"] = int(value[3:])
        await prompt(ctx, turn)
    elif value == ALL.value:
        data["q"], data["page"] = "", 0
        await prompt(ctx, turn)
    elif value == NEW.value:
        for key in ("person_id", "who", "region_id", "village"):
            data.pop(key, None)
        turn.goto(FLOW, "new_name")
        await prompt(ctx, turn)
    elif value.startswith("vl:"):
        await _village_chosen(ctx, turn, int(value[3:]))
    elif value.startswith("ug:"):
        data["urgency"] = value[3:]
        await _advance(ctx, turn)
    elif value == SKIP.value:
        await _advance(ctx, turn)
    elif value == SUBMIT.value:
        await submit(ctx, turn)
    elif step in ITEM_STEPS:
        await intake.item_choice(ctx, turn, value, flow=FLOW, ask=prompt, advance=_advance)


async def _household_chosen(ctx: Context, turn: Turn, person_id: int) -> None:
    actor = await _reporter(ctx, turn)
    if actor is None:
        return
    house = await scope.household(ctx.session, actor=actor, clock=ctx.clock, person_id=person_id)
    if house is None:  # offered earlier, out of scope now: as for any stale button
        turn.say("stale_choice")
        await prompt(ctx, turn)
        return
    turn.data.update(person_id=house.person_id, who=house.name, village=house.village)
    turn.data["region_id"] = house.region_id
    await _advance(ctx, turn)


async def _village_chosen(ctx: Context, turn: Turn, region_id: int) -> None:
    actor = await _reporter(ctx, turn)
    if actor is None:
        return
    village = await scope.village_in_scope(ctx.session, actor=actor, region_id=region_id)
    if village is None:
        turn.say("stale_choice")
        await prompt(ctx, turn)
        return
    turn.data.pop("person_id", None)  # a listed household of the same name was not the one
    turn.data.update(region_id=village.id, village=village.name, who=turn.data.get("new_name"))
    await _advance(ctx, turn)


# --- emergency and submit -------------------------------------------------------------------


async def report_now(ctx: Context, turn: Turn) -> None:
    """立即上报 after the engine found an emergency: file at once once the household is known."""
    turn.data["emergency"] = True
    if _known(turn.data):
        await submit(ctx, turn)
        return
    turn.data["file_now"] = True
    turn.say("report_em_who_first")
    await prompt(ctx, turn)


async def carry_on(ctx: Context, turn: Turn) -> None:
    """继续填写: understand the words that raised the alarm, or ask the current question."""
    if turn.snap.step == "need" and turn.data.get("text"):
        await intake.accept_need(ctx, turn)
    else:
        await prompt(ctx, turn)


async def _region(ctx: Context, turn: Turn, actor: Actor) -> Region | None:
    """The household's region, checked against the worker's scope once more."""
    data = turn.data
    if data.get("person_id"):
        house = await scope.household(
            ctx.session, actor=actor, clock=ctx.clock, person_id=int(data["person_id"])
        )
        if house is None:
            return None
        return await regions_service.get(ctx.session, region_id=house.region_id)
    if data.get("region_id"):
        return await scope.village_in_scope(
            ctx.session, actor=actor, region_id=int(data["region_id"])
        )
    return None


async def submit(ctx: Context, turn: Turn) -> None:
    actor = await _reporter(ctx, turn)
    if actor is None:
        return
    region = await _region(ctx, turn, actor)
    if region is None:
        turn.say("report_out_of_scope")
        turn.reset(**_keep(turn))
        await menu.show_for(ctx, turn)
        return
    try:
        result = await filing.file_report(ctx, turn.data, actor=actor, region=region)
    except JiuzhuError as exc:
        turn.say("report_failed", reason=exc.message)
        return
    await _tell(ctx, turn, result)


async def _tell(ctx: Context, turn: Turn, result: SubmitResult) -> None:
    case = result.case
    township = await regions_service.get(ctx.session, region_id=case.township_id)
    name = township.name if township else ""
    if not result.created:
        turn.say("linked", number=case.number)
    elif case.emergency:
        turn.say("report_emergency_filed", number=case.number, township=name)
    else:
        due = workcal_texts.describe(case.due_at, ctx.clock.now()) if case.due_at else ""
        step = render("report_next_register")
        turn.say("report_submitted", number=case.number, township=name, next_step=step, due=due)
    turn.reset(last_case=case.number)
    await menu.show_for(ctx, turn)
