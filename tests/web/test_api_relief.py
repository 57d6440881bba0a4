"""先行救助补办 and 公示 objections through the JSON API: the same rules as the console's forms,
every refusal a 4xx with a stable code and a message."""

from __future__ import annotations

import httpx

from backend.core.runtime import Runtime
from tests.web.kit import case_in_state, issue
from tests.world import World


async def _headers(runtime: Runtime, world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await issue(runtime, world.actors[who].staff_id or 0)}"}


async def test_backfill_review_then_approval(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    case = await case_in_state(runtime, world, "own", "relief_first")
    township = await _headers(runtime, world, "township")
    county = await _headers(runtime, world, "county")
    url = f"/api/cases/{case.id}/backfill"
    shown = (await client.get(f"/api/cases/{case.id}", headers=township)).json()["backfill"]
    assert shown["may_record"] == "review" and shown["reviewed_at"] is None and shown["due_at"]

    early = await client.post(url, json={"step": "approve"}, headers=county)
    assert early.status_code == 409 and early.json()["error"] == "backfill_review_first"
    refused = await client.post(url, json={"step": "review"}, headers=county)
    assert refused.status_code == 403 and refused.json()["error"] == "backfill_forbidden"

    done = await client.post(url, json={"step": "review", "note": "已核实"}, headers=township)
    assert done.status_code == 200 and done.json()["backfill_reviewed_at"] is not None
    again = await client.post(url, json={"step": "review"}, headers=township)
    assert (again.status_code, again.json()["error"]) == (409, "backfill_reviewed")
    # the township may not approve items the county did not delegate
    assert (await client.post(url, json={"step": "approve"}, headers=township)).status_code == 403

    approved = await client.post(url, json={"step": "approve", "note": "同意"}, headers=county)
    assert approved.status_code == 200 and approved.json()["backfill_approved_at"] is not None
    shown = (await client.get(f"/api/cases/{case.id}", headers=county)).json()["backfill"]
    assert shown["approved_at"] is not None and shown["may_record"] is None
    done_twice = await client.post(url, json={"step": "approve"}, headers=county)
    assert (done_twice.status_code, done_twice.json()["error"]) == (409, "backfill_done")
    bad = await client.post(url, json={"step": "later"}, headers=county)
    assert bad.status_code == 422 and bad.json()["message"]


async def test_objection_recorded_dismissed_then_upheld(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    case = await case_in_state(runtime, world, "own", "publicity")
    h = await _headers(runtime, world, "township")
    base = f"/api/cases/{case.id}/objections"
    shown = (await client.get(f"/api/cases/{case.id}", headers=h)).json()["publicity"]
    assert shown["open_objections"] == 0 and shown["may_handle_objections"] is True
    nothing = await client.post(base + "/resolve", json={"outcome": "dismissed", "note": "x"},
                                headers=h)  # fmt: skip
    assert (nothing.status_code, nothing.json()["error"]) == (409, "no_objection")
    blank = await client.post(base, json={"text": "   "}, headers=h)
    assert (blank.status_code, blank.json()["error"]) == (422, "objection_text")

    first = await client.post(base, json={"text": "邻居反映有收入"}, headers=h)
    assert first.status_code == 200 and first.json()["open_objections"] == 1
    blocked = await client.post(
        f"/api/cases/{case.id}/transitions", json={"to": "approved"}, headers=h
    )
    assert 400 <= blocked.status_code < 500  # approval waits while an objection is open
    dismissed = await client.post(
        base + "/resolve", json={"outcome": "dismissed", "note": "经核实不属实"}, headers=h
    )
    assert dismissed.json()["status"] == "publicity" and dismissed.json()["open_objections"] == 0

    await client.post(base, json={"text": "又有人反映"}, headers=h)
    upheld = await client.post(
        base + "/resolve", json={"outcome": "upheld", "note": "确有收入"}, headers=h
    )
    assert upheld.status_code == 200 and upheld.json()["status"] == "investigating"
    late = await client.post(base, json={"text": "再反映"}, headers=h)
    assert (late.status_code, late.json()["error"]) == (409, "not_in_publicity")


async def test_publicity_list_shows_no_id_or_phone(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    case = await case_in_state(runtime, world, "own", "publicity")
    h = await _headers(runtime, world, "township")
    listed = await client.get(
        "/api/publicity", params={"township_id": world.township.id}, headers=h
    )
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["number"] == case.number and set(row) == {
        "number", "name", "village", "items", "start", "end"
    }  # fmt: skip
    foreign = await client.get(
        "/api/publicity", params={"township_id": world.other_township.id}, headers=h
    )
    missing = await client.get("/api/publicity", params={"township_id": 999999}, headers=h)
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    assert missing.status_code == 404
