"""Load and save conversation state with an optimistic version check; record processed updates.

Services only flush; the edge commits one transaction per update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.conversations.models import Conversation, ProcessedUpdate
from backend.core.clock import Clock
from backend.core.errors import Conflict


@dataclass
class Snapshot:
    """A conversation as read: plain data plus the version it was read at (0: not stored yet)."""

    channel: str
    external_id: str
    flow: str = "menu"
    step: str = "start"
    state: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    updated_at: datetime | None = None


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


async def load(session: AsyncSession, *, channel: str, external_id: str) -> Snapshot:
    row = (
        await session.execute(
            select(Conversation).where(
                Conversation.channel == channel, Conversation.external_id == external_id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        return Snapshot(channel=channel, external_id=external_id)
    return Snapshot(
        channel=channel,
        external_id=external_id,
        flow=row.flow,
        step=row.step,
        state=dict(row.state or {}),
        version=row.version,
        updated_at=row.updated_at,
    )


async def save(session: AsyncSession, *, clock: Clock, snapshot: Snapshot) -> int:
    """Store the snapshot if nobody saved since it was read; the new version, or Conflict."""
    now = clock.now()
    if snapshot.version == 0:
        insert = _insert(session)
        statement = (
            insert(Conversation)
            .values(
                channel=snapshot.channel,
                external_id=snapshot.external_id,
                flow=snapshot.flow,
                step=snapshot.step,
                state=snapshot.state,
                version=1,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        )
        result = await session.execute(statement)
    else:
        result = await session.execute(
            update(Conversation)
            .where(
                Conversation.channel == snapshot.channel,
                Conversation.external_id == snapshot.external_id,
                Conversation.version == snapshot.version,
            )
            .values(
                flow=snapshot.flow,
                step=snapshot.step,
                state=snapshot.state,
                version=snapshot.version + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    if getattr(result, "rowcount", 0) != 1:
        raise Conflict("对话状态已被另一处更新", code="conversation_conflict")
    snapshot.version += 1
    snapshot.updated_at = now
    return snapshot.version


async def mark_processed(
    session: AsyncSession, *, clock: Clock, channel: str, update_id: str
) -> bool:
    """Record an update; False when it was already recorded (a redelivery: do nothing)."""
    insert = _insert(session)
    result = await session.execute(
        insert(ProcessedUpdate)
        .values(channel=channel, update_id=update_id, processed_at=clock.now())
        .on_conflict_do_nothing(index_elements=["channel", "update_id"])
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def forget_processed(session: AsyncSession, *, before: datetime) -> int:
    """Drop records older than `before` (Telegram redelivers for at most a day)."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
