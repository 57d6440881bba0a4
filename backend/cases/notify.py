"""Notifications about cases, queued in the outbox (never sent from here).

Who hears about a case: the chat identities bound to the applicant and to the beneficiary, and
the chat identity that filed it (`external_ref` "chat:<identity id>", set by the dialogs for a
delegate who has no person record). A new emergency case alerts the township officers of the
case's township who have bound a chat. Keys make every notification idempotent.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import STATUS_NAMES, Case, CaseStatus
from backend.core.clock import Clock
from backend.identities.models import ChatIdentity
from backend.outbox import service as outbox
from backend.staff.models import Role, StaffMember, StaffRole

CHAT_REF_PREFIX = "chat:"


def chat_ref(identity_id: int) -> str:
    return f"{CHAT_REF_PREFIX}{identity_id}"


async def _case_identities(session: AsyncSession, case: Case) -> list[ChatIdentity]:
    people = {p for p in (case.applicant_person_id, case.beneficiary_id) if p is not None}
    conditions: list[ColumnElement[bool]] = [ChatIdentity.person_id.in_(people)]
    ref = case.external_ref or ""
    if ref.startswith(CHAT_REF_PREFIX) and ref[len(CHAT_REF_PREFIX) :].isdigit():
        conditions.append(ChatIdentity.id == int(ref[len(CHAT_REF_PREFIX) :]))
    result = await session.execute(
        select(ChatIdentity).where(or_(*conditions)).order_by(ChatIdentity.id)
    )
    return list(result.scalars())


async def status_changed(
    session: AsyncSession, *, clock: Clock, case: Case, previous: CaseStatus, to: CaseStatus
) -> int:
    """Queue "your case is now …" for everyone bound to the case; the number queued."""
    stamp = int(clock.now().timestamp())
    queued = 0
    for identity in await _case_identities(session, case):
        queued += await outbox.enqueue(
            session,
            clock=clock,
            channel=identity.channel,
            template_key="case_status",
            params={"number": case.number, "status": STATUS_NAMES[CaseStatus(to)]},
            idempotency_key=f"case:{case.id}:{previous.value}>{to.value}:{stamp}:{identity.id}",
            chat_identity_id=identity.id,
            person_id=identity.person_id,
        )
    return queued


async def emergency_filed(session: AsyncSession, *, clock: Clock, case: Case) -> int:
    """Alert the township officers of the case's township who have a bound chat, at once."""
    result = await session.execute(
        select(ChatIdentity)
        .join(StaffMember, StaffMember.id == ChatIdentity.staff_id)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .where(
            StaffMember.active.is_(True),
            StaffRole.role == Role.township_officer,
            StaffRole.region_id == case.township_id,
        )
        .order_by(ChatIdentity.id)
    )
    queued = 0
    for identity in result.scalars().unique():
        queued += await outbox.enqueue(
            session,
            clock=clock,
            channel=identity.channel,
            template_key="emergency_alert",
            params={"number": case.number, "text": (case.original_text or "")[:200]},
            idempotency_key=f"case:{case.id}:emergency:{identity.id}",
            chat_identity_id=identity.id,
            staff_id=identity.staff_id,
        )
    return queued
