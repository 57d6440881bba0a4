"""The console warns while the working-day calendar lacks the current or the coming year."""

from __future__ import annotations

from datetime import date, datetime

import httpx

from backend.core.clock import FrozenClock
from backend.core.runtime import Runtime
from backend.staff import auth
from backend.workcal import service as workcal
from tests.conftest import SHANGHAI
from tests.web.kit import issue
from tests.world import World


async def test_missing_year_warning_on_every_console_page(
    runtime: Runtime, world: World, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await issue(runtime, world.actors["township"].staff_id or 0, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    async with runtime.sessions() as session:
        missing = await workcal.missing_years(session, today=date(2026, 3, 2))
    page = await client.get("/")
    assert page.status_code == 200
    assert ("缺少" in page.text) == bool(missing)

    # Move to a year the holiday package cannot know: the warning names it.
    clock.set(datetime(2040, 6, 1, 9, 0, tzinfo=SHANGHAI))
    token = await issue(runtime, world.actors["township"].staff_id or 0, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    page = await client.get("/")
    assert page.status_code == 200 and "缺少2040、2041年的节假日" in page.text

    # An admin enters the years (one override each is enough to count as entered).
    async with runtime.sessions() as session, session.begin():
        for year in (2040, 2041):
            await workcal.set_override(
                session, day=date(year, 1, 1), is_workday=False, note="元旦", now=clock.now()
            )
    page = await client.get("/")
    assert "缺少" not in page.text
