"""The console in a real browser (Debian's chromium through Playwright; never a downloaded one).

A resident files a case the way the chat does; a township officer signs in, sees it first in the
queue, registers it, helps at once (先行救助), refers another case to a resource, opens the
person page, exports the ledger; the county sees the overdue list (督办). Screenshots go to
$JIUZHU_SCREENSHOTS (e.g. benchmarks/out/console) or the test's tmp dir.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import load_workbook

from backend.classifier import service as classifier_service
from backend.core.clock import FrozenClock
from backend.core.runtime import Runtime
from backend.resources import service as resources_service
from backend.resources.models import ResourceKind
from backend.staff import service as staff_service
from tests.browser import PASSWORD, needs_chromium
from tests.web.kit import new_case
from tests.world import World

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = needs_chromium


async def _prepare(runtime: Runtime, world: World) -> None:
    async with runtime.sessions() as session, session.begin():
        for username in ("township", "county"):
            member = await staff_service.get_by_username_or_raise(session, username=username)
            await staff_service.set_password(session, member=member, password=PASSWORD)
        await resources_service.create(
            session,
            clock=runtime.clock,
            name="牟定县残疾人康复中心",
            kind=ResourceKind.provider,
            items=["care.rehab", "living.meal"],
            region=world.county,
            phone="0878-5211234",
        )


async def _login(page: Page, base: str, username: str) -> None:
    await page.goto(base + "/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(base + "/")


async def test_township_officer_day_in_the_browser(
    runtime: Runtime, world: World, server: str, page: Page, shots: Path, clock: FrozenClock
) -> None:
    await _prepare(runtime, world)
    fall = "我家老人在家摔倒了起不来,一个人住,也没人做饭"
    c = classifier_service.classify(fall)
    urgent = await new_case(
        runtime, world, items=tuple(c.labels), emergency=c.emergency, text=fall, name="王奶奶"
    )
    async with runtime.sessions() as session, session.begin():
        found = await session.get(type(urgent), urgent.id)
        assert found is not None
        found.classification = c.to_dict()
    other = await new_case(runtime, world, items=("living.meal",), text="想要有人送饭", name="赵叔")
    await _login(page, server, "township")
    rows = page.locator("table.grid tbody tr")
    assert await rows.count() == 2
    assert urgent.number in await rows.first.inner_text()  # the emergency comes first
    await page.screenshot(path=str(shots / "1-queue.png"), full_page=True)

    await page.click(f"text={urgent.number}")
    await page.wait_for_selector("text=识别依据")
    await page.screenshot(path=str(shots / "2-case.png"), full_page=True)
    await page.select_option("#move-to", "registered")
    await page.click("text=确认办理")
    await page.wait_for_selector(".flash.ok")
    assert "已受理" in await page.locator(".flash.ok").inner_text()
    await page.select_option("#move-to", "in_service")
    await page.fill("textarea[name=note]", "先行救助:村医已上门,安排送餐")
    await page.click("text=确认办理")
    await page.wait_for_selector(".flash.ok")
    assert "服务中" in await page.locator(".flash.ok").inner_text()
    assert "先行救助补办" in await page.locator("#backfill").inner_text()
    await page.screenshot(path=str(shots / "3-case-in-service.png"), full_page=True)
    await page.fill("#backfill textarea[name=note]", "已入户核实,情况属实")
    await page.click("text=记录补办审核")
    await page.wait_for_selector(".flash.ok")
    assert "已记录补办审核" in await page.locator(".flash.ok").inner_text()
    await page.screenshot(path=str(shots / "3b-backfill-reviewed.png"), full_page=True)

    await page.goto(f"{server}/cases/{other.id}")
    await page.select_option("select[name=resource]", label="牟定县残疾人康复中心(服务机构)")
    await page.fill("textarea[name=reason]", "需要康复服务,转县康复中心")
    await page.click("text=转介 >> nth=-1")
    await page.wait_for_selector(".flash.ok")
    assert "已转介" in await page.content()
    await page.screenshot(path=str(shots / "4-referred.png"), full_page=True)

    await page.click("text=赵叔")
    await page.wait_for_selector("text=走访记录与满意度回访")
    await page.screenshot(path=str(shots / "5-person.png"), full_page=True)

    await page.goto(server + "/ledger")
    await page.screenshot(path=str(shots / "6-ledger.png"))
    async with page.expect_download() as info:
        await page.click("text=下载台账")
    download = await info.value
    data = Path(await download.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert "共和镇" in str(sheet["A1"].value) and sheet["A2"].value == "序号"
    assert sheet.cell(row=5, column=1).value == "合计"

    clock.advance(timedelta(days=20))  # the referred case is done; the other is now overdue
    await page.click("text=退出")
    await _login(page, server, "county")
    await page.goto(server + "/overdue")
    assert urgent.number in await page.content()
    await page.screenshot(path=str(shots / "7-overdue-county.png"), full_page=True)
    await asyncio.sleep(0)
