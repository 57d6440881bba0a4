"""Load and save conversation state with an optimistic version check; record processed updates.

Services only flush; the edge commits one transaction per update.

A process cache of committed conversations (per database engine) spares the SELECT of the
common case: an edge that commits calls `remember(session)` after the commit, and the next
`load` of that conversation is served from memory. The cache is never trusted on its own: a
save still names the version it was read at (a stale entry fails the UPDATE with `Conflict`, is
dropped, and the edge's retry loads from the database), and `confirm(session)` checks the
version of a cached conversation the update did not save. Edges that never call `remember`
(tests, scripts, the web chat) always read from the database.
"""

from __future__ import annotations

import copy
import pickle
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
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
    cached: bool = field(default=False, compare=False)  # served from the process cache


_Key = tuple[str, str]
CACHE_SIZE = 20_000  # conversations kept per process (least recently used dropped)
_LOADED = "conversations.loaded"  # session.info: snapshots served from the cache
_SAVED = "conversations.saved"  # session.info: snapshots saved in this transaction
_caches: weakref.WeakKeyDictionary[Engine, OrderedDict[_Key, Snapshot]] = (
    weakref.WeakKeyDictionary()
)


def _cache(session: AsyncSession) -> OrderedDict[_Key, Snapshot]:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    found = _caches.get(engine)
    if found is None:
        found = _caches[engine] = OrderedDict()
    return found


def clone(value: Any) -> Any:
    """A deep copy of a conversation state: a pickle round trip is done in C, several times
    faster than `copy.deepcopy` on plain data; anything pickle refuses goes to `copy.deepcopy`.
    The bytes are our own, made a line above and never stored."""
    try:
        return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    except Exception:  # not picklable (a lambda, a lock …): the general copy
        return copy.deepcopy(value)


def _copy(snap: Snapshot, *, cached: bool) -> Snapshot:
    return Snapshot(
        channel=snap.channel,
        external_id=snap.external_id,
        flow=snap.flow,
        step=snap.step,
        state=clone(snap.state),
        version=snap.version,
        updated_at=snap.updated_at,
        cached=cached,
    )


def forget(session: AsyncSession, *, channel: str, external_id: str) -> None:
    """Drop a conversation from the process cache (the next load reads the database)."""
    _cache(session).pop((channel, external_id), None)


def remember(session: AsyncSession) -> None:
    """After a commit: keep the conversations this transaction saved for the next load."""
    saved: dict[_Key, Snapshot] = session.info.pop(_SAVED, {})
    session.info.pop(_LOADED, None)
    cache = _cache(session)
    for key, snap in saved.items():
        cache[key] = snap
        cache.move_to_end(key)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)


async def confirm(session: AsyncSession) -> None:
    """Before a commit: a conversation served from the cache and not saved (the update changed
    nothing) is checked against the database; Conflict when another process saved it since."""
    loaded: list[Snapshot] = session.info.pop(_LOADED, [])
    saved: dict[_Key, Snapshot] = session.info.get(_SAVED, {})
    for snap in loaded:
        key = (snap.channel, snap.external_id)
        if key in saved:
            continue
        version = (
            await session.execute(
                select(Conversation.version).where(
                    Conversation.channel == snap.channel,
                    Conversation.external_id == snap.external_id,
                )
            )
        ).scalar_one_or_none()
        if version != snap.version:
            forget(session, channel=snap.channel, external_id=snap.external_id)
            raise Conflict("对话状态已被另一处更新", code="conversation_conflict")


# The two statements of every step, built once (Core, bound parameters): building them per call
# was a large part of a web chat step's Python time.
_TABLE: Table = Conversation.__table__  # type: ignore[assignment]
_PROCESSED: Table = ProcessedUpdate.__table__  # type: ignore[assignment]
_UPDATE = (
    update(_TABLE)
    .where(
        _TABLE.c.channel == bindparam("k_channel"),
        _TABLE.c.external_id == bindparam("k_external_id"),
        _TABLE.c.version == bindparam("k_version"),
    )
    .values(
        flow=bindparam("flow"),
        step=bindparam("step"),
        state=bindparam("state"),
        version=bindparam("version"),
        updated_at=bindparam("updated_at"),
    )
)
_MARK: dict[str, Any] = {}  # dialect name: the processed update's INSERT … ON CONFLICT DO NOTHING


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


async def load(session: AsyncSession, *, channel: str, external_id: str) -> Snapshot:
    cached = _cache(session).get((channel, external_id))
    if cached is not None:
        snap = _copy(cached, cached=True)
        session.info.setdefault(_LOADED, []).append(snap)
        return snap
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
            _UPDATE,
            {
                "k_channel": snapshot.channel,
                "k_external_id": snapshot.external_id,
                "k_version": snapshot.version,
                "flow": snapshot.flow,
                "step": snapshot.step,
                "state": snapshot.state,
                "version": snapshot.version + 1,
                "updated_at": now,
            },
        )
    if getattr(result, "rowcount", 0) != 1:
        forget(session, channel=snapshot.channel, external_id=snapshot.external_id)
        raise Conflict("对话状态已被另一处更新", code="conversation_conflict")
    snapshot.version += 1
    snapshot.updated_at = now
    key = (snapshot.channel, snapshot.external_id)
    session.info.setdefault(_SAVED, {})[key] = _copy(snapshot, cached=False)
    return snapshot.version


async def mark_processed(
    session: AsyncSession, *, clock: Clock, channel: str, update_id: str
) -> bool:
    """Record an update; False when it was already recorded (a redelivery: do nothing)."""
    dialect = session.get_bind().dialect.name
    statement = _MARK.get(dialect)
    if statement is None:
        statement = _MARK[dialect] = (
            _insert(session)(_PROCESSED)
            .values(channel=bindparam("channel"), update_id=bindparam("update_id"),
                    processed_at=bindparam("processed_at"))
            .on_conflict_do_nothing(index_elements=["channel", "update_id"])
        )  # fmt: skip
    result = await session.execute(
        statement, {"channel": channel, "update_id": update_id, "processed_at": clock.now()}
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def forget_processed(session: AsyncSession, *, before: datetime) -> int:
    """Drop records older than `before` (Telegram redelivers for at most a day)."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
