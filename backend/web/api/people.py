"""The person page (一人一档) as JSON, and the audited view of a full ID number."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend.cases import person_access
from backend.people.consent import STATE_NAMES
from backend.web import pages
from backend.web.api.schemas import FullId, RevealId, queue_item_json
from backend.web.deps import ActorDep, RuntimeDep, SessionDep

router = APIRouter(prefix="/api/people", tags=["people"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "找不到(不存在,或不在您的辖区)"}}


def person_json(page: pages.PersonPage) -> dict[str, Any]:
    person = page.person
    return {
        "id": person.id,
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "id_number_masked": person.id_number_masked,
        "phone_masked": person.phone_masked,
        "region": page.region,
        "status": page.status_name,
        "household": [
            {
                "id": m.person.id,
                "name": m.person.name,
                "relation": m.person.relation_to_head,
                "id_number_masked": m.person.id_number_masked,
                "groups": m.groups,
            }
            for m in page.members
        ],
        "consent": [
            {"person_id": c.person_id, "name": c.name, "state": STATE_NAMES[c.state]}
            for c in page.consent
        ],
        "cases": [queue_item_json(r) for r in page.cases],
        "events": [
            {
                "case": number,
                "at": e.at,
                "kind": pages.EVENT_NAMES.get(e.kind, e.kind),
                "by": e.actor_label,
                "note": e.note,
            }
            for number, e in page.events
        ],
        "visits": None,  # 走访记录: arrives with the scheduler issue
        "surveys": None,  # 满意度回访: arrives with the scheduler issue
        "may_see_full_id": page.may_see_full_id,
    }


@router.get(
    "/{person_id}",
    summary="一人一档: cases, household, groups, consent, events",
    responses=NOT_FOUND,
)
async def get_person(
    person_id: int, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    page = await pages.person_page(
        session, actor=actor, person_id=person_id, now=runtime.clock.now()
    )
    return person_json(page)


@router.post(
    "/{person_id}/id-number",
    summary="The full ID number (role-limited, audited with the reason)",
    responses=NOT_FOUND,
)
async def reveal_id(
    person_id: int, body: RevealId, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> FullId:
    number = await person_access.reveal_full_id(
        session,
        clock=runtime.clock,
        cipher=runtime.cipher,
        actor=actor,
        person_id=person_id,
        reason=body.reason,
    )
    return FullId(person_id=person_id, id_number=number)
