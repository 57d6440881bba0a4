"""Migrations: from empty to the models' schema on both databases; a behind database refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

import backend.models  # noqa: F401
from backend.core import migrations
from backend.core.db import Base, create_engine
from backend.core.errors import ConfigurationError
from backend.core.runtime import Runtime
from backend.core.settings import Settings
from tests.conftest import TEST_SECRET, is_postgres


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(runtime: Runtime) -> None:
    # The test database was built from empty by the migrations alone (see conftest).
    async with runtime.engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
    assert await migrations.current_revisions(runtime.engine) == migrations.head_revisions()


async def test_empty_sqlite_is_migrated_on_start_and_server_db_refuses(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}", secret_key=TEST_SECRET)
    engine = create_engine(settings)
    try:
        with pytest.raises(ConfigurationError, match="jiuzhu db upgrade"):
            await migrations.ensure_current(engine, auto_upgrade=False)
        await migrations.ensure_current(engine, auto_upgrade=True)
        assert await migrations.current_revisions(engine) == migrations.head_revisions()
        await migrations.ensure_current(engine, auto_upgrade=False)  # current: no complaint
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgres_from_empty_schema(template_db: str) -> None:
    assert is_postgres()
    settings = Settings(database_url=template_db, secret_key=TEST_SECRET)
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE SCHEMA IF NOT EXISTS migtest"))
            await connection.execute(text("DROP SCHEMA migtest CASCADE"))
            await connection.execute(text("CREATE SCHEMA migtest"))
        scoped = create_engine(
            settings, connect_args={"server_settings": {"search_path": "migtest"}}
        )
        try:
            with pytest.raises(ConfigurationError):
                await migrations.ensure_current(scoped, auto_upgrade=False)
            await migrations.upgrade(scoped)
            async with scoped.connect() as connection:
                assert await connection.run_sync(_diff) == []
        finally:
            await scoped.dispose()
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS migtest CASCADE"))
        await engine.dispose()
