"""The application flow: need → items → who → where → phone → ID → summary → case.

Steps and their order live here; the texts in `dialogs/texts/intake.py`. Personal data in the
state is encrypted; the chat only ever shows it masked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from backend.cases import items as case_items
from backend.cases.schemas import SubmitResult
from backend.classifier import service as classifier_service
from backend.classifier.schemas import CATEGORY_NAMES
from backend.core.errors import JiuzhuError
from backend.people.idnumbers import mask_id_number, mask_phone, normalise_phone, parse_id_number
from backend.people.service import clean_name
from backend.workcal import texts as workcal_texts
from dialogs import filing, lookups
from dialogs.context import BACK, CANCEL, SKIP, Context, Turn
from dialogs.flows import menu
from dialogs.texts import render
from dialogs.types import Choice, Inbound

FLOW = "intake"
MAX_TEXT = 4096
RELATIONS = ("子女", "配偶", "兄弟姐妹", "其他亲属", "邻居", "村干部")


def start(turn: Turn, *, mode: str) -> None:
    turn.reset(**{k: v for k, v in turn.data.items() if k == "last_case"})
    turn.data["mode"] = mode
    turn.goto(FLOW, "need", push=False)


def _next(step: str, data: dict[str, object], bound: bool) -> str:
    delegate = data.get("mode") == "delegate"
    order = ["need", "items"]
    order += ["relation", "ben_name", "ben_phone", "consent"] if delegate else []
    order += [] if delegate or bound else ["name"]
    order += ["county", "township", "village", "phone", "id", "summary"]
    return order[order.index(step) + 1]


async def advance(ctx: Context, turn: Turn) -> None:
    # Only the step after "items" depends on the chat being bound (a bound person gives no name).
    bound = turn.snap.step == "items" and (await ctx.identity()).person_id is not None
    turn.goto(FLOW, _next(turn.snap.step, turn.data, bound))
    await prompt(ctx, turn)


# --- questions ------------------------------------------------------------------------------


def _nav(first: bool = False) -> list[Choice]:
    return [CANCEL] if first else [BACK, CANCEL]


async def _regions(ctx: Context, turn: Turn, key: str, parent_id: int | None) -> None:
    children = await lookups.children(ctx.session, parent_id)
    rows = [[Choice(f"rg:{r.id}", "plain", {"label": r.name})] for r in children]
    if turn.snap.step == "village":
        rows.append([Choice("rg:none", "village_unknown")])
    if not children and turn.snap.step != "village":
        turn.say("no_regions", hotlines=ctx.hotlines or "12349")
    turn.ask(key, [*rows, _nav()], ask_location=turn.snap.step == "county")


async def prompt(ctx: Context, turn: Turn) -> None:
    """Ask the question of the current step (also used to resume and after a stale button)."""
    data, step = turn.data, turn.snap.step
    if step == "need":
        key = "ask_need_delegate" if data.get("mode") == "delegate" else "ask_need"
        turn.ask(key, [_nav(first=True)])
    elif step == "items":
        turn.ask(
            "understood",
            [[Choice("ok", "yes_right")], [Choice("pick", "pick_other")], _nav()],
            items=case_items.describe(data.get("items", [])),
        )
    elif step == "pick":
        rows = [
            [Choice(f"cat:{c}", "plain", {"label": CATEGORY_NAMES.get(c, c)})]
            for c in classifier_service.labels_by_category()
        ]
        if data.get("items"):
            rows.append([Choice("done", "done_picking")])
        chosen = case_items.describe(data.get("items", [])) or "无"
        turn.ask("pick_category", [*rows, _nav()], items=chosen)
    elif step == "pick_item":
        picked = set(data.get("items", []))
        infos = classifier_service.labels_by_category().get(str(data.get("cat")), [])
        rows = [
            [Choice(f"it:{i.id}", "item", {"label": i.name, "mark": "✓" if i.id in picked else ""})]
            for i in infos
        ]
        turn.ask("pick_item", [*rows, [Choice("done", "done_picking")], _nav()])
    elif step == "relation":
        rows = [[Choice(f"rel:{r}", "plain", {"label": r}) for r in RELATIONS[i : i + 3]]
                for i in (0, 3)]  # fmt: skip
        turn.ask("ask_relation", [*rows, _nav()])
    elif step in ("ben_name", "name"):
        turn.ask("ask_ben_name" if step == "ben_name" else "ask_name", [_nav()])
    elif step == "ben_phone":
        turn.ask("ask_ben_phone", [[SKIP], _nav()])
    elif step == "consent":
        rows = [[Choice("consent:yes", "consent_yes"), Choice("consent:no", "consent_no")]]
        turn.ask("ask_consent", [*rows, _nav()])
    elif step == "county":
        await _regions(ctx, turn, "ask_county", None)
    elif step in ("township", "village"):
        parent_key = "county_id" if step == "township" else "township_id"
        await _regions(ctx, turn, f"ask_{step}", int(data[parent_key]))
    elif step == "phone":
        turn.ask("ask_phone", [_nav()], ask_contact=True)
    elif step == "id":
        turn.ask("ask_id", [[SKIP], _nav()])
    elif step == "summary":
        await _summary(ctx, turn)


async def _summary(ctx: Context, turn: Turn) -> None:
    data = turn.data
    if data.get("mode") == "delegate":
        who = ("who_delegate", {"name": data.get("ben_name"), "relation": data.get("relation")})
    else:
        who = ("who_self", {"name": data.get("name") or ctx.display_name})
    place = "".join(str(data.get(k) or "") for k in ("county", "township", "village"))
    turn.ask(
        "summary",
        [[Choice("submit", "submit")], _nav()],
        items=case_items.describe(data.get("items", [])),
        who=render(*who),
        place=place,
        phone=data.get("phone_masked") or render("none"),
        id_masked=data.get("id_masked") or render("none"),
    )


# --- answers --------------------------------------------------------------------------------


async def accept_need(ctx: Context, turn: Turn) -> None:
    """Classify the need; confirm what was understood, or let the user pick."""
    result = ctx.classify(turn.data.get("text", ""))
    turn.data["classification"] = result.to_dict()
    turn.data["items"] = [i for i in result.labels if i in case_items.names()]
    again = turn.snap.step in ("items", "pick", "pick_item")  # more words: no new back step
    flow = turn.snap.flow  # the worker's report (`dialogs.flows.report`) asks the same way
    if turn.data["items"]:
        turn.goto(flow, "items", push=not again)
    else:
        turn.say("not_understood")
        turn.goto(flow, "pick", push=not again)
    await prompt(ctx, turn)


async def _need(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    if inbound.kind == "photo":
        turn.data.setdefault("photos", []).append(inbound.file_id)
        if not inbound.text:
            turn.say("photo_kept")
            return
    if inbound.kind in ("text", "photo") and inbound.text.strip():
        turn.data["text"] = inbound.text.strip()
        await accept_need(ctx, turn)
        return
    await _wrong_kind(ctx, turn)


Step = Callable[[Context, Turn], Awaitable[None]]


async def item_choice(
    ctx: Context, turn: Turn, value: str, *, flow: str, ask: Step, advance: Step
) -> bool:
    """The item buttons (对 / 我自己选 / a category / an item, which toggles / 选好了) of any flow
    that confirms the classifier's items; False when `value` is not one of them."""
    data, step = turn.data, turn.snap.step
    if step == "items" and value == "ok":
        await advance(ctx, turn)
    elif value == "pick" or (step == "pick_item" and value == "done"):
        turn.goto(flow, "pick", push=step != "pick_item")
        if step == "pick_item" and turn.snap.state.get("back"):
            turn.snap.state["back"].pop()  # back from the categories skips the item list
        await ask(ctx, turn)
    elif value.startswith("cat:"):
        data["cat"] = value[4:]
        turn.goto(flow, "pick_item")
        await ask(ctx, turn)
    elif value.startswith("it:"):
        data["items"] = sorted(set(data.get("items", [])) ^ {value[3:]})
        await ask(ctx, turn)
    elif step == "pick" and value == "done":
        turn.snap.step = "items"  # continue as if the classifier had found these
        await advance(ctx, turn)
    else:
        return False
    return True


async def _choice_steps(ctx: Context, turn: Turn, value: str) -> None:
    data = turn.data
    if await item_choice(ctx, turn, value, flow=FLOW, ask=prompt, advance=advance):
        return
    if value.startswith("rel:"):
        data["relation"] = value[4:]
        await advance(ctx, turn)
    elif value == "consent:yes":
        data["consent"] = True
        await advance(ctx, turn)
    elif value == "consent:no":
        turn.say("consent_needed")
        await prompt(ctx, turn)
    elif value.startswith("rg:"):
        await _region_chosen(ctx, turn, value[3:])
    elif value == "skip":
        await advance(ctx, turn)
    elif value == "submit":
        await submit(ctx, turn)


async def _region_chosen(ctx: Context, turn: Turn, raw: str) -> None:
    step, data = turn.snap.step, turn.data
    region = None if raw == "none" else await lookups.place(ctx.session, int(raw))
    data[f"{step}_id"] = region.id if region else None
    data[step] = region.name if region else ""
    if step == "township" and data.get("emergency_pending"):
        from dialogs.flows import emergency  # the emergency path reuses the region buttons

        await emergency.report(ctx, turn)
        return
    await advance(ctx, turn)


async def _text_steps(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    data, step, text = turn.data, turn.snap.step, inbound.text.strip()
    try:
        if step == "relation":
            data["relation"] = clean_name(text)[:20]
        elif step in ("ben_name", "name"):
            data[step] = clean_name(text)
        elif step in ("ben_phone", "phone"):
            phone = normalise_phone(inbound.phone or text)
            prefix = "ben_phone" if step == "ben_phone" else "phone"
            data[f"{prefix}_enc"] = ctx.cipher.encrypt(phone)
            data[f"{prefix}_masked"] = mask_phone(phone)
        elif step == "id":
            ident = parse_id_number(text)
            data["id_enc"] = ctx.cipher.encrypt(ident.value)
            data["id_masked"] = ident.masked
            turn.say("id_noted", masked=mask_id_number(ident.value))
        else:
            await _wrong_kind(ctx, turn)
            return
    except JiuzhuError as exc:
        turn.say("invalid", reason=exc.message)
        return
    await advance(ctx, turn)


async def _place_of(ctx: Context, turn: Turn, inbound: Inbound) -> bool:
    """A location shared at the county question names the nearest village when villages have
    coordinates (dialogs/lookups.py); the user is told and goes on to the phone step."""
    found = await lookups.nearest_village(ctx.session, lat=inbound.latitude or 0.0,
                                          lon=inbound.longitude or 0.0)  # fmt: skip
    if found is None:
        return False
    for step, place in zip(("county", "township", "village"), found, strict=True):
        turn.data[f"{step}_id"], turn.data[step] = place.id, place.name
    turn.goto(FLOW, "township")
    turn.goto(FLOW, "village")  # 返回 from the phone step shows the villages
    turn.say("location_village", place="".join(p.name for p in found))
    await advance(ctx, turn)
    return True


async def _wrong_kind(ctx: Context, turn: Turn) -> None:
    turn.say("only_text")
    await prompt(ctx, turn)


async def on_input(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    step = turn.snap.step
    if inbound.kind == "choice":
        await _choice_steps(ctx, turn, inbound.value)
    elif step == "need":
        await _need(ctx, turn, inbound)
    elif inbound.kind == "voice":
        turn.data.setdefault("voices", []).append(inbound.file_id)
        turn.say("voice_kept")
    elif inbound.kind == "photo":
        turn.data.setdefault("photos", []).append(inbound.file_id)
        turn.say("photo_kept") if step in ("items", "pick") else await prompt(ctx, turn)
    elif inbound.kind == "location" and inbound.latitude is not None:
        turn.data["location"] = [inbound.latitude, inbound.longitude]
        if step == "county" and await _place_of(ctx, turn, inbound):
            return
        turn.say("location_kept")
        await prompt(ctx, turn)
    elif inbound.kind == "contact" and step in ("phone", "ben_phone"):
        await _text_steps(ctx, turn, inbound)
    elif inbound.kind == "text" and step in ("items", "pick", "pick_item"):
        turn.data["text"] = f"{turn.data.get('text', '')}\n{inbound.text.strip()}".strip()
        await accept_need(ctx, turn)  # more words about the need: understand them again
    elif inbound.kind == "text":
        await _text_steps(ctx, turn, inbound)
    else:
        await _wrong_kind(ctx, turn)


async def submit(ctx: Context, turn: Turn) -> None:
    region = await filing.known_region(ctx, turn.data)
    if region is None:  # cannot happen after the region steps; be safe
        turn.goto(FLOW, "county")
        await prompt(ctx, turn)
        return
    result = await filing.file(ctx, turn.data, region=region)
    await tell_result(ctx, turn, result, emergency=False)


async def tell_result(ctx: Context, turn: Turn, result: SubmitResult, *, emergency: bool) -> None:
    case = result.case
    township = await lookups.place(ctx.session, case.township_id)
    name = township.name if township else ""
    if not result.created:
        turn.say("linked", number=case.number)
    elif emergency:
        turn.say("emergency_filed", number=case.number, township=name)
    else:
        due = workcal_texts.describe(case.due_at, ctx.clock.now()) if case.due_at else ""
        step_key = "next_emergency" if case.emergency else "next_register"
        turn.say(
            "submitted", number=case.number, township=name, next_step=render(step_key), due=due
        )
    turn.reset(last_case=case.number)
    await menu.show_for(ctx, turn)
