"""The console's duty pages: visit compliance per worker and village for this and the last
period with the unvisited households, and survey results with the low answers — each in the
user's own area only."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from backend.cases.models import CaseStatus
from backend.core.runtime import Runtime
from backend.staff import auth
from backend.surveys import service as surveys_service
from backend.surveys import sweeps as survey_sweeps
from backend.surveys.models import Survey
from tests.cases.helpers import case_in
from tests.scheduler.schedworld import at, bind_chat, build_villages, tick, visit
from tests.web.kit import issue
from tests.world import World


def table(html: str, name: str) -> list[list[str]]:
    """The body rows of the table marked `data-table="name"`, as cell texts."""
    start = html.index(f'data-table="{name}"')
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in rows]  # fmt: skip


async def _page(
    runtime: Runtime, client: httpx.AsyncClient, staff_id: int | None, path: str
) -> httpx.Response:
    client.cookies.set("jiuzhu_session", await issue(runtime, staff_id or 0, kind=auth.CONSOLE))
    return await client.get(path)


@pytest.fixture
async def visited(runtime: Runtime, world: World) -> None:
    """40 households in 共和镇 (北屯村 w1, 天台村 w2), 10 in 新桥镇 (石桥村 w3); 20 March."""
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    v = await build_villages(runtime, world)
    await tick(runtime, at(date(2026, 3, 1)))
    await tick(runtime, at(date(2026, 3, 16)))
    runtime.clock.set(at(date(2026, 3, 20)))  # type: ignore[attr-defined]
    await visit(runtime, v.workers["w1"], v.people["w1"][:1], date(2026, 3, 10))
    await visit(runtime, v.workers["w1"], v.people["w1"][:3], date(2026, 3, 18))
    await visit(runtime, v.workers["w3"], v.people["w3"][:1], date(2026, 3, 19))


async def test_visits_page_for_a_township_and_its_sibling(
    runtime: Runtime, world: World, client: httpx.AsyncClient, visited: None
) -> None:
    page = await _page(runtime, client, world.actors["township"].staff_id, "/visits")
    assert page.status_code == 200
    html = page.text
    assert 'href="/visits" class="on"' in html and "2026年3月下半月(本期)" in html
    assert table(html, "villages-2026-03b") == [
        ["北屯村", "20", "3", "15%"],
        ["天台村", "20", "0", "0%"],
    ]
    assert table(html, "workers-2026-03b") == [
        ["w2-staff", "20", "0", "0%"],
        ["worker-staff", "20", "3", "15%"],
    ]
    assert sorted(table(html, "villages-2026-03a")) == [
        ["北屯村", "20", "1", "5%"],
        ["天台村", "20", "0", "0%"],
    ]
    missing = table(html, "unvisited-2026-03b")
    assert len(missing) == 37 and ["北屯03", "北屯村", "worker-staff"] in missing
    assert not any(row[0] in ("北屯00", "北屯01", "北屯02") for row in missing)
    assert "石桥" not in html and "w3-staff" not in html

    page = await _page(runtime, client, world.actors["sibling_township"].staff_id, "/visits")
    html = page.text
    assert table(html, "villages-2026-03b") == [["石桥村", "10", "1", "10%"]]
    assert len(table(html, "unvisited-2026-03b")) == 9
    assert "北屯" not in html and "天台" not in html and "worker-staff" not in html

    page = await _page(runtime, client, world.actors["provider"].staff_id, "/visits")
    assert page.status_code == 403 and "北屯" not in page.text


async def test_surveys_page_for_a_township_and_its_sibling(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    await bind_chat(runtime, person_id=world.resident.id, chat="5552")
    await case_in(runtime, world, CaseStatus.in_service)
    async with runtime.sessions() as session, session.begin():
        await survey_sweeps.sweep_surveys(session, now=runtime.clock.now())
        survey_id = (await session.execute(select(Survey.id))).scalar_one()
        answered = await surveys_service.answer(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=world.actors["resident"],
            survey_id=survey_id,
            word="很不满意",
            comment="饭菜总是凉的",
        )
        assert answered.followup_case_id is not None
    page = await _page(runtime, client, world.actors["township"].staff_id, "/surveys")
    assert page.status_code == 200
    html = page.text
    assert table(html, "township") == [["共和镇", "1", "1.0", "1"]]
    assert table(html, "item") == [["助餐", "1", "1.0", "1"]]
    (low,) = table(html, "low")
    assert low[:4] == ["李大爷", "共和镇", "很不满意", "饭菜总是凉的"] and low[5].startswith("5323")

    page = await _page(runtime, client, world.actors["sibling_township"].staff_id, "/surveys")
    html = page.text
    assert page.status_code == 200 and "李大爷" not in html and "共和镇" not in html
    assert table(html, "township") == [["还没有回答"]] and table(html, "low")[0][0].startswith(
        "没有"
    )
