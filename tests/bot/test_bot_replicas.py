"""Several bot replicas: the per-user throttle counts in Redis for all of them (in memory without
Redis, or while Redis is down), and a conversation kept in one replica's memory is never trusted
over what another replica saved."""

from __future__ import annotations

import itertools
import uuid

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import update

from backend.conversations.models import Conversation
from backend.core.runtime import Runtime
from bot.app import create_services
from bot.handling import run_dialog
from bot.throttle import RedisThrottle, Throttle
from dialogs.types import Inbound
from tests.world import World

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
async def redis_client() -> Redis:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        await client.ping()
    except (RedisError, OSError):
        await client.aclose()
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


async def test_throttle_is_shared_by_replicas_through_redis(redis_client: Redis) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    clock = [1000.0]
    a, b = (
        RedisThrottle(redis_client, limit=3, window=10, prefix=prefix, now=lambda: clock[0])
        for _ in range(2)
    )
    # 3 updates per window in all: the fourth is refused with one warning, whichever replica
    verdicts = [await r.check(42) for r in (a, b, a, b, a, b)]
    assert verdicts == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert await b.check(43) == "ok"  # another user has their own count
    keys = [k async for k in redis_client.scan_iter(f"{prefix}*")]
    ttls = [await redis_client.ttl(k) for k in keys]
    assert len(keys) == 2 and all(0 < t <= 11 for t in ttls)  # every count expires
    clock[0] += 10  # the next window
    assert await a.check(42) == "ok"
    await a.close()


async def test_redis_url_selects_the_shared_throttle(runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"redis_url": REDIS_URL})
    services = create_services(runtime)
    assert isinstance(services.throttle, RedisThrottle)
    await services.throttle.close()
    runtime.settings = runtime.settings.model_copy(update={"redis_url": None})
    assert isinstance(create_services(runtime).throttle, Throttle)


async def test_unreachable_redis_falls_back_to_memory() -> None:
    throttle = RedisThrottle.from_url("redis://127.0.0.1:9/0", limit=2, window=10)
    assert [await throttle.check(7) for _ in range(4)] == ["ok", "ok", "warn", "drop"]
    await throttle.close()


async def test_a_replica_never_trusts_its_memory_over_the_database(
    runtime: Runtime, world: World
) -> None:
    services = create_services(runtime, throttle=Throttle())
    ids = itertools.count(1)

    async def say(inbound: Inbound) -> list[str]:
        replies = await run_dialog(
            services, update_id=next(ids), user_id=77, inbound=inbound, display_name="王"
        )
        return [r.key for r in replies or []]

    await say(Inbound("command", command="start"))
    assert "ask_need" in await say(Inbound("choice", value="m:self"))
    # another replica cancels the application meanwhile (a newer version in the database)
    await _elsewhere(runtime, flow="menu", step="start", offered=[])
    # this replica's memory still says "intake, need": /start would resume it
    keys = await say(Inbound("command", command="start"))
    assert "resumed" not in keys and keys == ["menu"]
    # another replica starts an application; this one still remembers the menu, whose
    # 帮家人申请 button its stale save would accept — refused and redone from the database
    await _elsewhere(runtime, flow="intake", step="need", offered=["cancel"])
    keys = await say(Inbound("choice", value="m:delegate"))
    assert keys[0] == "stale_choice" and "ask_need" in keys


async def _elsewhere(runtime: Runtime, **values: object) -> None:
    offered = values.pop("offered")
    async with runtime.sessions() as session, session.begin():
        await session.execute(
            update(Conversation)
            .where(Conversation.external_id == "77")
            .values(
                **values,
                state={"data": {"mode": "self"}, "offered": offered, "back": []},
                version=Conversation.version + 1,
            )
        )
