"""The menu: what /start shows, the deep-link binding and the help text.

A chat bound to a staff member who may report households (a village worker or a township
officer, see `dialogs.flows.report`) also gets 上报困难户; residents never see it.
"""

from __future__ import annotations

from backend.core.errors import JiuzhuError
from backend.identities import bindcodes
from backend.people import service as people_service
from backend.staff import service as staff_service
from backend.staff.actor import Actor
from backend.staff.models import Role
from dialogs.context import Context, Turn
from dialogs.types import Choice

# Who may report a household (主动发现) from a chat; the case service checks the same roles.
REPORTER_ROLES = frozenset({Role.village_worker, Role.township_officer})
REPORT_ROW = [Choice("m:report", "menu.report")]
MENU_ROWS = [
    [Choice("m:self", "menu.self")],
    [Choice("m:delegate", "menu.delegate")],
    [Choice("m:status", "menu.status"), Choice("m:emergency", "menu.emergency")],
    [Choice("m:help", "menu.help")],
]


async def reporter(ctx: Context) -> Actor | None:
    """The staff actor of this chat when it may report households, else None."""
    identity = await ctx.identity()
    if identity.staff_id is None:
        return None
    actor = await staff_service.actor_for(ctx.session, staff_id=identity.staff_id)
    return actor if actor.has_role(REPORTER_ROLES) else None


def show(turn: Turn, *, report: bool = False) -> None:
    """The menu; `report` adds 上报困难户 (see `show_for`)."""
    turn.ask("menu", [REPORT_ROW, *MENU_ROWS] if report else MENU_ROWS)


async def show_for(ctx: Context, turn: Turn) -> None:
    """The menu of this chat: with 上报困难户 for a staff member who may report."""
    show(turn, report=await reporter(ctx) is not None)


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
