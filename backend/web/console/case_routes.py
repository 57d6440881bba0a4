"""Console pages of one case (timeline, actions incl. 补办 and 公示 objections), one person
(一人一档, with the audited view of a full ID number) and the ledger download (the resource
directory: `resource_routes`).
Every form post is CSRF-checked and ends in a redirect (post/redirect/get) — except the full ID
number, which is answered on the page itself so that it is shown once and kept nowhere.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.cases import assignment, person_access, relief, workflow
from backend.cases import attachments as attachments_service
from backend.cases import service as cases_service
from backend.cases.models import STATUS_NAMES, CaseStatus
from backend.core.clock import business_date
from backend.core.errors import InvalidInput
from backend.ledger import export
from backend.ledger import service as ledger_service
from backend.people.consent import STATE_NAMES
from backend.resources import service as resources_service
from backend.resources.models import KIND_NAMES
from backend.web import pages
from backend.web.api.ledger import XLSX, download
from backend.web.console.render import ConsoleUser, PostUserDep, UserDep, mark_console, page
from backend.web.console.routes import _areas
from backend.web.deps import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_console)])
Note = Annotated[str, Form(max_length=2000)]


def _done(case_id: int, message: str) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}?msg={quote(message)}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, case_id: int, user: UserDep, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    data = await pages.case_page(
        session, actor=user.actor, case_id=case_id, now=runtime.clock.now()
    )
    resources = await resources_service.list_for_actor(session, actor=user.actor)
    return page(
        request,
        "case.html",
        user,
        p=data,
        resources=resources,
        kind_names=KIND_NAMES,
        event_names=pages.EVENT_NAMES,
    )


@router.post("/cases/{case_id}/move")
async def move(
    case_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    to: Annotated[str, Form(max_length=20)], note: Note = "",
) -> Response:  # fmt: skip
    if to not in CaseStatus.__members__:
        raise InvalidInput("请选择要办理的步骤", code="move_missing")
    case = await workflow.transition(
        session,
        clock=runtime.clock,
        actor=user.actor,
        case_id=case_id,
        to=CaseStatus(to),
        note=note or None,
    )
    return _done(case.id, f"已办理: 案件{case.number}现在是“{STATUS_NAMES[case.status]}”")


@router.post("/cases/{case_id}/assign")
async def assign(
    case_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    assignee: Annotated[str, Form(max_length=12)] = "", note: Note = "",
) -> Response:  # fmt: skip
    if not assignee.isdigit() or len(assignee) > 9:
        raise InvalidInput("请选择分派给谁", code="assignee_missing")
    await assignment.assign(
        session,
        clock=runtime.clock,
        actor=user.actor,
        case_id=case_id,
        assignee_staff_id=int(assignee),
        note=note or None,
    )
    return _done(case_id, "已分派")


@router.post("/cases/{case_id}/refer")
async def refer(
    case_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    resource: Annotated[str, Form(max_length=12)] = "", reason: Note = "",
    days: Annotated[int, Form(ge=1, le=60)] = 5,
) -> Response:  # fmt: skip
    if not resource.isdigit() or len(resource) > 9:
        raise InvalidInput("请选择转介给哪个部门或机构", code="resource_missing")
    await assignment.refer(
        session,
        clock=runtime.clock,
        actor=user.actor,
        case_id=case_id,
        resource_id=int(resource),
        reason=reason,
        due_workdays=days,
    )
    return _done(case_id, "已转介,对方办理时限见“转介记录”")


@router.post("/cases/{case_id}/attachments")
async def upload(
    case_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    file: Annotated[UploadFile, File()], kind: Annotated[str, Form(max_length=20)] = "photo",
) -> Response:  # fmt: skip
    case = await cases_service.get_for_actor(session, actor=user.actor, case_id=case_id)
    data = await file.read(attachments_service.MAX_BYTES + 1)
    await attachments_service.add(
        session,
        clock=runtime.clock,
        storage_dir=runtime.settings.attachments_dir,
        actor=user.actor,
        case=case,
        kind=kind,
        filename=file.filename or "file",
        data=data,
    )
    return _done(case_id, "附件已上传")


@router.post("/cases/{case_id}/backfill")
async def backfill(
    case_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    step: Annotated[str, Form(max_length=10)] = "", note: Note = "",
) -> Response:  # fmt: skip
    if step not in relief.BACKFILL_NAMES:
        raise InvalidInput("请选择要补办的手续", code="backfill_step")
    await relief.backfill(
        session,
        clock=runtime.clock,
        actor=user.actor,
        case_id=case_id,
        step="review" if step == "review" else "approve",
        note=note or None,
    )
    return _done(case_id, f"已记录{relief.BACKFILL_NAMES[step]}")


@router.post("/cases/{case_id}/objections")
async def objection(
    case_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep, text: Note = ""
) -> Response:
    await relief.record_objection(
        session, clock=runtime.clock, actor=user.actor, case_id=case_id, text=text
    )
    return _done(case_id, "异议已登记;处理完异议前不能审批")


@router.post("/cases/{case_id}/objections/resolve")
async def resolve_objection(
    case_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    outcome: Annotated[str, Form(max_length=10)] = "", note: Note = "",
) -> Response:  # fmt: skip
    if outcome not in ("upheld", "dismissed"):
        raise InvalidInput("请选择异议是否成立", code="objection_outcome")
    case = await relief.resolve_objection(
        session,
        clock=runtime.clock,
        actor=user.actor,
        case_id=case_id,
        upheld=outcome == "upheld",
        note=note,
    )
    if outcome == "upheld":
        return _done(case.id, "异议成立,案件已退回入户调查")
    return _done(case.id, "已记录: 异议不成立")


@router.post("/cases/{case_id}/referrals/{referral_id}/answer")
async def answer_referral(
    case_id: int, referral_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    answer: Note = "",
) -> Response:  # fmt: skip
    await assignment.answer_referral(
        session, clock=runtime.clock, actor=user.actor, case_id=case_id,
        referral_id=referral_id, answer=answer,
    )  # fmt: skip
    return _done(case_id, "已记录转介回复")


async def _person(
    request: Request, user: ConsoleUser, session: SessionDep, runtime: RuntimeDep,
    person_id: int, full_id: str | None = None,
) -> HTMLResponse:  # fmt: skip
    data = await pages.person_page(
        session, actor=user.actor, person_id=person_id, now=runtime.clock.now()
    )
    response = page(
        request,
        "person.html",
        user,
        p=data,
        full_id=full_id,
        consent_names=STATE_NAMES,
        event_names=pages.EVENT_NAMES,
    )
    if full_id is not None:
        response.headers["Cache-Control"] = "no-store"  # shown once: never from a cache
    return response


@router.get("/people/{person_id}", response_class=HTMLResponse)
async def person_page(
    request: Request, person_id: int, user: UserDep, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    return await _person(request, user, session, runtime, person_id)


@router.post("/people/{person_id}/id-number", response_class=HTMLResponse)
async def reveal_id(
    request: Request, person_id: int, user: PostUserDep, session: SessionDep,
    runtime: RuntimeDep, reason: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:  # fmt: skip
    """The person page with the full ID number shown this once (the reason is audited)."""
    number = await person_access.reveal_full_id(
        session,
        clock=runtime.clock,
        cipher=runtime.cipher,
        actor=user.actor,
        person_id=person_id,
        reason=reason,
    )
    return await _person(request, user, session, runtime, person_id, full_id=number or "")


@router.get("/ledger", response_class=HTMLResponse)
async def ledger_form(
    request: Request, user: UserDep, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    townships, _ = await _areas(session, user)
    today = business_date(runtime.clock.now())
    return page(request, "ledger.html", user, townships=townships, today=today)


@router.get("/ledger/download")
async def ledger_download(
    user: UserDep, session: SessionDep, runtime: RuntimeDep,
    township: Annotated[int, Query(ge=1, le=2**31 - 1)],
    year: Annotated[int, Query(ge=2000, le=2100)],
    month: Annotated[int, Query(ge=1, le=12)],
    format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",
) -> Response:  # fmt: skip
    built = await ledger_service.build(
        session,
        clock=runtime.clock,
        cipher=runtime.cipher,
        actor=user.actor,
        township_id=township,
        year=year,
        month=month,
    )
    if format == "csv":
        return download(export.to_csv(built), "text/csv; charset=utf-8", built.filename + ".csv")
    return download(export.to_xlsx(built), XLSX, built.filename + ".xlsx")
