"""The SQLite driver: one thread hop per statement, and the same answers as aiosqlite's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from backend.core import sqlite_driver
from backend.core.db import create_engine
from backend.core.settings import Settings

SECRET = "test-secret-key-0123456789-abcdefghijklmnop"


@pytest.fixture
def settings_sqlite(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'one.db'}", secret_key=SECRET)


async def test_each_statement_is_one_call_on_the_connection_thread(
    settings_sqlite: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(settings_sqlite)
    calls: list[object] = []
    original = sqlite_driver.OneHopConnection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn)
        return await original(self, fn, *args, **kwargs)

    try:
        async with engine.connect() as connection:  # connecting (pragmas) is not counted below
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
            await connection.commit()
            monkeypatch.setattr(sqlite_driver.OneHopConnection, "_execute", counted)
            await connection.execute(text("INSERT INTO t (name) VALUES ('甲'), ('乙'), ('丙')"))
            rows = (await connection.execute(text("SELECT name FROM t ORDER BY id"))).all()
            # BEGIN (SQLAlchemy's own, immediate), INSERT, SELECT: one call each; the old
            # adapter made four per statement (cursor, execute, fetch, close).
            assert [r.name for r in rows] == ["甲", "乙", "丙"]
            assert len(calls) == 3, calls
    finally:
        await engine.dispose()


async def test_rows_counts_ids_and_many_parameters(settings_sqlite: Settings) -> None:
    engine = create_engine(settings_sqlite)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)"))
            inserted = await connection.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": 7})
            assert inserted.lastrowid == 1
            await connection.execute(
                text("INSERT INTO t (n) VALUES (:n)"), [{"n": i} for i in range(10)]
            )
            updated = await connection.execute(text("UPDATE t SET n = n + 1 WHERE n < 5"))
            assert updated.rowcount == 5
            assert await connection.scalar(text("SELECT count(*) FROM t")) == 11
            first = (await connection.execute(text("SELECT n FROM t ORDER BY id"))).first()
            assert first is not None and first.n == 7
            none = (await connection.execute(text("SELECT n FROM t WHERE n > 100"))).first()
            assert none is None
        async with engine.connect() as connection:  # a streaming result reads the same rows
            streamed = await connection.stream(text("SELECT n FROM t ORDER BY id"))
            seen = [row.n async for row in streamed]
            assert seen == [7, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9]
            partitions = await connection.stream(text("SELECT n FROM t ORDER BY id"))
            sizes = [len(p) async for p in partitions.partitions(4)]
            assert sizes == [4, 4, 3]
    finally:
        await engine.dispose()


async def test_errors_reach_the_caller_and_the_connection_stays_usable(
    settings_sqlite: Settings,
) -> None:
    engine = create_engine(settings_sqlite)
    try:
        async with engine.connect() as connection:
            with pytest.raises(Exception, match="no such table"):
                await connection.execute(text("SELECT * FROM missing"))
            await connection.rollback()
            assert await connection.scalar(text("SELECT 41 + 1")) == 42
    finally:
        await engine.dispose()
