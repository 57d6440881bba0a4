"""Property-based requests over the OpenAPI schema (schemathesis): no answer is ever a 5xx, and
every error is JSON with a reason. Kept short (a few examples per operation); marked slow."""

from __future__ import annotations

import asyncio

import pytest

from backend.core.runtime import Runtime
from tests.web.kit import issue, new_case
from tests.world import World

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")
EXAMPLES = 12


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
async def test_no_5xx_over_the_schema(runtime: Runtime, world: World, server: str) -> None:
    for _ in range(3):
        await new_case(runtime, world)
    token = await issue(runtime, world.actors["township"].staff_id or 0)
    problems, statuses = await asyncio.to_thread(_fuzz, server, token)
    assert problems == []
    assert sum(statuses.values()) > 100 and 200 in statuses, statuses
