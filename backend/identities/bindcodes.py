"""Bind codes: issued by the backend (`jiuzhu bind-code`), redeemed once through a deep link.

A code is 16 URL-safe characters (fits Telegram's `start` parameter); only its SHA-256 is kept,
so a database reader cannot bind. Expired, used and unknown codes are refused alike.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import Clock, as_utc
from backend.core.errors import InvalidInput
from backend.identities import service as identities_service
from backend.identities.models import BindCode, ChatIdentity

MAX_HOURS = 24 * 30


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


async def issue(
    session: AsyncSession,
    *,
    clock: Clock,
    person_id: int | None = None,
    staff_id: int | None = None,
    hours: int = 72,
) -> str:
    """A new code for exactly one person or staff member, valid for `hours`."""
    if (person_id is None) == (staff_id is None):
        raise InvalidInput("绑定码只能对应一个人或一个工作人员", code="bind_target")
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(f"有效期应为1到{MAX_HOURS}小时", code="bind_hours")
    code = secrets.token_urlsafe(12)
    now = clock.now()
    session.add(
        BindCode(
            code_hash=_digest(code),
            person_id=person_id,
            staff_id=staff_id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    await session.flush()
    return code


async def redeem(
    session: AsyncSession, *, clock: Clock, identity: ChatIdentity, code: str
) -> ChatIdentity:
    """Bind `identity` with the code and use the code up; InvalidInput when it is not valid."""
    if not code or len(code) > 64:
        raise InvalidInput("绑定码无效", code="bind_code_invalid")
    found = (
        await session.execute(select(BindCode).where(BindCode.code_hash == _digest(code)))
    ).scalar_one_or_none()
    now = clock.now()
    if found is None or found.used_at is not None or as_utc(found.expires_at) <= now:
        raise InvalidInput("绑定码无效或已过期,请向工作人员重新索取", code="bind_code_invalid")
    await identities_service.bind(
        session, clock=clock, identity=identity, person_id=found.person_id, staff_id=found.staff_id
    )
    found.used_at = now
    found.used_by_identity_id = identity.id
    await session.flush()
    return identity
