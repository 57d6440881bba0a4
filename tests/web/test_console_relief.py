"""The console's 补办, 公示 and full-ID actions, end to end through the real app: what a clerk
sees on the case page, what each form records, the printable list, and the 督办 list."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.cases.models import Case, CaseStatus
from backend.core.clock import FrozenClock
from backend.core.runtime import Runtime
from backend.staff import auth
from tests.web.kit import case_in_state, issue
from tests.world import VALID_IDS, World


async def _console(runtime: Runtime, client: httpx.AsyncClient, world: World, who: str) -> str:
    token = await issue(runtime, world.actors[who].staff_id or 0, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    return "csrf-" + token[:10]


async def _case(runtime: Runtime, case_id: int) -> Case:
    async with runtime.sessions() as session:
        found = await session.get(Case, case_id)
        assert found is not None
        return found


async def test_backfill_review_then_approval_from_the_case_page(
    runtime: Runtime, world: World, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    case = await case_in_state(runtime, world, "own", "relief_first")
    csrf = await _console(runtime, client, world, "township")
    page = (await client.get(f"/cases/{case.id}")).text
    assert "先行救助补办" in page and "补办期限" in page and "记录补办审核" in page
    assert "补办超期" not in page

    clock.advance(timedelta(days=20))  # the paperwork is late: flagged on the page and in 督办
    csrf = await _console(runtime, client, world, "township")
    page = (await client.get(f"/cases/{case.id}")).text
    assert "补办超期" in page and "已超期" in page
    done = await client.post(f"/cases/{case.id}/backfill", data={"csrf": csrf, "step": "review"})
    assert done.status_code == 303 and "error" not in done.headers["location"]
    assert (await _case(runtime, case.id)).backfill_reviewed_at is not None
    page = (await client.get(f"/cases/{case.id}")).text
    assert "记录补办审批" not in page  # the township may not approve these items

    csrf = await _console(runtime, client, world, "county")
    assert "记录补办审批" in (await client.get(f"/cases/{case.id}")).text
    form = {"csrf": csrf, "step": "approve", "note": "同意"}
    assert (await client.post(f"/cases/{case.id}/backfill", data=form)).status_code == 303
    approved = await _case(runtime, case.id)
    assert approved.backfill_approved_at is not None and not approved.backfill_pending
    page = (await client.get(f"/cases/{case.id}")).text
    assert "已完成" in page and "补办超期" not in page and "补办审批" in page
    again = await client.post(f"/cases/{case.id}/backfill", data=form)
    assert again.status_code == 409 and "补办手续已经完成" in again.text


async def test_overdue_backfill_stays_in_the_county_overdue_list(
    runtime: Runtime, world: World, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    case = await case_in_state(runtime, world, "own", "relief_first")
    csrf = await _console(runtime, client, world, "township")
    form = {"csrf": csrf, "to": "withdrawn", "note": "家属接回"}
    assert (await client.post(f"/cases/{case.id}/move", data=form)).status_code == 303
    assert (await _case(runtime, case.id)).status == CaseStatus.withdrawn
    token = await issue(runtime, world.actors["county"].staff_id or 0)
    h = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/overdue", headers=h)).json() == []
    clock.advance(timedelta(days=20))
    h = {"Authorization": f"Bearer {await issue(runtime, world.actors['county'].staff_id or 0)}"}
    listed = (await client.get("/api/overdue", headers=h)).json()
    assert [(i["id"], i["due_step"], i["overdue"]) for i in listed] == [(case.id, "backfill", True)]
    await _console(runtime, client, world, "county")
    assert case.number in (await client.get("/overdue")).text
    other = await issue(runtime, world.actors["other_county"].staff_id or 0)
    answer = await client.get("/api/overdue", headers={"Authorization": f"Bearer {other}"})
    assert answer.json() == []


async def test_objection_recorded_dismissed_and_upheld(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    case = await case_in_state(runtime, world, "own", "publicity")
    csrf = await _console(runtime, client, world, "township")
    page = (await client.get(f"/cases/{case.id}")).text
    assert "公示期" in page and "登记异议" in page and "打印本镇公示名单" in page
    empty = await client.post(f"/cases/{case.id}/objections", data={"csrf": csrf, "text": " "})
    assert empty.status_code == 422
    for text in ("邻居反映其子女有稳定收入", "匿名电话"):
        form = {"csrf": csrf, "text": text}
        assert (await client.post(f"/cases/{case.id}/objections", data=form)).status_code == 303
    page = (await client.get(f"/cases/{case.id}")).text
    assert "2条异议待处理" in page and "处理异议" in page
    no_note = {"csrf": csrf, "outcome": "dismissed", "note": ""}
    assert (
        await client.post(f"/cases/{case.id}/objections/resolve", data=no_note)
    ).status_code == 422
    form = {"csrf": csrf, "outcome": "dismissed", "note": "经核实不属实"}
    assert (await client.post(f"/cases/{case.id}/objections/resolve", data=form)).status_code == 303
    assert (await _case(runtime, case.id)).open_objections == 1
    form = {"csrf": csrf, "outcome": "upheld", "note": "核实属实,重新调查收入"}
    answer = await client.post(f"/cases/{case.id}/objections/resolve", data=form)
    assert answer.status_code == 303 and "%E9%80%80%E5%9B%9E" in answer.headers["location"]
    back = await _case(runtime, case.id)
    assert back.status == CaseStatus.investigating and back.open_objections == 0
    page = (await client.get(f"/cases/{case.id}")).text
    assert "异议不成立" in page and "异议成立" in page


async def test_printable_publicity_list_shows_only_what_may_be_published(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    case = await case_in_state(runtime, world, "own", "publicity")
    await case_in_state(runtime, world, "sibling", "publicity")
    await _console(runtime, client, world, "township")
    page = (await client.get("/publicity")).text  # one township: chosen at once
    assert case.number in page and "北屯村" in page and "助餐" in page and "打印" in page
    found = await _case(runtime, case.id)
    assert f"{found.publicity_start} 至 {found.publicity_end}" in page
    assert "****" not in page and "138" not in page and "身份证" not in page
    assert "新桥镇" not in page
    css = (await client.get("/static/app.css")).text
    assert "@media print" in css
    await _console(runtime, client, world, "county")
    picker = (await client.get("/publicity")).text
    assert "请选择乡镇" in picker and case.number not in picker


async def test_full_id_number_shown_once_with_a_reason_and_audited(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    person = world.resident.id
    csrf = await _console(runtime, client, world, "township")
    page = (await client.get(f"/people/{person}")).text
    assert VALID_IDS[0] not in page and "查看完整号码" in page
    no_reason = await client.post(f"/people/{person}/id-number", data={"csrf": csrf, "reason": ""})
    assert no_reason.status_code == 422 and VALID_IDS[0] not in no_reason.text
    form = {"csrf": csrf, "reason": "办理医保报销核对身份"}
    shown = await client.post(f"/people/{person}/id-number", data=form)
    assert shown.status_code == 200 and VALID_IDS[0] in shown.text
    assert shown.headers["cache-control"] == "no-store"
    assert VALID_IDS[0] not in (await client.get(f"/people/{person}")).text  # masked again
    async with runtime.sessions() as session:
        entries = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.reason, AuditEntry.entity_id).where(
                    AuditEntry.action == "view_full_id"
                )
            )
        ).all()
    assert [tuple(e) for e in entries] == [("view_full_id", "办理医保报销核对身份", str(person))]

    csrf = await _console(runtime, client, world, "worker")
    assert "查看完整号码" not in (await client.get(f"/people/{person}")).text
    refused = await client.post(f"/people/{person}/id-number", data={**form, "csrf": csrf})
    assert refused.status_code == 403 and VALID_IDS[0] not in refused.text
