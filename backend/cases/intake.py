"""Clerk entry (代录): a township or county officer records a walk-in, phone, hotline, village or
online application, and it goes through the same services as the chat (`service.submit`:
duplicate linking, deadlines from the calendar, the emergency alert).

Invariants: every field is checked before anything is written and every problem is reported at
once, keyed by its form field; the region must lie in the clerk's own area — a village elsewhere
answers exactly like one that does not exist; one form nonce files at most one case (a double
click, back-and-resubmit or a retried API call finds the first one); each filing is audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.cases import intake_texts as T
from backend.cases import service as cases_service
from backend.cases.intake_check import CLERK_ROLES, NONCE, ClerkEntry, EntryInvalid, check, scrub
from backend.cases.models import ApplicantKind, Case, Channel, IntakeNonce
from backend.cases.schemas import NewCase
from backend.classifier.classifier import Classifier
from backend.core.clock import Clock
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Conflict, Forbidden
from backend.people import service as people_service
from backend.people.models import Person
from backend.regions import service as regions_service
from backend.regions.models import Region, RegionLevel
from backend.staff.actor import Actor
from backend.workcal.service import end_of_day


@dataclass(frozen=True, slots=True)
class Filed:
    case: Case
    created: bool  # False: linked to an open case, or this form had been filed already
    repeated: bool = False  # the nonce had been used: nothing new was recorded
    linked_items: tuple[str, ...] = ()


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def may_enter(actor: Actor) -> bool:
    return actor.has_role(CLERK_ROLES)


def require_clerk(actor: Actor) -> None:
    if not may_enter(actor):
        raise Forbidden(T.NOT_A_CLERK, code="clerk_only")


async def areas(session: AsyncSession, *, actor: Actor) -> list[tuple[Region, list[Region]]]:
    """The townships the clerk may file for, each with its villages (the region drop-down)."""
    found: dict[int, Region] = {}
    for grant in actor.grants:
        if grant.role not in CLERK_ROLES:
            continue
        region = await regions_service.get(session, region_id=grant.region_id)
        if region is not None:
            for r in await regions_service.list_subtree(session, region=region):
                found[r.id] = r
    townships = sorted(
        (r for r in found.values() if r.level == RegionLevel.township), key=lambda r: r.code
    )
    return [
        (t, sorted((v for v in found.values() if v.parent_id == t.id), key=lambda r: r.code))
        for t in townships
    ]


async def _claim(session: AsyncSession, *, nonce: str, actor: Actor, clock: Clock) -> Case | None:
    """Record the nonce once; the case it already filed when it was used before.

    An atomic INSERT … ON CONFLICT DO NOTHING: on PostgreSQL a concurrent second submission waits
    for the first transaction and then sees its row; SQLite serialises writers (BEGIN IMMEDIATE).
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    claimed = await session.execute(
        insert(IntakeNonce)
        .values(nonce=nonce, staff_id=actor.staff_id, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=[IntakeNonce.nonce])
        .returning(IntakeNonce.nonce)
    )
    if claimed.scalar_one_or_none() is not None:
        return None
    return await _used(session, nonce=nonce, actor=actor)


async def _used(session: AsyncSession, *, nonce: str, actor: Actor) -> Case | None:
    row = (
        await session.execute(select(IntakeNonce).where(IntakeNonce.nonce == nonce))
    ).scalar_one_or_none()
    if row is None:
        return None
    if row.staff_id != actor.staff_id or row.case_id is None:
        raise EntryInvalid({"nonce": T.NONCE_BAD})
    return await cases_service.get_for_actor(session, actor=actor, case_id=row.case_id)


def _record_phone(
    cipher: PersonalDataCipher, entry: ClerkEntry, person: Person | None
) -> str | None:
    if entry.delegate or person is None or not person.phone_enc:
        return None
    return cipher.decrypt(person.phone_enc)


async def file(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    classifier: Classifier,
    actor: Actor,
    entry: ClerkEntry,
) -> Filed:
    """File the clerk's entry (or find the case this form already filed)."""
    require_clerk(actor)
    entry = scrub(entry)
    if entry.nonce and NONCE.match(entry.nonce):
        earlier = await _used(session, nonce=entry.nonce, actor=actor)
        if earlier is not None:
            return Filed(earlier, created=False, repeated=True)
    checked = await check(session, clock=clock, classifier=classifier, actor=actor, entry=entry)
    if entry.nonce:
        earlier = await _claim(session, nonce=entry.nonce, actor=actor, clock=clock)
        if earlier is not None:
            return Filed(earlier, created=False, repeated=True)
    person = checked.person
    if person is None:
        assert checked.new_person is not None
        try:
            person = await people_service.find_or_create(
                session, clock=clock, cipher=cipher, data=checked.new_person
            )
        except Conflict as exc:  # the ID number is on the roll under another name
            raise EntryInvalid({"id_number": exc.message}) from exc
    hotline = entry.channel == Channel.hotline
    request = NewCase(
        beneficiary_id=person.id,
        region_id=checked.region.id,
        channel=Channel(entry.channel),
        applicant_kind=ApplicantKind.clerk,
        text=entry.text.strip(),
        items=tuple(checked.items),
        emergency=checked.emergency,
        classification=checked.classification,
        applicant_person_id=None if entry.delegate else person.id,
        applicant_name=" ".join(entry.applicant_name.split()) if entry.delegate else person.name,
        applicant_phone=checked.phone or _record_phone(cipher, entry, checked.person),
        delegate_relation=entry.relation.strip() if entry.delegate else None,
        consent_method=entry.consent,
        external_ref=f"{entry.hotline}:{entry.work_order_no.strip()}" if hotline else None,
        work_order_due_at=end_of_day(entry.work_order_due)
        if hotline and entry.work_order_due
        else None,
    )
    result = await cases_service.submit(
        session, clock=clock, cipher=cipher, actor=actor, request=request
    )
    if entry.nonce:
        row = await session.get(IntakeNonce, entry.nonce)
        if row is not None:
            row.case_id = result.case.id
    await audit.record(
        session,
        clock=clock,
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        action="case.clerk_entry",
        entity_type="case",
        entity_id=result.case.id,
        region_id=checked.region.id,
        detail={
            "channel": entry.channel,
            "created": result.created,
            "person_id": person.id,
            "new_person": checked.person is None,
            "delegate": entry.delegate,
        },
    )
    await session.flush()
    return Filed(result.case, result.created, False, result.linked_items)
