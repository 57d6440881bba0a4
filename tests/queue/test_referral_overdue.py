"""Referral deadlines in 督办: a referral unanswered past its deadline lists its case for the
county, owner named, until the department's answer is recorded (API or console)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from backend.cases import assignment, workflow
from backend.cases.models import CaseStatus
from backend.core.clock import FrozenClock
from backend.core.runtime import Runtime
from backend.resources import service as resources_service
from backend.resources.models import ResourceKind
from backend.staff import auth
from tests.web.kit import issue, new_case
from tests.world import World


async def _referred(runtime: Runtime, world: World) -> tuple[int, int]:
    case = await new_case(runtime, world, items=("care.rehab",))
    officer = world.actors["township"]
    async with runtime.sessions() as session, session.begin():
        await workflow.transition(
            session,
            clock=runtime.clock,
            actor=officer,
            case_id=case.id,
            to=CaseStatus.registered,
        )  # fmt: skip  (the registering officer owns the case: 首问负责)
        resource = await resources_service.create(
            session, clock=runtime.clock, name="县残联", kind=ResourceKind.department,
            items=["care.rehab"], region=world.county,
        )  # fmt: skip
        referral = await assignment.refer(
            session, clock=runtime.clock, actor=officer, case_id=case.id,
            resource_id=resource.id, reason="需要辅具", due_workdays=5,
        )  # fmt: skip
    return case.id, referral.id


async def test_unanswered_referral_is_listed_until_answered(
    runtime: Runtime, world: World, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    case_id, referral_id = await _referred(runtime, world)

    async def listed(who: str) -> list[tuple[int, str, str | None, bool]]:
        token = await issue(runtime, world.actors[who].staff_id or 0)
        rows = await client.get("/api/overdue", headers={"Authorization": f"Bearer {token}"})
        return [(r["id"], r["due_step"], r["owner"], r["overdue"]) for r in rows.json()]

    assert await listed("county") == []
    clock.advance(timedelta(days=10))  # past the 5 working days
    owner = world.actors["township"].label
    assert await listed("county") == [(case_id, "referral", owner, True)]
    assert await listed("township") == [(case_id, "referral", owner, True)]
    assert await listed("other_county") == []

    token = await issue(runtime, world.actors["township"].staff_id or 0, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    page = (await client.get(f"/cases/{case_id}")).text
    assert "回复超期" in page and "记录回复" in page
    overdue_page = (await client.get("/overdue")).text
    assert "转介回复" in overdue_page
    url = f"/cases/{case_id}/referrals/{referral_id}/answer"
    empty = await client.post(url, data={"csrf": "csrf-" + token[:10], "answer": " "})
    assert empty.status_code == 422 and "请填写回复内容" in empty.text
    done = await client.post(url, data={"csrf": "csrf-" + token[:10], "answer": "已安排轮椅"})
    assert done.status_code == 303 and "error=" not in done.headers["location"]
    client.cookies.clear()
    assert await listed("county") == []

    h = {"Authorization": f"Bearer {await issue(runtime, world.actors['county'].staff_id or 0)}"}
    shown = (await client.get(f"/api/cases/{case_id}", headers=h)).json()["referrals"]
    assert [(r["id"], r["answer"]) for r in shown] == [(referral_id, "已安排轮椅")]
    again = await client.post(
        f"/api/cases/{case_id}/referrals/{referral_id}/answer", json={"answer": "再答"}, headers=h
    )
    assert (again.status_code, again.json()["error"]) == (409, "referral_answered")
    wrong = await client.post(
        f"/api/cases/{case_id}/referrals/999999/answer", json={"answer": "x"}, headers=h
    )
    assert (wrong.status_code, wrong.json()["error"]) == (404, "referral_not_found")


async def test_a_village_worker_may_not_answer(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    case_id, referral_id = await _referred(runtime, world)
    h = {"Authorization": f"Bearer {await issue(runtime, world.actors['worker'].staff_id or 0)}"}
    refused = await client.post(
        f"/api/cases/{case_id}/referrals/{referral_id}/answer", json={"answer": "x"}, headers=h
    )
    assert (refused.status_code, refused.json()["error"]) == (403, "answer_forbidden")
