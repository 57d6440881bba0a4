"""Queue benchmark: 1,000,000 cases in PostgreSQL across 100 townships (10 counties × 10).

Measures, on ONE uvicorn worker, in each of --runs rounds (medians reported):

closed loop — 50 clients, each sending its next request as soon as the last one answered (the
saturation rate; latency ≈ 50 / rate by construction):
  bare    a bare FastAPI JSON endpoint (the ceiling of the stack)
  select  an endpoint that runs one indexed SELECT (the reference rate)
  queue   GET /api/queue (first 50) as a township officer (token auth, actor from the DB)
  case    GET /api/cases/{id} (the full case page) for random cases of that township
open loop — 50 clients at a clerk's pace: each sends a request every 1–2 s (uniformly random,
seeded), queue or case page at random, on schedule whether or not the last one has answered
(no coordinated omission); p50/p99 per endpoint.

Target: queue and case ≥ 50 % of the one-SELECT rate (closed loop) and p99 ≤ 50 ms (open loop).

    .venv/bin/python benchmarks/queue_bench.py --url postgresql://postgres@127.0.0.1:5432/jiuzhu_bench
    (--skip-load reuses the data of an earlier run; --seconds, --open-seconds, --runs)

The database named in --url is dropped and rebuilt unless --skip-load. The load generator
(aiohttp) runs in this process, the server in a child process: on a 2-core machine they share the
CPU, say so with the figures (the load average is recorded with each round).
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


def serve(url: str, port: int, loop: str, http: str) -> None:
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

    # pool settings come from the environment (DB_POOL_SIZE, DB_MAX_OVERFLOW, DB_PRE_PING)
    runtime = create_runtime(Settings(database_url=url, secret_key=SECRET, log_level="WARNING"))
    app = create_app(runtime, routers=[bench])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop=loop,  # type: ignore[arg-type]
        http=http,  # type: ignore[arg-type]
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def summary(latencies: list[float], errors: int, elapsed: float) -> dict[str, float]:
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


HEADERS = {"Authorization": f"Bearer {TOKEN}"}


async def closed(
    base: str, paths: list[str], seconds: float, clients: int, server_pid: int
) -> dict[str, float]:
    """`clients` always-busy clients: the next request as soon as the last one answered. Also
    the server's own CPU time per request (less sensitive to a shared machine than the rate)."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    pick = random.Random(1)

    async def worker(http: aiohttp.ClientSession, until: float, keep: bool) -> None:
        nonlocal errors
        while time.perf_counter() < until:
            started = time.perf_counter()
            async with http.get(base + pick.choice(paths), headers=HEADERS) as r:
                await r.read()
                if keep and r.status != 200:
                    errors += 1
            if keep:
                latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:
        warm = time.perf_counter() + 1.5  # every client (and pooled connection) warmed up
        await asyncio.gather(*(worker(http, warm, False) for _ in range(clients)))
        began, cpu = time.perf_counter(), cpu_seconds(server_pid)
        await asyncio.gather(*(worker(http, began + seconds, True) for _ in range(clients)))
        elapsed, cpu = time.perf_counter() - began, cpu_seconds(server_pid) - cpu
    return {**summary(latencies, errors, elapsed), "server_cpu_ms": cpu * 1000 / len(latencies)}


async def open_loop(
    base: str, scenario: dict[str, list[str]], seconds: float, clients: int, seed: int
) -> dict[str, dict[str, float]]:
    """`clients` clerks, each sending one request every 1–2 s (seeded), on schedule."""
    import aiohttp

    latencies: dict[str, list[float]] = {name: [] for name in scenario}
    errors = dict.fromkeys(scenario, 0)

    async def one(http: aiohttp.ClientSession, name: str, path: str) -> None:
        started = time.perf_counter()
        async with http.get(base + path, headers=HEADERS) as r:
            await r.read()
            if r.status != 200:
                errors[name] += 1
        latencies[name].append(time.perf_counter() - started)

    async def clerk(http: aiohttp.ClientSession, index: int, began: float) -> None:
        rnd = random.Random(seed * 1000 + index)
        at = began + rnd.uniform(0, 2)  # the clerks do not start in step
        sent: list[asyncio.Task[None]] = []
        while at < began + seconds:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            name = rnd.choice(sorted(scenario))
            sent.append(asyncio.create_task(one(http, name, rnd.choice(scenario[name]))))
            at += rnd.uniform(1.0, 2.0)
        await asyncio.gather(*sent)

    connector = aiohttp.TCPConnector(limit=0)  # open loop: never queue in the client
    async with aiohttp.ClientSession(connector=connector) as http:
        began = time.perf_counter()
        await asyncio.gather(*(clerk(http, i, began) for i in range(clients)))
        elapsed = time.perf_counter() - began
    return {name: summary(latencies[name], errors[name], elapsed) for name in scenario}


def wait_for(url: str, server: subprocess.Popen[bytes], limit: float = 90) -> None:
    import urllib.request

    until = time.perf_counter() + limit
    while time.perf_counter() < until:
        if server.poll() is not None:
            raise SystemExit("the server exited at start")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer within {limit:.0f} s")


def median_of(rounds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {
        name: {k: statistics.median(r[name][k] for r in rounds) for k in rounds[0][name]}
        for name in rounds[0]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/jiuzhu_bench")
    parser.add_argument("--seconds", type=float, default=8, help="each closed-loop measurement")
    parser.add_argument("--open-seconds", type=float, default=30, help="the open-loop phase")
    parser.add_argument("--runs", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])
    parser.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "queue_bench.json"))
    parser.add_argument("--skip-load", action="store_true", help="reuse the data of a last run")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.url, args.port, args.loop, args.http)
        return
    if not args.skip_load:
        asyncio.run(build(args.url))
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--url", args.url, "--port", str(args.port),
         "--loop", args.loop, "--http", args.http],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    # township 镇0-0 holds the cases whose village index is 0..4: ids ≡ 1..5 (mod 500)
    ids = [1 + v + 500 * k for v in range(5) for k in range(0, 2000, 7)]
    pick = random.Random(7)
    runs = {
        "bare": ["/bench/bare"],
        "select": [f"/bench/select?id={pick.randint(1, CASES)}" for _ in range(1000)],
        "queue": ["/api/queue?limit=50"],
        "case": [f"/api/cases/{i}" for i in ids],
    }
    closed_rounds: list[dict[str, dict[str, float]]] = []
    open_rounds: list[dict[str, dict[str, float]]] = []
    loads: list[tuple[float, float]] = []
    try:
        wait_for(base + "/bench/bare", server)
        for n in range(args.runs):
            before = os.getloadavg()[0]
            closed_rounds.append(
                {
                    k: asyncio.run(closed(base, p, args.seconds, args.clients, server.pid))
                    for k, p in runs.items()
                }
            )
            scenario = {"queue": runs["queue"], "case": runs["case"]}
            open_rounds.append(
                asyncio.run(open_loop(base, scenario, args.open_seconds, args.clients, seed=n))
            )
            loads.append((before, os.getloadavg()[0]))
            print(f"round {n + 1}: load average {before:.1f} → {loads[-1][1]:.1f}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = {
        "closed": median_of(closed_rounds),
        "open": median_of(open_rounds),
        "closed_rounds": closed_rounds,
        "open_rounds": open_rounds,
        "load_average": loads,
        "settings": {
            "loop": args.loop,
            "http": args.http,
            "clients": args.clients,
            **{k: os.environ.get(k) for k in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_PRE_PING")},
        },
    }
    select_rps = result["closed"]["select"]["rps"]
    print(f"closed loop, {args.clients} always-busy clients, medians of {args.runs} rounds")
    print(
        f"{'endpoint':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs select':>9}"
        f"  (each round)  {'server CPU ms/req':>17}"
    )
    for name, r in result["closed"].items():
        shares = ", ".join(
            f"{c[name]['rps'] / c['select']['rps'] * 100:.0f}" for c in closed_rounds
        )
        print(
            f"{name:8} {r['rps']:8.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
            f"{r['errors']:7.0f} {r['rps'] / select_rps * 100:8.0f}% ({shares})"
            f"  {r['server_cpu_ms']:17.2f}"
        )
    print(f"open loop, {args.clients} clients each one request every 1–2 s, medians")
    for name, r in result["open"].items():
        print(f"{name:8} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['errors']:7.0f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
