"""The API end to end for a township officer: queue, case page, moves, assignment, referral."""

from __future__ import annotations

import httpx

from backend.core.runtime import Runtime
from tests.web.kit import issue, new_case
from tests.world import World


async def test_township_officer_works_a_case(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    case = await new_case(runtime, world, emergency=True, text="老人摔倒了起不来")
    token = await issue(runtime, world.actors["township"].staff_id or 0)
    h = {"Authorization": f"Bearer {token}"}
    queue = await client.get("/api/queue", headers=h)
    assert queue.status_code == 200, queue.text
    assert [i["id"] for i in queue.json()["items"]] == [case.id]
    page = await client.get(f"/api/cases/{case.id}", headers=h)
    assert page.status_code == 200, page.text
    assert {m["to"] for m in page.json()["moves"]} >= {"registered", "referred"}
    moved = await client.post(
        f"/api/cases/{case.id}/transitions", headers=h, json={"to": "registered"}
    )
    assert moved.status_code == 200, moved.text
    worker = world.actors["worker"].staff_id
    assigned = await client.post(
        f"/api/cases/{case.id}/assign", headers=h, json={"assignee_staff_id": worker}
    )
    assert assigned.status_code == 200, assigned.text
    page = (await client.get(f"/api/cases/{case.id}", headers=h)).json()
    assert page["owner"] == "township-staff" and page["assignee"] == "worker-staff"
    assert [e["kind"] for e in page["timeline"]] == ["submitted", "transition", "assigned"]
