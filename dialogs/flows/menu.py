"""The menu: what /start shows, the deep-link binding and the help text."""

from __future__ import annotations

from backend.core.errors import JiuzhuError
from backend.identities import bindcodes
from backend.people import service as people_service
from backend.staff import service as staff_service
from dialogs.context import Context, Turn
from dialogs.types import Choice

MENU_ROWS = [
    [Choice("m:self", "menu.self")],
    [Choice("m:delegate", "menu.delegate")],
    [Choice("m:status", "menu.status"), Choice("m:emergency", "menu.emergency")],
    [Choice("m:help", "menu.help")],
]


def show(turn: Turn) -> None:
    turn.ask("menu", MENU_ROWS)


async def bind(ctx: Context, turn: Turn, code: str) -> None:
    identity = await ctx.identity()
    try:
        await bindcodes.redeem(ctx.session, clock=ctx.clock, identity=identity, code=code)
    except JiuzhuError as exc:
        turn.say("bind_failed", reason=exc.message)
        return
    if identity.person_id is not None:
        person = await people_service.get_or_raise(ctx.session, person_id=identity.person_id)
        turn.say("bound_person", name=person.name)
    elif identity.staff_id is not None:
        member = await staff_service.get(ctx.session, staff_id=identity.staff_id)
        turn.say("bound_staff", name=member.name if member else "")
