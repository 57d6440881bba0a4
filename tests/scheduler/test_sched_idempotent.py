"""Every sweep is a function of (data, now): running it twice changes nothing, and a crash in
the middle of a sweep rolls its transaction back, so the rerun writes each row exactly once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backend.core.runtime import Runtime
from backend.outbox import delivery
from backend.visits import sweeps as visit_sweeps
from scheduler.registry import BY_ID
from scheduler.runner import Runner
from tests.scheduler.schedworld import at, build_villages, scheduler_rows, tick
from tests.world import World


def snapshot(rows: list[Any]) -> list[tuple[str, str, Any]]:
    return sorted((r.idempotency_key, r.template_key, r.params) for r in rows)


async def test_every_sweep_twice_changes_nothing(runtime: Runtime, world: World) -> None:
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    await build_villages(runtime, world)
    for when in (at(date(2026, 3, 1)), at(date(2026, 3, 13)), at(date(2026, 3, 16))):
        first = await tick(runtime, when)
        before = snapshot(await scheduler_rows(runtime))
        again = await tick(runtime, when)
        assert snapshot(await scheduler_rows(runtime)) == before
        assert all(v == 0 for k, v in again["visits"].items() if k.startswith("visit_")), again
        assert first["visits"]["visit_digest"] in (0, 3)
    keys = [k for k, _, _ in before]
    # digests of a and b (3 + 3), nudges of a (nobody visited: 3), missed of a (2 townships)
    assert len(keys) == len(set(keys)) == 3 + 3 + 3 + 2


async def test_a_crash_mid_sweep_rolls_back_and_the_rerun_duplicates_nothing(
    runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    await build_villages(runtime, world)
    await tick(runtime, at(date(2026, 3, 1)))  # plans and digests of period a
    real = delivery.enqueue_many
    calls = {"n": 0}

    async def crash_on_second_write(*args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        written = await real(*args, **kwargs)
        if calls["n"] == 1:  # nudges written, escalation not yet: the process dies here
            raise RuntimeError("killed in the middle of the sweep")
        return written

    monkeypatch.setattr(visit_sweeps.delivery, "enqueue_many", crash_on_second_write)
    before = snapshot(await scheduler_rows(runtime))
    result = await Runner(runtime).run_job(BY_ID["visits"], now=at(date(2026, 3, 13)))
    assert not result.ok
    assert snapshot(await scheduler_rows(runtime)) == before  # nothing of the failed run stayed
    monkeypatch.setattr(visit_sweeps.delivery, "enqueue_many", real)
    await tick(runtime, at(date(2026, 3, 13)))
    await tick(runtime, at(date(2026, 3, 16)))
    rows = await scheduler_rows(runtime)
    keys = [r.idempotency_key for r in rows]
    assert len(keys) == len(set(keys)) == 3 + 3 + 2 + 3  # digests a, nudges, missed, digests b
