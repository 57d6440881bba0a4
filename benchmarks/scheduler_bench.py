"""Scheduler benchmark: one period-start visit sweep over 100,000 recipients and 5,000 village
workers (compute the due visits, write 5,000 digests to the outbox), on SQLite and PostgreSQL;
the same rows written by one plain INSERT … SELECT as the reference; and the sender's sustained
rate against a fake Bot API that allows 30 messages a second.

    .venv/bin/python benchmarks/scheduler_bench.py \
        --pg postgresql://postgres@127.0.0.1:5432/jiuzhu_sched_bench      # ~3 minutes
    (--no-sqlite / --no-pg / --no-sender to skip parts; --runs N, default 3)

Each sweep run is a fresh child process (so its peak RSS is its own): the digests are deleted,
then `sweeps.sweep_visits` runs in one transaction as of 1 March 09:00. Seconds and peak RSS are
the median of the runs; "base RSS" is the child's RSS after its imports, before the sweep. The
PostgreSQL database named in --pg is dropped and rebuilt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
RECIPIENTS, WORKERS, TOWNSHIPS = 100_000, 5_000, 250
AT = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _settings(url: str):  # type: ignore[no-untyped-def]
    from backend.core.settings import Settings

    return Settings(database_url=url, secret_key=SECRET, var_dir=Path(tempfile.gettempdir()))


async def build(url: str) -> None:
    from sqlalchemy import insert, text
    from sqlalchemy.ext.asyncio import create_async_engine

    import backend.models  # noqa: F401
    from backend.core import migrations
    from backend.core.db import create_engine
    from backend.identities.models import ChatIdentity
    from backend.people.models import Person
    from backend.regions.models import Region
    from backend.staff.models import StaffMember, StaffRole
    from backend.visits.models import VisitPlan

    if url.startswith("postgresql"):
        admin_url, name = url.rsplit("/", 1)
        admin = create_async_engine(
            admin_url.replace("postgresql://", "postgresql+asyncpg://") + "/postgres",
            isolation_level="AUTOCOMMIT",
        )
        async with admin.connect() as c:
            await c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await c.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
    engine = create_engine(_settings(url))
    await migrations.upgrade(engine)
    now = datetime.now(UTC)
    started = time.perf_counter()
    per_township = WORKERS // TOWNSHIPS
    async with engine.begin() as c:
        regions = [
            {
                "id": 1,
                "code": "532323000000",
                "name": "牟定县",
                "level": "county",
                "parent_id": None,
                "path": "532323/",
                "aliases": [],
                "extra": {},
            }
        ]
        for t in range(TOWNSHIPS):
            tcode = f"532323{100 + t:03d}"
            regions.append(
                {
                    "id": 2 + t,
                    "code": tcode + "000",
                    "name": f"乡镇{t}",
                    "level": "township",
                    "parent_id": 1,
                    "path": f"532323/{tcode}/",
                    "aliases": [],
                    "extra": {},
                }
            )
        for w in range(WORKERS):
            t = w // per_township
            tcode = f"532323{100 + t:03d}"
            vcode = f"{tcode}{200 + w % per_township:03d}"
            regions.append(
                {
                    "id": 1000 + w,
                    "code": vcode,
                    "name": f"村{w}",
                    "level": "village",
                    "parent_id": 2 + t,
                    "path": f"532323/{tcode}/{vcode}/",
                    "aliases": [],
                    "extra": {},
                }
            )
        await c.execute(insert(Region), regions)
        await c.execute(
            insert(StaffMember),
            [
                {
                    "id": 1 + w,
                    "username": f"w{w}",
                    "name": f"村干部{w}",
                    "active": True,
                    "created_at": now,
                }
                for w in range(WORKERS)
            ],
        )
        await c.execute(
            insert(StaffRole),
            [
                {"staff_id": 1 + w, "role": "village_worker", "region_id": 1000 + w}
                for w in range(WORKERS)
            ],
        )
        await c.execute(
            insert(ChatIdentity),
            [
                {
                    "channel": "telegram",
                    "external_id": str(100000 + w),
                    "staff_id": 1 + w,
                    "created_at": now,
                }
                for w in range(WORKERS)
            ],
        )
        per_worker = RECIPIENTS // WORKERS
        for start in range(0, RECIPIENTS, 20_000):
            people = range(start, start + 20_000)
            await c.execute(
                insert(Person),
                [
                    {
                        "id": 1 + p,
                        "name": f"居民{p}",
                        "region_id": 1000 + p // per_worker,
                        "status": "active",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for p in people
                ],
            )
            await c.execute(
                insert(VisitPlan),
                [
                    {
                        "person_id": 1 + p,
                        "worker_staff_id": 1 + p // per_worker,
                        "region_id": 1000 + p // per_worker,
                        "township_id": 2 + (p // per_worker) // per_township,
                        "source": "roster",
                        "active_from": date(2026, 3, 1),
                        "created_at": now,
                    }
                    for p in people
                ],
            )
        if url.startswith("postgresql"):
            for table in ("regions", "staff", "persons", "visit_plans", "chat_identities"):
                await c.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    async with engine.connect() as c:
        if url.startswith("postgresql"):
            await c.execute(text("COMMIT"))
            await c.execute(text("VACUUM ANALYZE"))
        else:
            await c.execute(text("ANALYZE"))
    await engine.dispose()
    print(
        f"  built {RECIPIENTS:,} recipients, {WORKERS:,} workers in "
        f"{time.perf_counter() - started:.1f}s"
    )


BASELINE = {
    "postgresql": """
INSERT INTO notifications (channel, chat_identity_id, staff_id, template_key, params,
  idempotency_key, status, attempts, next_attempt_at, created_at)
SELECT 'telegram', min(ci.id), vp.worker_staff_id, 'visit_digest',
  jsonb_build_object('period', '2026-03a', 'households', jsonb_agg(jsonb_build_object(
    'plan', vp.id, 'name', p.name, 'village', r.name))),
  'base:' || vp.worker_staff_id, 'pending', 0, now(), now()
FROM visit_plans vp JOIN persons p ON p.id = vp.person_id JOIN regions r ON r.id = vp.region_id
LEFT JOIN chat_identities ci ON ci.staff_id = vp.worker_staff_id
WHERE p.status = 'active' GROUP BY vp.worker_staff_id""",
    "sqlite": """
INSERT INTO notifications (channel, chat_identity_id, staff_id, template_key, params,
  idempotency_key, status, attempts, next_attempt_at, created_at)
SELECT 'telegram', min(ci.id), vp.worker_staff_id, 'visit_digest',
  json_object('period', '2026-03a', 'households', json_group_array(json_object(
    'plan', vp.id, 'name', p.name, 'village', r.name))),
  'base:' || vp.worker_staff_id, 'pending', 0, datetime('now'), datetime('now')
FROM visit_plans vp JOIN persons p ON p.id = vp.person_id JOIN regions r ON r.id = vp.region_id
LEFT JOIN chat_identities ci ON ci.staff_id = vp.worker_staff_id
WHERE p.status = 'active' GROUP BY vp.worker_staff_id""",
}


async def child(url: str, what: str) -> None:
    """One measured run in this (fresh) process; prints a JSON line."""
    import psutil
    from sqlalchemy import text

    import backend.models  # noqa: F401
    from backend.core.db import create_engine, create_session_factory
    from backend.visits import sweeps

    engine = create_engine(_settings(url))
    async with engine.begin() as c:
        await c.execute(text("DELETE FROM notifications"))
    base = psutil.Process().memory_info().rss
    sessions = create_session_factory(engine)
    started = time.perf_counter()
    if what == "sweep":
        async with sessions() as session, session.begin():
            report = await sweeps.sweep_visits(session, now=AT)
        written = report.counts["visit_digest"]
    else:
        async with engine.begin() as c:
            result = await c.execute(text(BASELINE[engine.dialect.name]))
            written = result.rowcount
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    await engine.dispose()
    print(json.dumps({"seconds": seconds, "peak": peak, "base": base, "written": written}))


def measure(url: str, what: str, runs: int) -> dict[str, float]:
    results = []
    for _ in range(runs):
        out = (
            subprocess.run(
                [sys.executable, __file__, "--child", what, "--url", url],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        results.append(json.loads(out))
    assert all(r["written"] == WORKERS for r in results), results
    return {k: statistics.median(r[k] for r in results) for k in ("seconds", "peak", "base")}


async def sender_rate(messages: int) -> tuple[float, int, int]:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from sqlalchemy import insert

    import backend.models  # noqa: F401
    from backend.core import migrations
    from backend.core.runtime import create_runtime
    from backend.identities.models import ChatIdentity
    from backend.outbox.models import Notification
    from bot.transport import TelegramTransport
    from scheduler.sender import Sender
    from tests.fakebotapi import TOKEN, FakeTelegram

    folder = Path(tempfile.mkdtemp())
    runtime = create_runtime(_settings(f"sqlite:///{folder / 'sender.db'}"))
    await migrations.upgrade(runtime.engine)
    now = runtime.clock.now()
    async with runtime.engine.begin() as c:
        await c.execute(
            insert(ChatIdentity),
            [
                {
                    "id": 1 + n,
                    "channel": "telegram",
                    "external_id": str(5000 + n),
                    "created_at": now,
                }
                for n in range(messages)
            ],
        )
        await c.execute(
            insert(Notification),
            [
                {
                    "channel": "telegram",
                    "chat_identity_id": 1 + n,
                    "template_key": "case_overdue",
                    "params": {"number": f"X-{n}", "step": "受理登记", "due": "今天", "case": n},
                    "idempotency_key": f"bench:{n}",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for n in range(messages)
            ],
        )
    fake = FakeTelegram(limit=30)
    base = await fake.start()
    transport = TelegramTransport(
        Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
    )
    sender = Sender(runtime, transport)
    while len(fake.delivered) < messages:
        await sender.run_once()
    await transport.close()
    await fake.stop()
    await runtime.close()
    stamps = fake.delivered_at
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    return rate, len(fake.delivered), fake.too_many


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/jiuzhu_sched_bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sender", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.url, args.child))
        return
    targets = []
    if not args.no_sqlite:
        targets.append(("SQLite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"))
    if not args.no_pg:
        targets.append(("PostgreSQL", args.pg))
    mb = 1024 * 1024
    for label, url in targets:
        print(f"{label}:")
        asyncio.run(build(url))
        for what in ("sweep", "baseline"):
            m = measure(url, what, args.runs)
            print(
                f"  {what:<8} {m['seconds']:.2f} s  peak RSS {m['peak'] / mb:.0f} MB "
                f"(base {m['base'] / mb:.0f} MB)  median of {args.runs}"
            )
    if not args.no_sender:
        rate, delivered, too_many = asyncio.run(sender_rate(args.messages))
        print(
            f"sender: {delivered} messages to distinct chats at {rate:.2f}/s sustained "
            f"(limit 30/s, {100 * (30 - rate) / 30:.1f} % under), 429 answers: {too_many}"
        )


if __name__ == "__main__":
    main()
