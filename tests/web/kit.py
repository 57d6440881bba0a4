"""Helpers for the web and queue tests: sessions without the password round-trip, cases in a
given scope, and an HTTP client on the real app."""

from __future__ import annotations

import itertools
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from backend.audit.models import AuditEntry
from backend.cases import relief, workflow
from backend.cases import service as cases_service
from backend.cases.models import ApplicantKind, Case, CaseStatus, Channel
from backend.cases.schemas import NewCase
from backend.core.clock import business_date
from backend.core.runtime import Runtime
from backend.people import consent as consent_service
from backend.people import service as people_service
from backend.people.service import PersonInput
from backend.regions.models import Region
from backend.staff import auth
from backend.staff.actor import Actor
from tests.world import World

_names = itertools.count(1)


async def issue(runtime: Runtime, staff_id: int, kind: str = auth.API) -> str:
    """A valid token for the account (what a successful sign-in would give), without argon2."""
    token = secrets.token_urlsafe(32)
    now = runtime.clock.now()
    async with runtime.sessions() as session, session.begin():
        session.add(
            auth.StaffSession(
                token_hash=auth.token_hash(token),
                staff_id=staff_id,
                kind=kind,
                csrf_token="csrf-" + token[:10],
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=12),
            )
        )
    return token


def scope_village(world: World, scope: str) -> Region:
    return {"own": world.village, "sibling": world.sibling_village, "other": world.other_village}[
        scope
    ]


async def new_case(
    runtime: Runtime,
    world: World,
    scope: str = "own",
    *,
    items: tuple[str, ...] = ("living.meal",),
    emergency: bool = False,
    text: str = "想要有人送饭",
    name: str | None = None,
) -> Case:
    """A fresh case (a new person each time, so never linked to another) in a scope's village."""
    village = scope_village(world, scope)
    async with runtime.sessions() as session, session.begin():
        person = await people_service.find_or_create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            data=PersonInput(name=name or f"测试{next(_names)}", region=village),
        )
        result = await cases_service.submit(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=Actor.person(person.id, person.name),
            request=NewCase(
                beneficiary_id=person.id,
                region_id=village.id,
                channel=Channel.web_chat,
                applicant_kind=ApplicantKind.self,
                applicant_person_id=person.id,
                text=text,
                items=items,
                emergency=emergency,
            ),
        )
    return result.case


async def denials(runtime: Runtime, staff_id: int | None = None) -> int:
    async with runtime.sessions() as session:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.allowed.is_(False))
        if staff_id is not None:
            query = query.where(AuditEntry.actor_staff_id == staff_id)
        return int(await session.scalar(query) or 0)


async def case_in_state(runtime: Runtime, world: World, scope: str, state: str) -> Case:
    """A fresh case of a scope put, through the workflow by that scope's township officer, in
    `state`: "submitted", "relief_first" (an emergency helped at once, 补办 owed), "publicity"
    (公示 running) or "objection" (公示 with one open objection)."""
    officer = world.actors[{"own": "township", "sibling": "sibling_township",
                            "other": "other_township"}[scope]]  # fmt: skip
    case = await new_case(runtime, world, scope, emergency=state == "relief_first")
    if state == "submitted":
        return case
    steps = [CaseStatus.in_service]
    if state != "relief_first":
        steps = [CaseStatus.registered, CaseStatus.investigating, CaseStatus.reviewed,
                 CaseStatus.publicity]  # fmt: skip
        async with runtime.sessions() as session, session.begin():
            await consent_service.record_signed(
                session, clock=runtime.clock, actor=officer, person_id=case.beneficiary_id,
                signed_on=business_date(runtime.clock.now()), scan_storage_key="scans/t.pdf",
            )  # fmt: skip
    for to in steps:
        async with runtime.sessions() as session, session.begin():
            case = await workflow.transition(
                session, clock=runtime.clock, actor=officer, case_id=case.id, to=to
            )
    if state == "objection":
        async with runtime.sessions() as session, session.begin():
            case = await relief.record_objection(
                session, clock=runtime.clock, actor=officer, case_id=case.id, text="有人反映"
            )
    return case
