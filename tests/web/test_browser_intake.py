"""代录 in a real browser (Debian's chromium through Playwright, 1366×768): a township officer
signs in, records a phone application (来电), sees the classifier's suggestion with its words,
corrects it, forgets the consent (the problem shows beside the field, nothing typed is lost),
submits and prints the 受理回执 — one A5 page. Screenshots go to $JIUZHU_SCREENSHOTS or the
test's tmp dir (fixtures in tests/browser.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from backend.cases.models import Case, Channel
from backend.core.runtime import Runtime
from backend.regions.models import Region
from backend.staff import service as staff_service
from tests.browser import PASSWORD, needs_chromium
from tests.world import VALID_IDS, World

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = needs_chromium
NEED = "我母亲八十多岁,腿脚不便,一个人在家没人做饭,想请人送餐"


async def _prepare(runtime: Runtime, world: World) -> None:
    async with runtime.sessions() as session, session.begin():
        member = await staff_service.get_by_username_or_raise(session, username="township")
        await staff_service.set_password(session, member=member, password=PASSWORD)
        await session.execute(
            update(Region)
            .where(Region.id == world.township.id)
            .values(extra={"phone": "0878-5212345"})
        )


async def test_clerk_enters_a_phone_application_and_prints_the_receipt(
    runtime: Runtime,
    world: World,
    server: str,
    page: Page,
    shots: Path,
) -> None:
    await _prepare(runtime, world)
    await page.goto(server + "/login")
    await page.fill("input[name=username]", "township")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(server + "/")
    await page.click("nav >> text=代录申请")
    await page.wait_for_selector("h1:has-text('代录申请')")
    assert not await page.locator("#hotline-fields").is_visible()  # only for 热线工单

    await page.check("input[name=channel][value=phone]")
    await page.fill("#q", "王秀英")  # the roster first: she is not on it
    await page.press("#q", "Enter")
    await page.wait_for_selector("text=名册中没有找到")
    assert await page.locator("input[name=channel][value=phone]").is_checked()
    await page.fill("input[name=name]", "王秀英")
    await page.fill("input[name=id_number]", VALID_IDS[1])
    await page.select_option("#region", label="北屯村")
    await page.fill("input[name=phone]", "13912345678")
    await page.fill("textarea[name=text]", NEED)
    await page.click("#classify-btn")
    await page.wait_for_selector(".flash.ok")
    assert "请核对" in await page.locator(".flash.ok").inner_text()
    meal = page.locator("input[name=items][value='living.meal']")
    assert await meal.is_checked()
    suggested = await page.locator(".opt.suggested").all_inner_texts()
    assert any("助餐" in s and "没人做饭" in s for s in suggested), suggested
    assert await page.locator("input[name=name]").input_value() == "王秀英"  # kept
    await page.screenshot(path=str(shots / "intake-1-suggested.png"), full_page=True)

    # the clerk corrects the suggestion: 助行 too (腿脚不便), then forgets the consent
    await page.check("input[name=items][value='living.mobility']")
    await page.click("#submit-btn")
    await page.wait_for_selector("#err-consent")
    assert "同意" in await page.locator("#err-consent").inner_text()
    assert await page.locator("input[name=items][value='living.mobility']").is_checked()
    assert await page.locator("textarea[name=text]").input_value() == NEED
    await page.screenshot(path=str(shots / "intake-2-problem.png"), full_page=True)

    await page.select_option("select[name=consent]", "verbal_phone")
    await page.click("#submit-btn")
    await page.wait_for_url("**/receipt?*")
    async with runtime.sessions() as session:
        [case] = (await session.execute(select(Case))).scalars().all()
    assert case.channel == Channel.phone
    assert "living.meal" in case.item_ids and "living.mobility" in case.item_ids
    sheet = await page.locator("main.sheet").inner_text()
    assert case.number in sheet and "助餐" in sheet and "助行" in sheet
    assert "0878-5212345" in sheet and "下班前" in sheet
    assert VALID_IDS[1] not in await page.content()
    await page.screenshot(path=str(shots / "intake-3-receipt.png"), full_page=True)

    await page.evaluate("window.print = () => { window.__printed = true; }")
    await page.click("text=打印回执")
    assert await page.evaluate("window.__printed === true")
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": 560, "height": 794})  # A5 at 96 dpi
    await page.screenshot(path=str(shots / "intake-4-receipt-print-a5.png"), full_page=True)
    assert not await page.locator(".bar").is_visible()  # the screen bar is not printed
    pdf = await page.pdf(prefer_css_page_size=True)
    (shots / "intake-receipt.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one sheet
    assert re.search(rb"/MediaBox\s*\[0 0 42\d(\.\d+)? 59\d", pdf)  # A5: 420 x 595 pt

    # 继续代录: a hotline work order for 李大爷, who is on the roster
    await page.emulate_media(media="screen")
    await page.set_viewport_size({"width": 1366, "height": 768})
    await page.click("text=继续代录")
    await page.check("input[name=channel][value=hotline]")
    assert await page.locator("#hotline-fields").is_visible()
    await page.fill("#q", "李大")
    await page.click("#search-btn")
    await page.wait_for_selector("ul.hits")
    assert await page.locator("#hotline-fields").is_visible()  # the channel survived the search
    await page.check(f"input[name=person_id][value='{world.resident.id}']")
    assert await page.locator("#region").input_value() == str(world.village.id)
    assert not await page.locator("input[name=name]").is_visible()  # no new person to type
    assert "5323**********001X" in await page.locator("ul.hits").inner_text()
    await page.screenshot(path=str(shots / "intake-5-hotline-roster.png"), full_page=True)
