"""The PostgreSQL pool settings (DB_POOL_SIZE, DB_MAX_OVERFLOW, DB_PRE_PING) reach the engine."""

from __future__ import annotations

import pytest
from sqlalchemy.pool import QueuePool

from backend.core.db import create_engine
from backend.core.errors import ConfigurationError
from backend.core.settings import load_settings

SECRET = "s" * 40
URL = "postgresql://u@127.0.0.1:1/db"  # never connected: building an engine opens nothing


async def test_environment_sets_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "55")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "5")
    monkeypatch.setenv("DB_PRE_PING", "true")
    engine = create_engine(load_settings(database_url=URL, secret_key=SECRET))
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    assert (pool.size(), pool._max_overflow, pool._pre_ping) == (55, 5, True)
    await engine.dispose()


async def test_defaults_serve_fifty_clients_without_a_ping_per_request() -> None:
    engine = create_engine(load_settings(database_url=URL, secret_key=SECRET))
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.size() + pool._max_overflow >= 50
    assert pool._pre_ping is False
    await engine.dispose()


def test_a_pool_of_zero_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="DB_POOL_SIZE"):
        load_settings(database_url=URL, secret_key=SECRET, db_pool_size=0)
