"""Progress by case number and phone's last four digits: yours, not yours and nonexistent answer
alike, and guessing is cut off per device and per address."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from backend.core.runtime import Runtime
from backend.web.chat import lookup
from tests.webchat.kit import Resident
from tests.webchat.test_webchat_http import cases, to_summary
from tests.world import World


def _answer(html: str) -> str:
    found = re.findall(r'<p class="(?:msg|notice)"[^>]*>(.*?)</p>', html, re.S)
    return "\n".join(found)


async def _filed(resident: Resident, runtime: Runtime) -> str:
    await to_summary(resident)
    await resident.tap("提交")
    (case,) = await cases(runtime)
    return case.number


async def _ask(http: httpx.AsyncClient, number: str, last4: str) -> httpx.Response:
    return await http.post("/chat/status", data={"number": number, "phone4": last4})


async def test_lookup_answers_only_the_owner_of_the_phone(
    resident: Resident, world: World, runtime: Runtime, app: FastAPI
) -> None:
    number = await _filed(resident, runtime)
    form = await resident.http.get("/chat/status")
    assert form.status_code == 200 and "电话后四位" in form.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://test") as other:  # fmt: skip
        mine = await _ask(other, f" {number.lower()} ", "5678")  # another phone, typed loosely
        assert mine.status_code == 200
        assert number in _answer(mine.text) and "已提交" in _answer(mine.text)
        assert "助餐" in _answer(mine.text)
        wrong = await _ask(other, number, "1234")
        missing = await _ask(other, "532323-2026-99999", "5678")
        assert wrong.status_code == missing.status_code == 200
        assert _answer(wrong.text) == _answer(missing.text) and "没有查到" in _answer(wrong.text)
        assert number not in wrong.text and "王秀英" not in wrong.text
        bad = await _ask(other, number, "12ab")
        assert bad.status_code == 422 and "后四位数字" in _answer(bad.text)


async def test_guessing_is_limited_per_device_and_per_address(world: World, app: FastAPI) -> None:
    def browser(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://test")

    async with browser("198.51.100.1") as one:
        await one.get("/chat/status")  # the device cookie
        codes = [(await _ask(one, "532323-2026-00001", f"{i:04d}")).status_code
                 for i in range(lookup.PER_DEVICE + 2)]  # fmt: skip
        assert codes[: lookup.PER_DEVICE] == [200] * lookup.PER_DEVICE
        assert codes[lookup.PER_DEVICE :] == [429, 429]
        limited = await _ask(one, "532323-2026-00001", "0000")
        assert "查询次数太多了" in _answer(limited.text)
    # Without a cookie each guess is a new device: the address still counts them all.
    statuses = []
    for i in range(lookup.PER_ADDRESS + 2):
        async with browser("198.51.100.2") as fresh:
            statuses.append((await _ask(fresh, "532323-2026-00001", f"{i:04d}")).status_code)
    assert statuses.count(200) == lookup.PER_ADDRESS and statuses[-2:] == [429, 429]
    async with browser("198.51.100.3") as elsewhere:  # another address is not affected
        assert (await _ask(elsewhere, "532323-2026-00001", "0000")).status_code == 200
