"""Exactly one active scheduler among several processes: a PostgreSQL advisory lock.

The lock is session-level (`pg_try_advisory_lock`) and held on a dedicated connection, outside
the pool, for as long as this process leads. PostgreSQL frees it the moment that connection ends
— a crash, a kill, a network cut — and a standby, which retries every `retry` seconds (15 by
default), takes over within a minute. The leader re-checks its connection on the same beat and
steps down if it is gone.

On SQLite a single scheduler process is assumed (SQLite is the one-office deployment): the lock
is always granted. Running two schedulers on one SQLite file sends nothing twice — the sender's
leases and the idempotency keys see to that — but wastes work.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_KEY = 0x6A697A68_75730001  # "jizhus" + 1: a fixed 64-bit key for the scheduler


class LeaderLock:
    def __init__(self, engine: AsyncEngine, *, key: int = LOCK_KEY) -> None:
        self.engine, self.key = engine, key
        self._connection: AsyncConnection | None = None
        self.is_leader = False

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def refresh(self) -> bool:
        """Take the lock if free, or confirm we still hold it; whether this process leads."""
        if not self.is_postgres:
            self.is_leader = True
            return True
        try:
            if self._connection is None:
                self._connection = await self.engine.connect()
            if self.is_leader:
                await self._connection.execute(text("SELECT 1"))
            else:
                got = await self._connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                )
                self.is_leader = bool(got)
                if self.is_leader:
                    log.info("scheduler lock taken: this process is the active scheduler")
            await self._connection.commit()  # never idle in a transaction; the lock survives
        except Exception:
            log.warning("scheduler lock connection lost; standing by", exc_info=True)
            self.is_leader = False
            await self._drop()
        return self.is_leader

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()  # closing the connection frees any lock it held
            except Exception:
                log.debug("closing the lock connection failed", exc_info=True)

    async def release(self) -> None:
        if self._connection is not None and self.is_leader:
            try:
                await self._connection.scalar(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
                await self._connection.commit()
            except Exception:
                log.debug("unlock failed; closing the connection frees it", exc_info=True)
        self.is_leader = False
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()
