"""Bot throughput and latency through the real aiogram Dispatcher, on SQLite (WAL) and PostgreSQL.

Scenarios, each fed as real `Update` objects into `Dispatcher.feed_update` with a real `Bot`
talking to the fake Bot API of the tests on 127.0.0.1:
  noop    aiogram's dispatch with a handler that does nothing (the ceiling)
  floor   a handler that does one committed database write and one sendMessage
  intake  the real handlers: whole applications (/start … 提交, 11 updates each); a button press
          comes from a message carrying that button, as in Telegram (so the handler edits it)
each one conversation at a time (c=1) and, as saturation, 50 always-busy senders (c=50 closed
loop: each sends its next update the moment the previous one is answered).

The fake Bot API runs in a process of its own (Telegram's servers are not on the bot's machine;
in the bot's process its CPU counted against every handler by the number of calls it makes);
`--api-in-process` runs it inside the bot's process as before.

"CPU ms" is the CPU time of the bot's process per update (bot, SQLite's thread, and the fake Bot
API with `--api-in-process`; not the PostgreSQL server's): on a shared machine it moves far less
than updates/s, and floor CPU / intake CPU is the rate ratio the two would have on a core of
their own.

`intake paced` is the realistic "50 conversations at once": 50 people each sending their next
update 1–3 s (uniformly random, seeded) after the previous one was answered (open loop towards
the bot); its p99 is the latency a person sees while 49 others are typing too.

  .venv/bin/python benchmarks/bot_bench.py                      # SQLite only
  .venv/bin/python benchmarks/bot_bench.py --pg postgresql://postgres@127.0.0.1:5432/bench
  .venv/bin/python benchmarks/bot_bench.py --api-in-process      # the fake API in this process
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message, Update
from pydantic import SecretStr
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import backend.models  # noqa: F401
from backend.conversations import service as conversations
from backend.core import migrations
from backend.core.db import create_engine
from backend.core.runtime import Runtime, create_runtime
from backend.core.settings import Settings
from backend.regions import service as regions_service
from bot.app import create_bot, create_dispatcher, create_services
from bot.throttle import Throttle
from tests.fakebotapi import TOKEN, FakeTelegram

SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"
PACE = (1.0, 3.0)  # seconds a person takes before their next message or tap
_ids = itertools.count(1)


def _message(uid: int, text_: str) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": uid, "type": "private"},
        "from": {"id": uid, "is_bot": False, "first_name": "王"},
        "text": text_,
    }


def update(bot: Bot, uid: int, kind: str, value: str) -> Update:
    n = next(_ids)
    if kind == "text":
        raw: dict[str, Any] = {"update_id": n, "message": _message(uid, value)}
    else:
        asked = _message(uid, "请选择:")  # the bot's question, carrying the pressed button
        asked["from"] = {"id": 1, "is_bot": True, "first_name": "救助"}
        keyboard = [
            [{"text": "选这个", "callback_data": value}],
            [{"text": "取消", "callback_data": "cancel"}],
        ]
        asked["reply_markup"] = {"inline_keyboard": keyboard}
        raw = {
            "update_id": n,
            "callback_query": {
                "id": str(n),
                "from": {"id": uid, "is_bot": False, "first_name": "王"},
                "chat_instance": "c",
                "data": value,
                "message": asked,
            },
        }
    return Update.model_validate(raw, context={"bot": bot})


async def measure(
    feed: Callable[[Update], Awaitable[Any]],
    scripts: list[list[Update]],
    pace: tuple[float, float] | None = None,
) -> tuple[float, float, float, float, int]:
    """Run each script's updates in order, the scripts concurrently;
    (rate, p50 ms, p99 ms, CPU ms per update of this process, n)

    Closed loop without `pace`: the next update goes as soon as the previous one is answered.
    With `pace` (open loop): each script's updates are due on a fixed timeline, a random (seeded)
    pause in that range apart; a late answer does not push the next update back, and latency
    counts from the moment an update was due (so queueing behind a slow bot is measured too).
    """
    latencies: list[float] = []
    rng = random.Random(11)
    pauses = [[rng.uniform(*pace) if pace else 0.0 for _ in s] for s in scripts]

    async def run(script: list[Update], waits: list[float]) -> None:
        due = time.perf_counter()
        for item, wait in zip(script, waits, strict=True):
            due = due + wait if wait else time.perf_counter()
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await feed(item)
            latencies.append(time.perf_counter() - due)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(run(s, w) for s, w in zip(scripts, pauses, strict=True)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    n = len(latencies)
    return n / elapsed, p(0.5), p(0.99), cpu / n * 1000, n


async def prepare(url: str) -> tuple[Runtime, list[int]]:
    settings = Settings(database_url=url, secret_key=SECRET, var_dir=Path(tempfile.mkdtemp()))
    if not settings.is_sqlite:  # a fresh machine has no benchmark database yet
        base, name = url.rsplit("/", 1)
        admin = create_engine(
            Settings(database_url=f"{base}/postgres", secret_key=SECRET),
            isolation_level="AUTOCOMMIT",
        )
        async with admin.connect() as connection:
            known = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not known:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
    runtime = create_runtime(settings)
    if not settings.is_sqlite:
        async with runtime.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await migrations.upgrade(runtime.engine)
    async with runtime.sessions() as session, session.begin():
        county = await regions_service.create(session, code="532323000000", name="牟定县")
        town = await regions_service.create(session, code="532323100000", name="共和镇")
        village = await regions_service.create(session, code="532323100201", name="北屯村")
    return runtime, [county.id, town.id, village.id]


def intake_script(bot: Bot, uid: int, regions: list[int]) -> list[Update]:
    steps = [("text", "/start"), ("cb", "m:self"), ("text", "家里老人做不了饭,想要有人送饭"),
             ("cb", "ok"), ("text", "居民"), *[("cb", f"rg:{r}") for r in regions],
             ("text", f"139{uid % 100_000_000:08d}"), ("cb", "skip"), ("cb", "submit")]  # fmt: skip
    return [update(bot, uid, kind, value) for kind, value in steps]


async def one_run(
    url: str, fake: FakeTelegram | RemoteFake
) -> dict[str, tuple[float, float, float, float, int]]:
    runtime, regions = await prepare(url)
    runtime.settings = runtime.settings.model_copy(
        update={"bot_token": SecretStr(TOKEN), "telegram_api_base": f"http://127.0.0.1:{fake.port}"}
    )
    bot = create_bot(runtime.settings)
    results: dict[str, tuple[float, float, float, float, int]] = {}
    try:
        noop = Dispatcher()
        router = Router()

        async def nothing(message: Message) -> None:
            return None

        router.message.register(nothing)
        noop.include_router(router)

        floor = Dispatcher()
        router = Router()

        async def write_and_send(message: Message, bot: Bot) -> None:
            async with runtime.sessions() as session, session.begin():
                await conversations.mark_processed(
                    session, clock=runtime.clock, channel="bench", update_id=str(message.message_id)
                )
            await bot.send_message(message.chat.id, "好的")

        router.message.register(write_and_send)
        floor.include_router(router)
        real = create_dispatcher(
            create_services(runtime, throttle=Throttle(limit=10_000, window=1))
        )

        for name, dispatcher in (("noop", noop), ("floor", floor)):
            for c, per in ((1, 400), (50, 10)):
                scripts = [[update(bot, 10_000 + u, "text", "你好") for _ in range(per)]
                           for u in range(c)]  # fmt: skip
                feed = lambda u, d=dispatcher: d.feed_update(bot, u)  # noqa: E731
                results[f"{name} c={c}{' sat' if c > 1 else ''}"] = await measure(feed, scripts)
        base = 100_000
        scenarios = (("intake c=1", 1, 30, None), ("intake c=50 sat", 50, 1, None),
                     ("intake paced", 50, 2, PACE))  # fmt: skip
        for name, c, rounds, pace in scenarios:
            scripts = []
            for _u in range(c):
                script: list[Update] = []
                for _ in range(rounds):
                    base += 1
                    script += intake_script(bot, base, regions)
                scripts.append(script)
            feed_real = lambda u: real.feed_update(bot, u)  # noqa: E731
            results[name] = await measure(feed_real, scripts, pace)
    finally:
        await bot.session.close()
        await runtime.close()
    return results


class RemoteFake:
    """The fake Bot API of the tests, served by a child process on a free port."""

    def __init__(self) -> None:
        self.port = 0
        self._child: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve-api", stdout=asyncio.subprocess.PIPE
        )
        assert self._child.stdout is not None
        self.port = int((await self._child.stdout.readline()).decode())

    async def stop(self) -> None:
        if self._child is not None:
            self._child.terminate()
            await self._child.wait()


async def serve_api() -> None:
    fake = FakeTelegram()
    await fake.start()
    print(fake.port, flush=True)
    while True:
        await asyncio.sleep(5)
        fake.calls.clear()
        fake.delivered.clear()
        fake.delivered_at.clear()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="", help="PostgreSQL URL (its schema is dropped!)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--api-in-process", action="store_true", help="the fake API runs here")
    parser.add_argument("--serve-api", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_api:
        await serve_api()
        return
    fake: FakeTelegram | RemoteFake = FakeTelegram() if args.api_in_process else RemoteFake()
    await fake.start()
    where = "in this process" if args.api_in_process else "in its own process"
    print(f"fake Bot API {where}, port {fake.port}")
    targets = [("SQLite (WAL)", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])
    try:
        for label, pg in targets:
            runs = []
            for _ in range(args.runs):
                url = pg or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
                runs.append(await one_run(url, fake))
                if isinstance(fake, FakeTelegram):  # the child clears its own every 5 s
                    fake.calls.clear()
            print(f"\n{label}: medians of {args.runs} runs")
            head = (
                f"{'scenario':<17}{'updates/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>8}{'n':>6}"
            )
            print(head)
            for key in runs[0]:
                rate, p50, p99, cpu = (statistics.median(r[key][i] for r in runs) for i in range(4))
                print(
                    f"{key:<17}{rate:>11.0f}{p50:>9.2f}{p99:>9.2f}{cpu:>8.2f}{runs[0][key][4]:>6}"
                )
            floor1 = statistics.median(r["floor c=1"][0] for r in runs)
            intake1 = statistics.median(r["intake c=1"][0] for r in runs)
            cpu_floor = statistics.median(r["floor c=1"][3] for r in runs)
            cpu_intake = statistics.median(r["intake c=1"][3] for r in runs)
            print(f"floor CPU / intake CPU per update (c=1): {cpu_floor / cpu_intake:.0%}")
            print(f"intake/floor rate (c=1): {intake1 / floor1:.0%}")
    finally:
        await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
