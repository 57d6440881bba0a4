"""When a resident cannot be reached by chat (blocked the bot, no chat), someone who can go and
ask gets the message as a task: the relative on file (the applicant of a delegated case, if they
have a chat and are not the chat that failed), else the village worker of the person's plan.

Key `relay:{notification id}`: one task per failed message, however often the sender retries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import ApplicantKind, Case
from backend.identities.models import ChatIdentity
from backend.outbox import delivery
from backend.outbox.delivery import Outgoing
from backend.outbox.models import Notification
from backend.people.models import Person
from backend.visits.models import VisitPlan


async def _relative_chat(
    session: AsyncSession, person_id: int, failed_chat: int | None
) -> ChatIdentity | None:
    rows = await session.execute(
        select(ChatIdentity)
        .join(Case, Case.applicant_person_id == ChatIdentity.person_id)
        .where(
            Case.beneficiary_id == person_id,
            Case.applicant_kind == ApplicantKind.delegate,
            ChatIdentity.person_id != person_id,
        )
        .order_by(Case.id.desc(), ChatIdentity.id)
    )
    return next((c for c in rows.scalars() if c.id != failed_chat), None)


async def _worker_chat(session: AsyncSession, person_id: int) -> ChatIdentity | None:
    rows = await session.execute(
        select(ChatIdentity)
        .join(VisitPlan, VisitPlan.worker_staff_id == ChatIdentity.staff_id)
        .where(VisitPlan.person_id == person_id)
        .order_by(ChatIdentity.id)
    )
    return rows.scalars().first()


async def hand_over(session: AsyncSession, *, now: datetime, notification: Notification) -> bool:
    """Queue the task for a person who can go and ask; False when there is nobody (or the
    message was for staff, who see it on the console)."""
    if notification.person_id is None or notification.template_key == "unreachable_task":
        return False
    person = await session.get(Person, notification.person_id)
    if person is None:
        return False
    target = None
    if not notification.template_key.startswith("relay"):
        target = await _relative_chat(session, person.id, notification.chat_identity_id)
    if target is None:
        target = await _worker_chat(session, person.id)
    if target is None:
        return False
    written = await delivery.enqueue_many(
        session,
        now=now,
        rows=[
            Outgoing(
                f"relay:{notification.id}",
                "unreachable_task",
                {
                    "name": person.name,
                    "about": notification.template_key,
                    "notification": notification.id,
                },
                target.id,
                target.channel,
                person_id=target.person_id,
                staff_id=target.staff_id,
            )
        ],
    )
    return written == 1
