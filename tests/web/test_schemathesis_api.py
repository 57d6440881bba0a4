"""Property-based requests over the OpenAPI schema (schemathesis): no answer is ever a 5xx, and
every error is JSON with a reason. Kept short (a few examples per operation); marked slow."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from backend.core.clock import FrozenClock
from backend.core.runtime import Runtime, create_runtime
from backend.core.settings import Settings
from backend.web.app import create_app
from tests.web.kit import issue, new_case
from tests.world import World

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")
EXAMPLES = 12


@pytest.fixture
def live(settings: Settings, clock: FrozenClock) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(create_runtime(settings, clock=clock)),
            host="127.0.0.1",
            port=port,
            log_level="error",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _fuzz(base: str, token: str) -> tuple[list[str], dict[int, int]]:
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    problems: list[str] = []
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=base, headers={"Authorization": f"Bearer {token}"})
            where = f"{case.method} {case.formatted_path}"
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                if "message" not in response.json():
                    problems.append(f"{where}: error without a message")

        check()
    return problems, statuses


@pytest.mark.slow
async def test_no_5xx_over_the_schema(runtime: Runtime, world: World, live: str) -> None:
    for _ in range(3):
        await new_case(runtime, world)
    token = await issue(runtime, world.actors["township"].staff_id or 0)
    problems, statuses = await asyncio.to_thread(_fuzz, live, token)
    assert problems == []
    assert sum(statuses.values()) > 100 and 200 in statuses, statuses
