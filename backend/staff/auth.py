"""Sign-in for staff: console sessions (cookie + CSRF token, idle timeout), API bearer tokens, and
throttling of failed attempts per account and per address.

Invariants: only a SHA-256 of a token is stored, so a copy of the database opens no session; a
session is refused once idle longer than its kind allows, past its absolute expiry, revoked, or
when the account is inactive. The acting identity is NOT cached: `authenticate_actor` reads the
session, the account, its roles and their regions in one query on every request, so a role or
region change applies on the next request. `last_seen_at` is written at most once a minute.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, String, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import Clock, as_utc
from backend.core.db import Base
from backend.core.errors import JiuzhuError
from backend.regions.models import Region
from backend.staff import service as staff_service
from backend.staff.actor import Actor
from backend.staff.models import StaffMember, StaffRole
from backend.staff.passwords import verify_password

CONSOLE = "console"
API = "api"
IDLE_TIMEOUT = {CONSOLE: timedelta(minutes=30), API: timedelta(hours=2)}
ABSOLUTE_LIFETIME = {CONSOLE: timedelta(hours=12), API: timedelta(hours=12)}
# Writing last_seen on every request would make each read a write; a minute's precision is enough.
TOUCH_EVERY = timedelta(seconds=60)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


class LoginFailed(JiuzhuError):
    """Wrong user name or password (never says which), or no valid session."""

    code = "login_failed"


class Throttled(JiuzhuError):
    """Too many failed attempts; try again later."""

    code = "throttled"


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginFailure(Base):
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(50), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


@dataclass(frozen=True, slots=True)
class Issued:
    token: str
    session: StaffSession
    staff: StaffMember


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _failures(session: AsyncSession, *, since: datetime, username: str, address: str) -> bool:
    by_account = await session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.at >= since, LoginFailure.username == username)
    )
    by_address = await session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.at >= since, LoginFailure.address == address)
    )
    return (by_account or 0) >= MAX_FAILURES_PER_ACCOUNT or (
        by_address or 0
    ) >= MAX_FAILURES_PER_ADDRESS


async def login(
    session: AsyncSession,
    *,
    clock: Clock,
    username: str,
    password: str,
    address: str,
    kind: str,
) -> Issued:
    """A new session for the account, or `LoginFailed`/`Throttled` (the caller records the
    failure in its own transaction with `record_failure`, since this one is rolled back)."""
    username = username.strip()[:50]
    now = clock.now()
    if await _failures(session, since=now - THROTTLE_WINDOW, username=username, address=address):
        raise Throttled("登录失败次数过多,请15分钟后再试", code="throttled")
    member = await staff_service.get_by_username(session, username=username)
    # verify_password spends the same time on a missing account, so probing names is not faster.
    valid = verify_password(member.password_hash if member else None, password)
    if member is None or not valid or not member.active:
        raise LoginFailed("用户名或密码不正确", code="login_failed")
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        token_hash=token_hash(token),
        staff_id=member.id,
        kind=kind,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE_LIFETIME[kind],
    )
    session.add(row)
    await session.flush()
    return Issued(token=token, session=row, staff=member)


async def record_failure(
    session: AsyncSession, *, clock: Clock, username: str, address: str
) -> None:
    session.add(LoginFailure(at=clock.now(), username=username.strip()[:50], address=address[:64]))
    await session.flush()


@dataclass(frozen=True, slots=True)
class Live:
    """A valid session as the edge needs it: who acts, and the CSRF token of console forms."""

    session_id: int
    actor: Actor
    csrf_token: str


def _alive(kind: str, row: Any, now: datetime) -> bool:
    if row.kind != kind or row.revoked_at is not None:
        return False
    return as_utc(row.expires_at) > now and as_utc(row.last_seen_at) + IDLE_TIMEOUT[kind] > now


@functools.cache
def _actor_statement() -> Any:  # a Select of twelve typed columns
    """Built once: on every request, constructing this statement cost about as much Python as
    running it (docs/queue.md, benchmark)."""
    return (
        select(
            StaffSession.id,
            StaffSession.staff_id,
            StaffSession.kind,
            StaffSession.csrf_token,
            StaffSession.expires_at,
            StaffSession.last_seen_at,
            StaffSession.revoked_at,
            StaffMember.name,
            StaffMember.active,
            StaffRole.role,
            Region.id,
            Region.path,
        )
        .join(StaffMember, StaffMember.id == StaffSession.staff_id)
        .outerjoin(StaffRole, StaffRole.staff_id == StaffMember.id)
        .outerjoin(Region, Region.id == StaffRole.region_id)
        .where(StaffSession.token_hash == bindparam("token_hash", type_=String))
    )


async def authenticate_actor(
    session: AsyncSession, *, clock: Clock, token: str, kind: str
) -> Live | None:
    """The live session of `token` with its `Actor`, from one query (session ⋈ account ⋈ roles ⋈
    regions); None when the token is unknown, of another kind, revoked, expired or idle. The idle
    clock is restarted by a single UPDATE at most every `TOUCH_EVERY`, so most reads write nothing.
    """
    if not token or len(token) > 200:
        return None
    found = await session.execute(_actor_statement(), {"token_hash": token_hash(token)})
    rows = found.all()
    now = clock.now()
    if not rows or not _alive(kind, rows[0], now):
        return None
    first = rows[0]
    if now - as_utc(first.last_seen_at) >= TOUCH_EVERY:
        await session.execute(
            update(StaffSession).where(StaffSession.id == first.id).values(last_seen_at=now)
        )
    actor = staff_service.actor_of(first.staff_id, [tuple(r)[7:] for r in rows])
    return Live(session_id=first.id, actor=actor, csrf_token=first.csrf_token)


async def logout(session: AsyncSession, *, clock: Clock, token: str) -> None:
    row = await session.scalar(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token))
    )
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()
        await session.flush()


async def revoke_all(session: AsyncSession, *, clock: Clock, staff_id: int) -> int:
    """End every session of an account (password change, deactivation)."""
    rows = (
        await session.execute(
            select(StaffSession).where(
                StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None)
            )
        )
    ).scalars()
    count = 0
    for row in rows:
        row.revoked_at = clock.now()
        count += 1
    await session.flush()
    return count
