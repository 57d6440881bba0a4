"""The per-request sign-in check stays cheap and correct: one query rebuilds the actor, the idle
clock is written at most once a minute, and the queue's hand-built JSON matches its schema."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from backend.core.clock import FrozenClock, as_utc
from backend.core.runtime import Runtime
from backend.staff import auth
from backend.web.api.schemas import QueueItem, QueuePage
from tests.web.kit import issue, new_case
from tests.world import World


async def _last_seen(runtime: Runtime, token: str) -> object:
    async with runtime.sessions() as session:
        seen = await session.scalar(
            select(auth.StaffSession.last_seen_at).where(
                auth.StaffSession.token_hash == auth.token_hash(token)
            )
        )
    assert seen is not None
    return as_utc(seen)


async def test_last_seen_is_written_at_most_once_a_minute(
    runtime: Runtime, world: World, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await issue(runtime, world.actors["township"].staff_id or 0)
    h = {"Authorization": f"Bearer {token}"}
    first = await _last_seen(runtime, token)
    clock.advance(timedelta(seconds=59))
    assert (await client.get("/api/auth/me", headers=h)).status_code == 200
    assert await _last_seen(runtime, token) == first  # a read within the minute writes nothing
    clock.advance(timedelta(seconds=2))
    assert (await client.get("/api/auth/me", headers=h)).status_code == 200
    assert await _last_seen(runtime, token) == clock.now()
    clock.advance(auth.IDLE_TIMEOUT[auth.API] + timedelta(seconds=1))
    assert (await client.get("/api/auth/me", headers=h)).status_code == 401


async def test_revoked_and_wrong_kind_sessions_are_refused(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    console = await issue(runtime, world.actors["township"].staff_id or 0, kind=auth.CONSOLE)
    h = {"Authorization": f"Bearer {console}"}
    assert (await client.get("/api/auth/me", headers=h)).status_code == 401
    token = await issue(runtime, world.actors["township"].staff_id or 0)
    async with runtime.sessions() as session, session.begin():
        await auth.logout(session, clock=runtime.clock, token=token)
    h = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/queue", headers=h)).status_code == 401


async def test_queue_json_validates_against_its_schema(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    await new_case(runtime, world, items=("living.meal", "living.bath"), emergency=True)
    token = await issue(runtime, world.actors["township"].staff_id or 0)
    answer = await client.get("/api/queue", headers={"Authorization": f"Bearer {token}"})
    page = QueuePage.model_validate(answer.json())
    assert [i.items for i in page.items] == [["living.bath", "living.meal"]]
    assert page.items[0].item_names == "助浴、助餐" and page.items[0].due_text
    again = QueueItem.model_validate(page.items[0].model_dump(mode="json"))
    assert again.model_dump(mode="json") == answer.json()["items"][0]
