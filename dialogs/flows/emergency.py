"""The emergency path: hotlines at once, and 立即上报 files a case with whatever is known.

Reached from any step (the classifier marks a free text as an emergency) or from the menu. When
no township is known yet, one or two taps on region buttons come first, then the case is filed
and the township officers with a bound chat are alerted through the outbox.
"""

from __future__ import annotations

from backend.regions import service as regions_service
from backend.regions.models import RegionLevel
from dialogs import filing
from dialogs.context import Context, Turn
from dialogs.flows import intake, menu
from dialogs.texts import render
from dialogs.types import Choice

REPORT = Choice("em:report", "report_now")
CONTINUE = Choice("em:continue", "continue")


def alert(ctx: Context, turn: Turn, text: str | None) -> None:
    """Hotlines and the one-tap report; the buttons of the current step stay valid."""
    data = turn.data
    data["emergency"] = True
    if text and text not in data.setdefault("emergency_texts", []):
        data["emergency_texts"].append(text)
    county = render("emergency_county", {"numbers": ctx.hotlines}) if ctx.hotlines else ""
    turn.ask("emergency", [[REPORT], [CONTINUE]], keep=True, county=county)


async def report(ctx: Context, turn: Turn) -> None:
    data = turn.data
    data["emergency"] = True
    region = await filing.known_region(ctx, data)
    if region is None or region.level == RegionLevel.county:
        data["emergency_pending"] = True
        counties = await regions_service.list_children(ctx.session, region=None)
        if not data.get("county_id") and len(counties) == 1:
            data["county_id"], data["county"] = counties[0].id, counties[0].name
        turn.say("emergency_where")
        turn.goto(intake.FLOW, "township" if data.get("county_id") else "county")
        await intake.prompt(ctx, turn)
        return
    result = await filing.file(ctx, data, region=region)
    await intake.tell_result(ctx, turn, result, emergency=True)


async def carry_on(ctx: Context, turn: Turn) -> None:
    """'继续填写': back to the step the user was on."""
    if turn.snap.flow != intake.FLOW:
        await menu.show_for(ctx, turn)
    elif turn.snap.step == "need" and turn.data.get("text"):
        await intake.accept_need(ctx, turn)
    else:
        await intake.prompt(ctx, turn)
