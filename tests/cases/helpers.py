"""Small builders for case tests: submit a request and walk a case to a given status."""

from __future__ import annotations

from backend.cases import service as cases_service
from backend.cases import workflow
from backend.cases.models import ApplicantKind, Case, CaseStatus, Channel
from backend.cases.schemas import NewCase, SubmitResult
from backend.core.clock import business_date
from backend.core.runtime import Runtime
from backend.people import consent as consent_service
from backend.people.models import Person
from backend.regions.models import Region
from tests.world import World

S = CaseStatus

# How each status is reached from `submitted`, as (actor key, target, note).
PATHS: dict[CaseStatus, list[tuple[str, CaseStatus, str | None]]] = {
    S.submitted: [],
    S.registered: [("township", S.registered, None)],
    S.investigating: [("township", S.registered, None), ("township", S.investigating, None)],
    S.reviewed: [
        ("township", S.registered, None),
        ("township", S.investigating, None),
        ("township", S.reviewed, None),
    ],
    S.approved: [
        ("township", S.registered, None),
        ("township", S.investigating, None),
        ("township", S.reviewed, None),
        ("county", S.approved, None),
    ],
    S.publicity: [
        ("township", S.registered, None),
        ("township", S.investigating, None),
        ("township", S.reviewed, None),
        ("township", S.publicity, None),
    ],
    S.in_service: [
        ("township", S.registered, None),
        ("township", S.investigating, None),
        ("township", S.reviewed, None),
        ("county", S.approved, None),
        ("township", S.in_service, None),
    ],
}
PATHS[S.closed] = [*PATHS[S.in_service], ("township", S.closed, None)]
PATHS[S.referred] = [("township", S.registered, None), ("township", S.referred, "转县残联")]
PATHS[S.rejected] = [("township", S.registered, None), ("township", S.rejected, "不符合条件")]
PATHS[S.withdrawn] = [("township", S.withdrawn, None)]


async def submit(
    runtime: Runtime,
    world: World,
    *,
    items: tuple[str, ...] = ("living.meal",),
    beneficiary: Person | None = None,
    region: Region | None = None,
    emergency: bool = False,
    text: str = "想要有人送饭",
) -> SubmitResult:
    person = beneficiary or world.resident
    async with runtime.sessions() as session, session.begin():
        return await cases_service.submit(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=world.actors["resident"],
            request=NewCase(
                beneficiary_id=person.id,
                region_id=(region or world.village).id,
                channel=Channel.telegram,
                applicant_kind=ApplicantKind.self,
                applicant_person_id=person.id,
                applicant_phone="13812345678",
                text=text,
                items=items,
                emergency=emergency,
            ),
        )


async def sign_consent(runtime: Runtime, world: World, *, person_id: int) -> None:
    """The beneficiary's signed 核对授权书 (一证一书), so the home investigation may start."""
    async with runtime.sessions() as session, session.begin():
        await consent_service.record_signed(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            person_id=person_id,
            signed_on=business_date(runtime.clock.now()),
            scan_storage_key="scans/test-consent.pdf",
        )


async def case_in(runtime: Runtime, world: World, status: CaseStatus, **kwargs: object) -> Case:
    result = await submit(runtime, world, **kwargs)  # type: ignore[arg-type]
    case = result.case
    if any(target == S.investigating for _, target, _ in PATHS[status]):
        await sign_consent(runtime, world, person_id=case.beneficiary_id)
    for actor_key, target, note in PATHS[status]:
        async with runtime.sessions() as session, session.begin():
            case = await workflow.transition(
                session,
                clock=runtime.clock,
                actor=world.actors[actor_key],
                case_id=case.id,
                to=target,
                note=note,
            )
    assert case.status == status
    return case
