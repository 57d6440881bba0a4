"""The web chat in a real phone-sized browser (Debian's chromium through Playwright, 360×640):
a resident applies with a photo, the township officer finds the case in the console queue; the
page passes axe-core's checks and an elderly user's (text ≥ 18 px, buttons ≥ 44 px, no sideways
scrolling, one question per screen); it also works with JavaScript off.

Screenshots go to $JIUZHU_SCREENSHOTS (e.g. tests/webchat/screenshots, gitignored) or the
test's tmp dir.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.cases import queue
from backend.cases.models import Channel
from backend.core.runtime import Runtime
from backend.identities import bindcodes
from backend.staff import service as staff_service
from tests.browser import PASSWORD, needs_chromium
from tests.webchat.test_webchat_http import cases, png
from tests.world import World

try:
    import axe_core_python
except ImportError:  # pragma: no cover - the dev extra installs it
    axe_core_python = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

pytestmark = needs_chromium
PHONE = {"width": 360, "height": 640}
AXE_RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


async def _phone(browser: Browser, *, javascript: bool = True) -> Page:
    context = await browser.new_context(
        viewport=PHONE, locale="zh-CN", has_touch=True, java_script_enabled=javascript
    )
    return await context.new_page()


async def _elderly_checks(page: Page) -> None:
    """What an elderly user would stumble on, measured in the rendered page."""
    sizes = await page.eval_on_selector_all(
        "main p, main label, main button, main input:not([type=hidden]), main textarea, main a",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert sizes and min(sizes) >= 18, sizes
    for button in await page.locator("button").all():
        box = await button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"sideways scrolling: {width}px"
    forms_with_text = await page.locator("form input[name=text], form textarea").count()
    assert forms_with_text <= 1  # one question, one place to answer


async def _axe(page: Page) -> list[dict[str, Any]]:
    assert axe_core_python is not None, "pip install axe-core-python (dev extra)"
    script = Path(axe_core_python.__file__).parent / "axe.min.js"
    await page.add_script_tag(path=str(script))
    result = await page.evaluate("rules => axe.run(document, rules)", AXE_RULES)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def _tap(page: Page, label: str) -> None:
    await page.get_by_role("button", name=label, exact=True).click()
    await page.wait_for_load_state("domcontentloaded")


async def _type(page: Page, text: str) -> None:
    await page.locator("#text").fill(text)
    await _tap(page, "发送")


async def test_resident_applies_on_a_phone_and_the_township_sees_it(
    runtime: Runtime, world: World, server: str, browser: Browser, shots: Path, tmp_path: Path
) -> None:
    page = await _phone(browser)
    await page.goto(server + "/chat")
    await _elderly_checks(page)
    await page.screenshot(path=str(shots / "chat-1-menu.png"), full_page=True)
    await _tap(page, "申请帮助(为自己)")
    await _elderly_checks(page)
    await page.screenshot(path=str(shots / "chat-2-need.png"), full_page=True)
    photo = tmp_path / "house.png"
    photo.write_bytes(png(40))
    await page.set_input_files("#photo", str(photo))
    await _tap(page, "上传照片")
    assert "照片收到了" in await page.inner_text("main")
    await _type(page, "家里老人做不了饭,想要有人送饭")
    assert "助餐" in await page.inner_text("main")
    await page.screenshot(path=str(shots / "chat-3-understood.png"), full_page=True)
    await _tap(page, "对,就是这些")
    await _type(page, "王秀英")
    await _tap(page, "牟定县")
    await _tap(page, "共和镇")
    await _elderly_checks(page)
    await page.screenshot(path=str(shots / "chat-4-village.png"), full_page=True)
    await _tap(page, "北屯村")
    assert await page.locator("input[type=tel]").count() == 1  # the phone keypad
    await page.screenshot(path=str(shots / "chat-5-phone.png"), full_page=True)
    await _type(page, "13912345678")
    await _tap(page, "跳过")
    await _elderly_checks(page)
    await page.screenshot(path=str(shots / "chat-6-summary.png"), full_page=True)
    await _tap(page, "提交")
    (case,) = await cases(runtime)
    assert case.number in await page.inner_text("main")
    await page.screenshot(path=str(shots / "chat-7-submitted.png"), full_page=True)
    await page.reload()  # a reload after the redirect changes nothing
    assert len(await cases(runtime)) == 1

    async with runtime.sessions() as session, session.begin():
        member = await staff_service.get_by_username_or_raise(session, username="township")
        await staff_service.set_password(session, member=member, password=PASSWORD)
    console = await (await browser.new_context(locale="zh-CN")).new_page()
    await console.goto(server + "/")
    await console.fill("input[name=username]", "township")
    await console.fill("input[name=password]", PASSWORD)
    await console.click("button[type=submit]")
    await console.wait_for_url(server + "/")
    assert case.number in await console.locator("table.grid tbody").inner_text()
    await console.click(f"text={case.number}")
    await console.wait_for_selector("text=识别依据")
    assert ".png" in await console.inner_text("main") and "网上申请" in await console.inner_text(
        "main"
    )
    await console.screenshot(path=str(shots / "chat-8-console-case.png"), full_page=True)


async def test_the_chat_page_has_no_serious_accessibility_findings(
    world: World, server: str, browser: Browser, shots: Path
) -> None:
    page = await _phone(browser)
    await page.goto(server + "/chat")
    assert await _axe(page) == []
    await _tap(page, "申请帮助(为自己)")  # text box and photo upload
    assert await _axe(page) == []
    await _type(page, "你好")  # not understood: the category buttons
    assert await _axe(page) == []
    await page.goto(server + "/chat/status")
    await _elderly_checks(page)
    assert await _axe(page) == []
    await page.fill("#number", "532323-2026-00001")
    await page.fill("#phone4", "1234")
    await _tap(page, "查询")
    assert "没有查到" in await page.inner_text("main")
    assert await _axe(page) == []
    await page.screenshot(path=str(shots / "chat-9-lookup.png"), full_page=True)


async def test_the_chat_works_with_javascript_off(
    runtime: Runtime, world: World, server: str, browser: Browser
) -> None:
    page = await _phone(browser, javascript=False)
    await page.goto(server + "/chat")
    await _tap(page, "帮家人或邻居申请")
    await _type(page, "我爸一个人住,需要有人帮忙打扫卫生和洗澡")
    await _tap(page, "对,就是这些")
    assert "什么人" in await page.inner_text("main")
    await _tap(page, "返回")  # the dialog's own back button
    assert "对,就是这些" in await page.inner_text("main")
    await page.go_back()  # the browser's back button: the page is reloaded, not a stale copy
    assert await page.locator("button").count() > 0


async def test_a_village_worker_binds_and_reports_a_household_on_a_phone(
    runtime: Runtime, world: World, server: str, browser: Browser, shots: Path
) -> None:
    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(
            session, clock=runtime.clock, staff_id=world.actors["worker"].staff_id
        )
    page = await _phone(browser)
    await page.goto(f"{server}/chat?start={code}")
    await _elderly_checks(page)
    assert await _axe(page) == []
    await page.screenshot(path=str(shots / "worker-1-bind.png"), full_page=True)
    await _tap(page, "确认绑定")
    assert "绑定成功" in await page.inner_text("main")
    await _elderly_checks(page)
    await page.screenshot(path=str(shots / "worker-2-menu.png"), full_page=True)
    await _tap(page, "上报困难户")
    await _elderly_checks(page)
    assert await _axe(page) == []
    await page.screenshot(path=str(shots / "worker-3-household.png"), full_page=True)
    assert "查找" in await page.inner_text("main")  # the box says that typing searches
    await page.locator("#text").fill("李")
    await _tap(page, "查找")
    assert "找到1户" in await page.inner_text("main")
    await _tap(page, "李大爷(北屯村)")
    await _elderly_checks(page)
    await page.screenshot(path=str(shots / "worker-4-need.png"), full_page=True)
    await _type(page, "老人一个人在家,做不了饭,想要有人送饭")
    await _tap(page, "对,就是这些")
    await _tap(page, "一般")
    await _elderly_checks(page)
    await page.screenshot(path=str(shots / "worker-5-photo.png"), full_page=True)
    await _tap(page, "跳过")  # no photo
    await _tap(page, "跳过")  # no location
    await _elderly_checks(page)
    await page.screenshot(path=str(shots / "worker-6-summary.png"), full_page=True)
    await _tap(page, "提交")
    (case,) = await cases(runtime)
    assert case.number in await page.inner_text("main")
    await page.screenshot(path=str(shots / "worker-7-submitted.png"), full_page=True)
    assert case.channel == Channel.village_report and case.village_id == world.village.id
    async with runtime.sessions() as session:
        rows = await queue.list_queue(
            session, actor=world.actors["township"], now=runtime.clock.now()
        )
    assert [(r.number, r.channel, r.beneficiary_name) for r in rows] == [
        (case.number, "村级上报", "李大爷")
    ]
