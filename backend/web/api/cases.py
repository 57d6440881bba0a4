"""The work queue and the case page as JSON: list, overdue (督办), case, moves, assignment,
referral, attachments, suggested resources, and the clerk's entry of an application (代录).
Thin: parse, call one service, render."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import Field

from backend.cases import assignment, intake, intake_check, queue, workflow
from backend.cases import attachments as attachments_service
from backend.cases import service as cases_service
from backend.cases.models import CaseStatus
from backend.classifier.service import get_classifier
from backend.core.clock import as_utc
from backend.resources.models import KIND_NAMES
from backend.web import pages
from backend.web.api.schemas import (
    Assign,
    Body,
    FastJSON,
    QueueItem,
    QueuePage,
    Refer,
    Transition,
    iso,
    queue_item_json,
)
from backend.web.deps import ActorDep, RuntimeDep, SessionDep
from backend.workcal.texts import describe

router = APIRouter(prefix="/api", tags=["cases"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "找不到(不存在,或不在您的辖区)"}}
ID = Annotated[int, Query(ge=1, le=2**31 - 1)]


@router.get(
    "/queue",
    summary="The work queue: emergencies, then deadline, priority, age",
    response_model=QueuePage,
)
async def list_queue(
    actor: ActorDep,
    session: SessionDep,
    runtime: RuntimeDep,
    status: Annotated[list[CaseStatus] | None, Query(description="状态,可多选")] = None,
    item: Annotated[str | None, Query(max_length=40)] = None,
    village_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    township_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    emergency: bool | None = None,
    assignee_staff_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    unassigned: bool = False,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=queue.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JSONResponse:
    filters = queue.QueueFilter(
        statuses=tuple(status or ()),
        item=item,
        village_id=village_id,
        township_id=township_id,
        emergency=emergency,
        assignee_staff_id=assignee_staff_id,
        unassigned=unassigned,
        overdue=overdue,
    )
    rows = await queue.list_queue(
        session,
        actor=actor,
        now=runtime.clock.now(),
        filters=filters,
        limit=limit + 1,
        offset=offset,
    )
    return FastJSON(
        {
            "items": [queue_item_json(r) for r in rows[:limit]],
            "limit": limit,
            "offset": offset,
            "has_more": len(rows) > limit,
        }
    )


@router.get(
    "/overdue",
    summary="督办: open cases past their deadline and overdue 补办, owner named",
    response_model=list[QueueItem],
)
async def list_overdue(actor: ActorDep, session: SessionDep, runtime: RuntimeDep) -> JSONResponse:
    rows = await queue.list_overdue(session, actor=actor, now=runtime.clock.now())
    return FastJSON([queue_item_json(r) for r in rows])


def case_json(page: pages.CasePage) -> dict[str, Any]:
    case, person = page.case, page.beneficiary
    return {
        "id": case.id,
        "number": case.number,
        "status": case.status,
        "status_name": page.status_name,
        "emergency": case.emergency,
        "channel": page.channel_name,
        "text": case.original_text,
        "township": page.township,
        "village": page.village,
        "beneficiary": {
            "id": person.id,
            "name": person.name,
            "gender": person.gender,
            "id_number_masked": person.id_number_masked,
            "phone_masked": person.phone_masked,
        },
        "applicant": {
            "kind": case.applicant_kind,
            "name": case.applicant_name,
            "phone_masked": case.applicant_phone_masked,
            "relation": case.delegate_relation,
        },
        "items": [{"id": i, "name": n} for i, n in page.item_names],
        "matched_words": page.words,
        "emergency_words": page.emergency_words,
        "emergency_reason": page.emergency_reason,
        "owner": page.owner,
        "assignee": page.assignee,
        "due_at": case.due_at,
        "due_step": case.due_step,
        "due_text": page.due_text,
        "overdue": page.overdue,
        "moves": [
            {"to": m.to, "verb": m.verb, "note_required": m.note_required} for m in page.moves
        ],
        "timeline": [
            {
                "at": e.at,
                "kind": e.kind,
                "kind_name": pages.EVENT_NAMES.get(e.kind, e.kind),
                "from": e.from_status,
                "to": e.to_status,
                "by": e.actor_label,
                "note": e.note,
            }
            for e in page.events
        ],
        "attachments": [
            {"id": a.id, "kind": a.kind, "filename": a.filename, "size": a.size, "at": a.created_at}
            for a in page.attachments
        ],
        "referrals": [
            {
                "id": r.id,
                "to": name,
                "reason": r.reason,
                "due_at": r.due_at,
                "by": r.actor_label,
                "answered_at": r.answered_at,
                "answer": r.answer,
            }
            for r, name in page.referrals
        ],
        "suggested_resources": [
            {
                "id": s.resource.id,
                "name": s.resource.name,
                "kind_name": KIND_NAMES[s.resource.kind],
                "matching": list(s.matching),
            }
            for s in page.suggestions
        ],
        "assign_candidates": [{"staff_id": i, "name": n} for i, n in page.candidates],
        "backfill": _backfill_json(page.backfill),
        "publicity": _publicity_json(page.publicity),
    }


def _backfill_json(found: pages.Backfill | None) -> dict[str, Any] | None:
    """先行救助补办; `may_record`: the step this user may record now (POST …/backfill)."""
    if found is None:
        return None
    return {
        "due_at": found.due_at,
        "due_text": found.due_text,
        "overdue": found.overdue,
        "reviewed_at": found.reviewed_at,
        "approved_at": found.approved_at,
        "may_record": found.step,
    }


def _publicity_json(found: pages.Publicity | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "start": found.start,
        "end": found.end,
        "open_objections": found.open_objections,
        "may_handle_objections": found.may_handle,
    }


@router.get(
    "/cases/{case_id}", summary="The case page: timeline, matched words, moves", responses=NOT_FOUND
)
async def get_case(
    case_id: int, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> FastJSON:
    page = await pages.case_page(session, actor=actor, case_id=case_id, now=runtime.clock.now())
    return FastJSON(case_json(page))


@router.post(
    "/cases/{case_id}/transitions",
    summary="Move the case one step, with a note",
    responses=NOT_FOUND,
)
async def move(
    case_id: int, body: Transition, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    case = await workflow.transition(
        session, clock=runtime.clock, actor=actor, case_id=case_id, to=body.to, note=body.note
    )
    return {"id": case.id, "status": case.status, "due_at": case.due_at}


@router.post(
    "/cases/{case_id}/assign",
    summary="Assign to a village worker or a provider",
    responses=NOT_FOUND,
)
async def assign(
    case_id: int, body: Assign, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    await assignment.assign(
        session,
        clock=runtime.clock,
        actor=actor,
        case_id=case_id,
        assignee_staff_id=body.assignee_staff_id,
        note=body.note,
    )
    return {"id": case_id, "assignee_staff_id": body.assignee_staff_id}


@router.post(
    "/cases/{case_id}/refer",
    summary="转办/转介 to a resource, with reason and deadline",
    responses=NOT_FOUND,
)
async def refer(
    case_id: int, body: Refer, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    referral = await assignment.refer(
        session,
        clock=runtime.clock,
        actor=actor,
        case_id=case_id,
        resource_id=body.resource_id,
        reason=body.reason,
        due_workdays=body.due_workdays,
    )
    return {"id": referral.id, "case_id": case_id, "due_at": referral.due_at}


@router.post("/cases/{case_id}/attachments", summary="Add a photo or document", responses=NOT_FOUND)
async def add_attachment(
    case_id: int, file: UploadFile, actor: ActorDep, session: SessionDep, runtime: RuntimeDep,
    kind: Annotated[str, Query(pattern="^(photo|voice|document|consent_scan)$")] = "photo",
) -> dict[str, Any]:  # fmt: skip
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    data = await file.read(attachments_service.MAX_BYTES + 1)
    found = await attachments_service.add(
        session,
        clock=runtime.clock,
        storage_dir=runtime.settings.attachments_dir,
        actor=actor,
        case=case,
        kind=kind,
        filename=file.filename or "file",
        data=data,
    )
    return {"id": found.id, "content_type": found.content_type, "size": found.size}


class _NewPerson(Body):
    name: str = Field(default="", max_length=50)
    id_number: str | None = Field(default=None, max_length=30)


class _Delegate(Body):
    name: str = Field(default="", max_length=50, description="代办人姓名")
    relation: str = Field(default="", max_length=30, description="与申请对象关系")


class _WorkOrder(Body):
    hotline: str = Field(default="", max_length=10, description="12345 或 12349")
    number: str = Field(default="", max_length=60, description="工单编号")
    due_date: date | None = Field(default=None, description="工单办结时限(日期)")


class ClerkEntryBody(Body):
    """代录: an application a clerk records (来访, 来电, 热线工单, 村级上报, 线上)."""

    channel: Literal["window", "phone", "hotline", "village_report", "online"]
    text: str = Field(max_length=10_000, description="申请人说的困难和需求")
    region_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="村(社区)")
    beneficiary_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="名册中人")
    beneficiary: _NewPerson | None = Field(default=None, description="名册中没有时: 新登记")
    contact_phone: str | None = Field(default=None, max_length=30)
    delegate: _Delegate | None = Field(default=None, description="他人代为申请时")
    consent: str = Field(default="", max_length=30, description="同意方式")
    items: list[str] | None = Field(default=None, max_length=50, description="省略: 按识别结果")
    emergency: bool | None = Field(default=None, description="省略: 按识别结果")
    work_order: _WorkOrder | None = None


@router.post(
    "/cases",
    summary="代录: file an application a clerk records, through the same services as the chat",
    status_code=201,
    responses={
        200: {"description": "已有办理中的同类案件(已并入),或同一 Idempotency-Key 已提交过"},
        403: {"description": "只有乡镇经办或县级民政可以代录"},
        422: {"description": "逐项说明哪里需要修改 (fields)"},
    },
)
async def enter_case(
    body: ClerkEntryBody, actor: ActorDep, session: SessionDep, runtime: RuntimeDep,
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=64)] = None,
) -> JSONResponse:  # fmt: skip
    person, delegate, order = body.beneficiary, body.delegate, body.work_order
    entry = intake_check.ClerkEntry(
        channel=body.channel,
        text=body.text,
        region_id=body.region_id,
        person_id=body.beneficiary_id,
        name=person.name if person else "",
        id_number=(person.id_number or "") if person else "",
        phone=body.contact_phone or "",
        delegate=delegate is not None,
        applicant_name=delegate.name if delegate else "",
        relation=delegate.relation if delegate else "",
        consent=body.consent,
        items=tuple(body.items) if body.items is not None else None,
        emergency=body.emergency,
        hotline=order.hotline if order else "",
        work_order_no=order.number if order else "",
        work_order_due=order.due_date if order else None,
        nonce=key or "",
    )
    filed = await intake.file(
        session,
        clock=runtime.clock,
        cipher=runtime.cipher,
        classifier=get_classifier(runtime.settings.classifier_keywords),
        actor=actor,
        entry=entry,
    )
    case, now = filed.case, runtime.clock.now()
    due = as_utc(case.due_at) if case.due_at else None
    return JSONResponse(
        {
            "id": case.id,
            "number": case.number,
            "created": filed.created,
            "repeated": filed.repeated,
            "linked_items": list(filed.linked_items),
            "items": case.item_ids,
            "suggested": (case.classification or {}).get("clerk", {}).get("suggested", []),
            "emergency": case.emergency,
            "due_at": iso(due),
            "due_step": case.due_step,
            "due_text": describe(due, now) if due else "",
            "receipt": f"/cases/{case.id}/receipt",
        },
        status_code=201 if filed.created else 200,
    )
