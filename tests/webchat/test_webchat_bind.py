"""Binding in the web chat (`/chat?start=CODE`): the link shows 确认绑定 and binds nothing until
it is pressed (WeChat fetches every link for its preview); the press runs the dialog's deep-link
start under the page's step token, so a replay changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from typer.testing import CliRunner

from backend.cases import queue
from backend.cases.models import ApplicantKind, Channel
from backend.core.runtime import Runtime
from backend.identities import bindcodes
from backend.identities.models import BindCode, ChatIdentity
from jiuzhu.cli import app
from tests.webchat.kit import Resident, Screen, read
from tests.webchat.test_webchat_http import cases
from tests.world import World


async def _code(runtime: Runtime, world: World, who: str = "worker") -> str:
    async with runtime.sessions() as session, session.begin():
        if who == "resident":
            return await bindcodes.issue(session, clock=runtime.clock, person_id=world.resident.id)
        staff_id = world.actors[who].staff_id
        return await bindcodes.issue(session, clock=runtime.clock, staff_id=staff_id)


async def _bound(runtime: Runtime) -> list[tuple[int | None, int | None]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(ChatIdentity.staff_id, ChatIdentity.person_id).where(
                ChatIdentity.channel == "web_chat"
            )
        )
        return [(s, p) for s, p in rows.all() if s is not None or p is not None]


async def _confirm(r: Resident, page: Screen, code: str) -> Screen:
    """Press 确认绑定 on the bind screen `page` (a post with its token) and follow the redirect."""
    response = await r.http.post("/chat", data={"token": page.token, "step": "bind", "start": code})
    assert response.status_code == 303
    r.screen = read(await r.http.get(response.headers["location"]))
    return r.screen


async def test_a_worker_binds_and_reports_a_household(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    code = await _code(runtime, world)
    link = await resident.http.get(f"/chat?start={code}")
    page = read(link)
    assert link.status_code == 200 and "确认绑定" in link.text and "绑定链接" in page.text
    assert await _bound(runtime) == []  # the GET (a link preview) binds nothing
    screen = await _confirm(resident, page, code)
    assert "绑定成功:工作人员 worker-staff" in screen.text
    assert "上报困难户" in screen.buttons
    assert await _bound(runtime) == [(world.actors["worker"].staff_id, None)]

    screen = await resident.tap("上报困难户")
    assert "上报哪一户" in screen.text and "李大爷(北屯村)" in screen.buttons
    assert "text" in screen.inputs  # typing a few characters searches
    screen = await resident.tap("李大爷(北屯村)")
    assert "需要什么帮助" in screen.text and {"text", "photo"} <= set(screen.inputs)
    screen = await resident.say("老人一个人在家,做不了饭,想要有人送饭")
    assert "助餐" in screen.text and screen.inputs == []
    assert "急不急" in (await resident.tap("对,就是这些")).text
    screen = await resident.tap("一般")
    assert "照片" in screen.text and screen.inputs == ["photo"]
    screen = await resident.tap("跳过")
    assert "位置" in screen.text and screen.inputs == []
    screen = await resident.tap("跳过")
    assert "请核对" in screen.text and "李大爷(北屯村)" in screen.text
    screen = await resident.tap("提交")
    (case,) = await cases(runtime)
    assert case.number in screen.text and "共和镇" in screen.text
    assert "上报困难户" in screen.buttons  # back at the worker's menu
    assert case.channel == Channel.village_report and case.applicant_kind == ApplicantKind.worker
    assert case.beneficiary_id == world.resident.id and case.village_id == world.village.id
    async with runtime.sessions() as session:
        rows = await queue.list_queue(
            session, actor=world.actors["township"], now=runtime.clock.now()
        )
    assert [(r.number, r.channel) for r in rows] == [(case.number, "村级上报")]


async def test_a_replayed_confirm_and_a_used_code_change_nothing(
    resident: Resident, world: World, runtime: Runtime, app: FastAPI
) -> None:
    code = await _code(runtime, world, "resident")
    page = read(await resident.http.get(f"/chat?start={code}"))
    assert "绑定成功:李大爷" in (await _confirm(resident, page, code)).text
    again = await _confirm(resident, page, code)  # the same page posted twice: a replay
    assert "绑定成功:李大爷" in again.text and "无效" not in again.text
    assert await _bound(runtime) == [(None, world.resident.id)]
    assert "上报困难户" not in again.buttons  # a resident never reports

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as other:
        stranger = Resident(other)
        page = read(await other.get(f"/chat?start={code}"))
        screen = await _confirm(stranger, page, code)  # another phone, the code already used
    assert "绑定码无效或已过期,请向工作人员重新索取" in screen.text
    assert "申请帮助(为自己)" in screen.buttons and "上报困难户" not in screen.buttons
    assert await _bound(runtime) == [(None, world.resident.id)]


async def test_a_forged_code_gets_a_polite_answer(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    page = read(await resident.http.get("/chat?start=not-a-real-code-x"))
    screen = await _confirm(resident, page, "not-a-real-code-x")
    assert "绑定码无效或已过期,请向工作人员重新索取" in screen.text
    assert "申请帮助(为自己)" in screen.buttons
    assert await _bound(runtime) == []
    bad = await resident.http.get("/chat?start=%3Cscript%3E")
    assert bad.status_code == 400 and "确认绑定" not in bad.text and "<script>" not in bad.text
    assert "链接不完整" in read(bad).text


async def test_opening_the_link_alone_binds_nothing(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    code = await _code(runtime, world)
    for _ in range(3):  # WeChat's preview, a crawler, the worker looking twice
        response = await resident.http.get(f"/chat?start={code}")
        assert response.status_code == 200 and "确认绑定" in response.text
    assert await _bound(runtime) == []
    async with runtime.sessions() as session:
        used = await session.scalar(
            select(func.count()).select_from(BindCode).where(BindCode.used_at.is_not(None))
        )
    assert used == 0
    menu = await resident.open()
    assert "上报困难户" not in menu.buttons


def test_bind_code_prints_the_web_chat_link(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "seed"], env=env).exit_code == 0
    url = "https://jiuzhu.example.cn/chat/"
    result = runner.invoke(app, ["bind-code", "--staff", "gonghe", "--chat-url", url], env=env)
    assert result.exit_code == 0, result.output
    code = re.search(r"绑定码 \(code\): ([A-Za-z0-9_-]{16})", result.output)
    assert code and f"https://jiuzhu.example.cn/chat?start={code[1]}" in result.output
    plain = runner.invoke(app, ["bind-code", "--staff", "gonghe"], env=env)
    assert re.search(r"网页链接 \(web chat\): /chat\?start=[A-Za-z0-9_-]{16}\n", plain.output)
