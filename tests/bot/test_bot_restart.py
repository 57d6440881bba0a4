"""Kill the bot process (SIGKILL) in the middle of 20 conversations, restart it: every
conversation resumes where it was, no case is lost or filed twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from backend.cases.models import Case
from backend.conversations.models import Conversation
from backend.core.runtime import Runtime
from tests.conftest import TEST_SECRET
from tests.fakebotapi import TOKEN, FakeTelegram
from tests.world import World

USERS = [7000 + n for n in range(20)]
ROOT = Path(__file__).resolve().parents[2]
ACTIONS: dict[str, tuple[str, str]] = {
    "start": ("tap", "申请帮助(为自己)"),
    "need": ("say", "家里老人做不了饭,想要有人送饭"),
    "items": ("tap", "对,就是这些"),
    "name": ("say", "居民{n}"),
    "county": ("tap", "牟定县"),
    "township": ("tap", "共和镇"),
    "village": ("tap", "北屯村"),
    "phone": ("say", "1390000{n:04d}"),
    "id": ("tap", "跳过"),
    "summary": ("tap", "提交"),
}


def _start_bot(fake: FakeTelegram, runtime: Runtime, tmp: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": runtime.settings.database_url,
        "SECRET_KEY": TEST_SECRET,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": f"http://127.0.0.1:{fake.port}",
        "VAR_DIR": str(tmp / "var"),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "jiuzhu", "bot"], cwd=tmp, env=env, stderr=subprocess.PIPE
    )


async def _steps(runtime: Runtime) -> dict[int, str]:
    async with runtime.sessions() as session:
        query = select(
            Conversation.external_id, Conversation.flow, Conversation.step, Conversation.state
        )
        rows = (await session.execute(query)).all()
    return {
        int(e): step
        if flow == "intake"
        else "done"
        if state.get("data", {}).get("last_case")
        else "start"
        for e, flow, step, state in rows
    }


async def _round(fake: FakeTelegram, runtime: Runtime, *, wait: bool = True) -> int:
    steps = await _steps(runtime)
    last = 0
    for n, uid in enumerate(USERS):
        step = steps.get(uid, "start")
        if step == "done":
            continue
        how, what = ACTIONS[step]
        last = fake.press_label(uid, what) if how == "tap" else fake.text(uid, what.format(n=n))
    if wait and last:
        await fake.until_confirmed(last, within=30)
    return last


async def test_kill_and_restart_in_the_middle_of_20_conversations(
    fake: FakeTelegram, runtime: Runtime, world: World, tmp_path: Path
) -> None:
    process = _start_bot(fake, runtime, tmp_path)
    try:
        last = 0
        for uid in USERS:
            last = fake.text(uid, "/start")
        await fake.until_confirmed(last, within=60)  # includes the process start
        for _ in range(4):
            await _round(fake, runtime)
        before = await _steps(runtime)
        sent = sum(c.method == "sendMessage" for c in fake.calls)
        # PostgreSQL runs the 20 updates at once, faster than a kill lands: the test holds the
        # rows of half of the conversations so those updates cannot commit before the kill.
        # (SQLite's writers take turns, so the kill lands mid-batch without help.)
        held = None
        if not runtime.settings.is_sqlite:
            held = await runtime.engine.connect()
            await held.begin()
            rows = select(Conversation.id).where(
                Conversation.external_id.in_([str(u) for u in USERS[10:]])
            )
            await held.execute(rows.with_for_update())
        await _round(fake, runtime, wait=False)
        async with asyncio.timeout(30):
            # some of the batch is done, the rest is not
            while sum(c.method == "sendMessage" for c in fake.calls) < sent + 2:  # noqa: ASYNC110
                await asyncio.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        middle = await _steps(runtime)
        if held is not None:
            await held.rollback()
            await held.close()
        assert any(middle[u] != before[u] for u in USERS)  # the kill came mid-batch …
        assert any(middle[u] == before[u] for u in USERS)  # … not after it
        process = _start_bot(fake, runtime, tmp_path)
        last = 0
        for uid in USERS:
            last = fake.text(uid, "/start")  # "where was I?"
        await fake.until_confirmed(last, within=60)
        after = await _steps(runtime)
        order = list(ACTIONS)
        for uid in USERS:  # nothing went back, nothing jumped two steps
            assert order.index(after[uid]) - order.index(before[uid]) in (0, 1)
            assert "欢迎回来" in fake.texts_to(uid)[-2]
        for _ in range(8):
            await _round(fake, runtime)
        assert set((await _steps(runtime)).values()) == {"done"}
    finally:
        process.kill()
        process.wait(10)
    async with runtime.sessions() as session:
        cases = list((await session.execute(select(Case))).scalars())
    assert len(cases) == 20
    assert sorted(c.applicant_name for c in cases) == sorted(f"居民{n}" for n in range(20))
