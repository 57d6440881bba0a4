"""Progress by case number and the last four digits of the phone, for residents on another
device. A number that does not exist and a number that is not yours get the same answer.

Guessing is limited per device and per address (`PER_DEVICE`, `PER_ADDRESS` in `WINDOW`). The
attempts are rows of `processed_updates` (channel "web_lookup", id "<keyed hash>:<random>"), so
every replica sees the same count and the daily clean-up of that table removes them; the keyed
hash keeps addresses out of the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import Case
from backend.conversations import service as conversations
from backend.conversations.models import ProcessedUpdate
from backend.core.clock import Clock
from backend.people.models import Person
from dialogs.flows import status

CHANNEL = "web_lookup"
WINDOW = timedelta(hours=1)
PER_DEVICE = 10
PER_ADDRESS = 30
_NUMBER = re.compile(r"^[A-Z0-9-]{4,30}$")


def _key(secret: bytes, kind: str, value: str) -> str:
    return hmac.new(secret, f"lookup:{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:24]


async def _count(session: AsyncSession, *, key: str, since: object) -> int:
    statement = select(func.count()).where(
        ProcessedUpdate.channel == CHANNEL,
        ProcessedUpdate.update_id.startswith(key + ":", autoescape=True),
        ProcessedUpdate.processed_at >= since,
    )
    return int((await session.execute(statement)).scalar_one())


async def admit(
    session: AsyncSession, *, clock: Clock, secret: bytes, device_id: str, address: str
) -> bool:
    """Record one guess; False (and nothing recorded) when this device or address is over."""
    since = clock.now() - WINDOW
    keys = [(_key(secret, "device", device_id), PER_DEVICE),
            (_key(secret, "address", address), PER_ADDRESS)]  # fmt: skip
    for key, limit in keys:
        if await _count(session, key=key, since=since) >= limit:
            return False
    for key, _ in keys:
        await conversations.mark_processed(
            session, clock=clock, channel=CHANNEL, update_id=f"{key}:{secrets.token_hex(8)}"
        )
    return True


def clean_number(raw: str) -> str | None:
    number = re.sub(r"\s+", "", raw).upper()
    return number if _NUMBER.match(number) else None


async def find(
    session: AsyncSession, *, clock: Clock, number: str, last4: str
) -> dict[str, str] | None:
    """The "status_case" parameters when the number exists and the phone of its applicant or
    beneficiary ends in `last4`; None otherwise (whichever the reason)."""
    case = (await session.execute(select(Case).where(Case.number == number))).scalar_one_or_none()
    if case is None:
        return None
    phones = [case.applicant_phone_masked or ""]
    person = await session.get(Person, case.beneficiary_id)
    if person is not None:
        phones.append(person.phone_masked or "")
    if not any(len(p) >= 4 and hmac.compare_digest(p[-4:], last4) for p in phones):
        return None
    return await status.case_params(session, clock, case)
