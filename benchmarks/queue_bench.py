"""Queue benchmark: 1,000,000 cases in PostgreSQL across 100 townships (10 counties × 10).

Measures, in one run, on ONE uvicorn worker with 50 concurrent clients:
  bare    a bare FastAPI JSON endpoint (the ceiling of the stack)
  select  an endpoint that runs one indexed SELECT (the reference rate)
  queue   GET /api/queue (first 50) as a township officer (token auth, actor from the DB)
  case    GET /api/cases/{id} (the full case page) for random cases of that township
and prints p50/p99 latency and requests/s for each. Target: queue and case p99 ≤ 50 ms and at
least 50 % of the one-SELECT rate.

    .venv/bin/python benchmarks/queue_bench.py --url postgresql://postgres@127.0.0.1:5432/jiuzhu_bench
    (--skip-load reuses the data of an earlier run; --seconds sets each measurement's length)

The database named in --url is dropped and rebuilt. The load generator (aiohttp) runs in this
process, the server in a child process: on a 2-core machine they share the CPU, say so with the
figures.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
TOKEN = "bench-token-for-the-township-officer-0000000000"
CASES, PERSONS, VILLAGES = 1_000_000, 200_000, 500  # 5 villages per township


async def build(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from backend.core import migrations
    from backend.core.db import create_engine
    from backend.core.settings import Settings
    from backend.staff.auth import token_hash

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    admin = create_async_engine(
        admin_url.replace("postgresql://", "postgresql+asyncpg://"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as c:
        await c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        await c.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    engine = create_engine(Settings(database_url=url, secret_key=SECRET))
    await migrations.upgrade(engine)
    started = time.perf_counter()
    async with engine.begin() as c:
        rid = 0
        rows = []
        for ci in range(10):
            county = f"5323{ci:02d}"
            rid += 1
            county_id = rid
            rows.append((rid, f"{county}000000", f"县{ci}", "county", None, f"{county}/"))
            for ti in range(10):
                town = f"{county}{100 + ti:03d}"
                rid += 1
                town_id = rid
                rows.append(
                    (rid, f"{town}000", f"镇{ci}-{ti}", "township", county_id, f"{county}/{town}/")
                )
                for vi in range(5):
                    rid += 1
                    code = f"{town}{201 + vi:03d}"
                    rows.append(
                        (
                            rid,
                            code,
                            f"村{ci}-{ti}-{vi}",
                            "village",
                            town_id,
                            f"{county}/{town}/{code}/",
                        )
                    )
        await c.execute(
            text(
                "INSERT INTO regions (id, code, name, level, parent_id, path, aliases, extra) "
                "VALUES (:id, :code, :name, :level, :parent, :path, '[]', '{}')"
            ),
            [
                dict(zip(("id", "code", "name", "level", "parent", "path"), r, strict=True))
                for r in rows
            ],
        )
        await c.execute(text("SELECT setval('regions_id_seq', :n)"), {"n": rid})
        await c.execute(
            text("""
            CREATE TEMP TABLE bv AS
            SELECT row_number() OVER (ORDER BY v.id) - 1 AS vidx, v.id AS village_id,
                   v.parent_id AS township_id, v.path, substr(v.code, 1, 6) AS county_code
            FROM regions v WHERE v.level = 'village'""")
        )
        await c.execute(
            text(f"""
            INSERT INTO persons (name, region_id, status, created_at, updated_at)
            SELECT '居民' || g, bv.village_id, 'active', now(), now()
            FROM generate_series(1, {PERSONS}) g JOIN bv ON bv.vidx = (g - 1) % {VILLAGES}""")
        )
        await c.execute(
            text(f"""
            INSERT INTO cases (number, county_code, year, seq, status, beneficiary_id,
              applicant_kind, channel, original_text, emergency, priority, classification,
              township_id, village_id, region_path, due_at, due_step, relief_first,
              open_objections, created_at, updated_at)
            SELECT bv.county_code || '-2026-' || lpad(g::text, 7, '0'), bv.county_code, 2026, g,
              CASE WHEN ((g - 1) / 500) % 10 < 7 THEN 'closed' ELSE (ARRAY['submitted','registered',
                'investigating','reviewed','approved','in_service'])[1 + ((g - 1) / 500) % 6] END,
              1 + (g - 1) % {VILLAGES}
                + {VILLAGES} * (((g - 1) / {VILLAGES}) % {PERSONS // VILLAGES}),
              'self', 'web_chat', '想要有人送饭', ((g - 1) / 500) % 100 = 3,
              CASE WHEN ((g - 1) / 500) % 100 = 3 THEN 1 ELSE 0 END,
              '{{}}', bv.township_id, bv.village_id, bv.path,
              CASE WHEN ((g - 1) / 500) % 10 < 7 THEN NULL
                ELSE now() + ((g % 61) - 30) * interval '1 day' END,
              CASE WHEN ((g - 1) / 500) % 10 < 7 THEN NULL ELSE 'investigate' END, false, 0,
              now() - (g % 365) * interval '1 day' - (g % 1440) * interval '1 minute', now()
            FROM generate_series(1, {CASES}) g JOIN bv ON bv.vidx = (g - 1) % {VILLAGES}""")
        )
        await c.execute(
            text(f"""
            INSERT INTO case_items (case_id, item)
            SELECT g, (ARRAY['living.meal','living.bath','care.visit','care.attendance',
              'care.rehab','living.cleaning'])[1 + g % 6] FROM generate_series(1, {CASES}) g""")
        )
        await c.execute(
            text(f"""
            INSERT INTO case_events (case_id, at, kind, to_status, actor_label, data)
            SELECT g, now(), 'submitted', 'submitted', '居民', '{{}}'
            FROM generate_series(1, {CASES}) g""")
        )
        staff = await c.scalar(
            text(
                "INSERT INTO staff (username, name, active, created_at) "
                "VALUES ('bench', '镇0-0 经办', true, now()) RETURNING id"
            )
        )
        await c.execute(
            text(
                "INSERT INTO staff_roles (staff_id, role, region_id) "
                "VALUES (:s, 'township_officer', 2)"
            ),
            {"s": staff},
        )
        await c.execute(
            text(
                "INSERT INTO staff_sessions (token_hash, staff_id, kind, csrf_token, created_at,"
                " last_seen_at, expires_at) VALUES (:h, :s, 'api', 'x', now(), now() + interval"
                " '1 day', now() + interval '2 days')"
            ),
            {"h": token_hash(TOKEN), "s": staff},
        )
    async with engine.connect() as c:
        await c.execute(text("COMMIT"))
        await c.execute(text("ANALYZE"))
    await engine.dispose()
    print(f"loaded {CASES:,} cases in {time.perf_counter() - started:.0f} s")


def serve(url: str, port: int) -> None:
    import uvicorn
    from fastapi import APIRouter
    from sqlalchemy import select

    from backend.cases.models import Case
    from backend.core.runtime import create_runtime
    from backend.core.settings import Settings
    from backend.web.app import create_app
    from backend.web.deps import SessionDep

    bench = APIRouter(prefix="/bench")

    @bench.get("/bare")
    async def bare() -> dict[str, bool]:
        return {"ok": True}

    @bench.get("/select")
    async def one_select(session: SessionDep, id: int = 1) -> dict[str, str | None]:
        number = await session.scalar(select(Case.number).where(Case.id == id))
        return {"number": number}

    runtime = create_runtime(Settings(database_url=url, secret_key=SECRET, log_level="WARNING"))
    app = create_app(runtime, routers=[bench])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def load(base: str, paths: list[str], seconds: float, clients: int) -> dict[str, float]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {TOKEN}"}
    stop = time.perf_counter() + seconds

    async def worker(http: aiohttp.ClientSession) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            async with http.get(base + random.choice(paths), headers=headers) as r:
                await r.read()
                if r.status != 200:
                    errors += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:
        for _ in range(20):  # warm-up
            async with http.get(base + paths[0], headers=headers) as r:
                await r.read()
        began = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(clients)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/jiuzhu_bench")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data of a last run")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.url, args.port)
        return
    if not args.skip_load:
        asyncio.run(build(args.url))
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--url", args.url, "--port", str(args.port)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        time.sleep(4)
        # township 镇0-0 holds the cases whose village index is 0..4: ids ≡ 1..5 (mod 500)
        ids = [1 + v + 500 * k for v in range(5) for k in range(0, 2000, 7)]
        runs = {
            "bare": ["/bench/bare"],
            "select": [f"/bench/select?id={random.randint(1, CASES)}" for _ in range(1000)],
            "queue": ["/api/queue?limit=50"],
            "case": [f"/api/cases/{i}" for i in ids],
        }
        results = {
            n: asyncio.run(load(base, p, args.seconds, args.clients)) for n, p in runs.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{'endpoint':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs select':>9}")
    for name, r in results.items():
        share = r["rps"] / results["select"]["rps"] * 100
        print(
            f"{name:8} {r['rps']:8.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
            f"{r['errors']:7d} {share:8.0f}%"
        )
    out = ROOT / "benchmarks" / "out" / "queue_bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
