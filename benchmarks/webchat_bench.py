"""Web chat throughput and latency over real HTTP: one uvicorn worker in its own process, the
load from this process (aiohttp clients, one cookie jar per user), on SQLite (WAL) and
PostgreSQL. The client shares the machine's cores with the server.

Scenarios, in the same run and against the same server:
  bare    GET /bench/bare: FastAPI returns a constant (the ceiling)
  floor   POST /bench/floor: one committed database write (a `processed_updates` row), with the
          same SQLite writer queue the chat uses
  step    POST /chat: a web chat step — the form post through the dialog engine to the database
          (step token recorded, the conversation saved with the screen in it — after a device's
          first step it comes from the process cache, not a SELECT; the last step files the
          case). Whole applications of 10 steps: 申请帮助 → need text → 对 → name → county →
          township → village → phone → 跳过 → 提交. The redirect is not followed (the browser's
          GET after it is a separate request: `page`).
  page    GET /chat for a device in the middle of an application (the conversation's version
          and the device's unread news: two small reads)
`c=50 sat`: 50 users in a closed loop (each sends the next request the moment the previous one
is answered) — saturation. `paced`: 50 users at a human pace, arriving spread over 20 s, each
step 1.5–2.5 s (seeded random) after the previous one was due (open loop: a late answer does not
delay the schedule, and the latency counts from the moment the step was due).

  .venv/bin/python benchmarks/webchat_bench.py --runs 3 \
      --pg postgresql://postgres@127.0.0.1:5432/bench_webchat
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from fastapi import APIRouter
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import backend.models  # noqa: F401, E402
from backend.conversations import service as conversations  # noqa: E402
from backend.core import migrations  # noqa: E402
from backend.core.db import create_engine  # noqa: E402
from backend.core.runtime import Runtime, create_runtime  # noqa: E402
from backend.core.settings import Settings  # noqa: E402
from backend.regions import service as regions_service  # noqa: E402

SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"
USERS = 50
PACE = (1.5, 2.5)
Step = tuple[str, str, dict[str, str]]  # method, path, form


def bench_router(runtime: Runtime) -> APIRouter:
    router = APIRouter()
    lock = asyncio.Lock()

    @router.get("/bench/bare")
    async def bare() -> dict[str, str]:
        return {"ok": "1"}

    @router.post("/bench/floor")
    async def floor() -> dict[str, str]:
        queue = lock if runtime.settings.is_sqlite else contextlib.nullcontext()
        async with queue, runtime.sessions() as session, session.begin():
            await conversations.mark_processed(
                session, clock=runtime.clock, channel="bench", update_id=secrets.token_hex(16)
            )
        return {"ok": "1"}

    return router


def serve(url: str, var_dir: str, port: int) -> None:
    import uvicorn

    from backend.web.app import create_app

    settings = Settings(database_url=url, secret_key=SECRET, var_dir=Path(var_dir))
    runtime = create_runtime(settings)
    app = create_app(runtime, routers=[bench_router(runtime)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def prepare(url: str) -> list[int]:
    settings = Settings(database_url=url, secret_key=SECRET)
    if not settings.is_sqlite:
        base, name = url.rsplit("/", 1)
        admin = create_engine(
            Settings(database_url=f"{base}/postgres", secret_key=SECRET),
            isolation_level="AUTOCOMMIT",
        )
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
    runtime = create_runtime(settings)
    await migrations.upgrade(runtime.engine)
    async with runtime.sessions() as session, session.begin():
        county = await regions_service.create(session, code="532323000000", name="牟定县")
        town = await regions_service.create(session, code="532323100000", name="共和镇")
        village = await regions_service.create(session, code="532323100201", name="北屯村")
    await runtime.close()
    return [county.id, town.id, village.id]


def application(user: int, n: int, regions: list[int]) -> list[Step]:
    def post(step: str, **form: str) -> Step:
        return ("POST", "/chat", {"token": secrets.token_hex(8), "step": step, **form})

    county, town, village = regions
    return [
        post("menu:start", choice="m:self"),
        post("intake:need", text="家里老人做不了饭,想要有人送饭"),
        post("intake:items", choice="ok"),
        post("intake:name", text="王秀英"),
        post("intake:county", choice=f"rg:{county}"),
        post("intake:township", choice=f"rg:{town}"),
        post("intake:village", choice=f"rg:{village}"),
        post("intake:phone", text=f"139{user:04d}{n:04d}"),
        post("intake:id", choice="skip"),
        post("intake:summary", choice="submit"),
    ]


@contextlib.asynccontextmanager
async def users(base: str, count: int) -> AsyncIterator[list[aiohttp.ClientSession]]:
    sessions = [
        aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(count)
    ]
    try:
        for s in sessions:  # the device cookie
            async with s.get("/chat") as response:
                await response.read()
        yield sessions
    finally:
        for s in sessions:
            await s.close()


async def measure(
    sessions: list[aiohttp.ClientSession],
    scripts: list[list[Step]],
    pace: tuple[float, float] | None = None,
) -> tuple[float, float, float, int]:
    """Each user's steps in order, the users concurrently; (rate, p50 ms, p99 ms, n)."""
    latencies: list[float] = []
    rng = random.Random(11)
    pauses = [[rng.uniform(*pace) if pace else 0.0 for _ in s] for s in scripts]
    if pace:  # people arrive spread over one application's time, not all in the same second
        for waits in pauses:
            waits[0] = rng.uniform(0, sum(pace) / 2 * len(waits))
    errors = 0

    async def run(http: aiohttp.ClientSession, script: list[Step], waits: list[float]) -> None:
        nonlocal errors
        due = time.perf_counter()
        for (method, path, form), wait in zip(script, waits, strict=True):
            due = due + wait if wait else time.perf_counter()
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            async with http.request(method, path, data=form or None,
                                    allow_redirects=False) as response:  # fmt: skip
                await response.read()
                errors += response.status not in (200, 303)
            latencies.append(time.perf_counter() - due)

    start = time.perf_counter()
    await asyncio.gather(*(run(h, s, w) for h, s, w in zip(sessions, scripts, pauses, strict=True)))
    elapsed = time.perf_counter() - start
    if errors:
        print(f"  ! {errors} responses were not 200/303", file=sys.stderr)
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return len(latencies) / elapsed, p(0.5), p(0.99), len(latencies)


async def one_run(url: str, rounds: int) -> dict[str, tuple[float, float, float, int]]:
    regions = await prepare(url)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", url, "--var", tempfile.mkdtemp(), "--port", str(port),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    results: dict[str, tuple[float, float, float, int]] = {}
    try:
        for _ in range(200):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            await asyncio.sleep(0.1)
        async with users(base, 1) as (warm,):  # load the classifier, warm the caches
            await measure([warm], [application(9999, 0, regions)])
        async with users(base, USERS) as crowd:
            results["bare c=50 sat"] = await measure(
                crowd, [[("GET", "/bench/bare", {})] * 100 for _ in crowd]
            )
            results["floor c=50 sat"] = await measure(
                crowd, [[("POST", "/bench/floor", {})] * 20 for _ in crowd]
            )
            steps = [[x for n in range(rounds) for x in application(u, n, regions)]
                     for u in range(USERS)]  # fmt: skip
            results["step c=50 sat"] = await measure(crowd, steps)
            results["page c=50 sat"] = await measure(
                crowd, [[("GET", "/chat", {})] * 10 for _ in crowd]
            )
        async with users(base, 1) as (alone,):
            one = [x for n in range(3) for x in application(60, n, regions)]
            results["step c=1"] = await measure([alone], [one])
        async with users(base, USERS) as crowd:
            paced = [application(100 + u, 0, regions) for u in range(USERS)]
            results["step paced"] = await measure(crowd, paced, PACE)
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 10)
    return results


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="", help="PostgreSQL URL (the database is recreated!)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="applications per user, saturated")
    args = parser.parse_args()
    targets = [("SQLite (WAL)", "")] + ([("PostgreSQL", args.pg)] if args.pg else [])
    for label, pg in targets:
        runs = []
        for _ in range(args.runs):
            url = pg or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
            runs.append(await one_run(url, args.rounds))
        print(f"\n{label}: medians of {args.runs} runs")
        print(f"{'scenario':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'n':>8}")
        for name in runs[0]:
            rate, p50, p99, n = (statistics.median(r[name][i] for r in runs) for i in range(4))
            print(f"{name:<16}{rate:>10,.0f}{p50:>10.1f}{p99:>10.1f}{n:>8.0f}")
        floor = statistics.median(r["floor c=50 sat"][0] for r in runs)
        step = statistics.median(r["step c=50 sat"][0] for r in runs)
        print(f"step rate / floor rate (c=50): {step / floor:.0%}")


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve_args = argparse.ArgumentParser()
        serve_args.add_argument("--serve")
        serve_args.add_argument("--var")
        serve_args.add_argument("--port", type=int)
        parsed = serve_args.parse_args()
        serve(parsed.serve, parsed.var, parsed.port)
    else:
        asyncio.run(main())
