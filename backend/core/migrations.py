"""Schema migrations (Alembic) driven from code: upgrade, and the check that refuses to start on
a database whose schema is behind the code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.core.errors import ConfigurationError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revisions() -> set[str]:
    """The heads of the migration graph (several while parallel branches are not merged)."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def current_revisions(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    def _upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def ensure_current(engine: AsyncEngine, *, auto_upgrade: bool) -> None:
    """Migrate the embedded database; refuse a server database that is behind, with one line."""
    current = await current_revisions(engine)
    heads = head_revisions()
    if current == heads:
        return
    if auto_upgrade:
        await upgrade(engine)
        return
    have = ",".join(sorted(current)) or "empty"
    raise ConfigurationError(
        f"数据库结构版本落后 (database schema at {have}, code needs {','.join(sorted(heads))}): "
        "run `jiuzhu db upgrade` first"
    )
