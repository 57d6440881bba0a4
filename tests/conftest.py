"""Test fixtures: a real database per test, the services, and a small world to act in.

The database comes from `JIUZHU_TEST_DATABASE_URL` (default: SQLite). Each test gets its own:
on SQLite a copy of a template file migrated once per run; on PostgreSQL a fresh database is
created beside the named one for the run, migrated from empty, dropped at the end, and every
table is truncated after each test. Tests commit like the
real edges do.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

import backend.models  # noqa: F401
from backend.core import migrations
from backend.core.clock import FrozenClock
from backend.core.db import Base, create_engine
from backend.core.runtime import Runtime, create_runtime
from backend.core.settings import Settings
from backend.web.app import create_app
from tests.browser import browser, page, server, shots  # noqa: F401  (browser fixtures)
from tests.world import World, build_world

TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _test_url() -> str:
    return os.environ.get("JIUZHU_TEST_DATABASE_URL", "").strip()


def is_postgres() -> bool:
    return _test_url().startswith("postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if is_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set JIUZHU_TEST_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
async def template_db(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A migrated database for the whole run: a SQLite template file, or the PostgreSQL URL."""
    if is_postgres():
        # A database of its own for this run, created next to the one named in the URL, so two
        # runs against the same server (a developer and CI, or parallel sessions) never collide.
        base = _test_url()
        name = f"{base.rsplit('/', 1)[1].split('?')[0]}_{os.getpid()}_{secrets.token_hex(3)}"
        url = f"{base.rsplit('/', 1)[0]}/{name}"
        admin = create_engine(
            Settings(database_url=base, secret_key=TEST_SECRET), isolation_level="AUTOCOMMIT"
        )
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = create_engine(Settings(database_url=url, secret_key=TEST_SECRET))
        await migrations.upgrade(engine)
        await engine.dispose()
        try:
            yield url
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()
        return
    folder = tmp_path_factory.mktemp("db")
    path = folder / "template.db"
    settings = Settings(database_url=f"sqlite:///{path}", secret_key=TEST_SECRET)
    engine = create_engine(settings)
    await migrations.upgrade(engine)
    await engine.dispose()  # closing the last connection checkpoints the WAL into the file
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    yield str(path)


@pytest.fixture
def clock() -> FrozenClock:
    """Monday 2 March 2026, 09:00 in Shanghai: a working day."""
    return FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
async def settings(template_db: str, tmp_path: Path) -> Settings:
    if is_postgres():
        url = template_db
    else:
        path = tmp_path / "test.db"
        shutil.copyfile(template_db, path)
        url = f"sqlite:///{path}"
    return Settings(database_url=url, secret_key=TEST_SECRET, var_dir=tmp_path / "var")


@pytest.fixture
async def runtime(settings: Settings, clock: FrozenClock) -> AsyncIterator[Runtime]:
    runtime = create_runtime(settings, clock=clock)
    yield runtime
    if is_postgres():
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with runtime.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await runtime.close()


@pytest.fixture
async def session(runtime: Runtime) -> AsyncIterator[AsyncSession]:
    async with runtime.sessions() as session:
        yield session


@pytest.fixture
async def world(runtime: Runtime) -> World:
    """A county with two townships, villages and staff of every role (see tests/world.py)."""
    async with runtime.sessions() as session, session.begin():
        built = await build_world(session, runtime)
    return built


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    """The web app (API and console) on the test's runtime."""
    return create_app(runtime)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        yield http
