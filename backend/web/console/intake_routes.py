"""Console: clerk entry (代录) and the printable 受理回执.

One form, four buttons: 查找 (the roster of the clerk's area), 识别 (the classifier ticks the
items and shows its words), 检查 (the default of the Enter key: checks, files nothing) and 提交.
The first 提交 of a text that was never 识别'd adds the suggestion and shows the form again,
so the clerk always sees what the classifier read before a case is filed. Every problem is shown
beside its field with the form kept filled; a filed form redirects to its receipt
(post/redirect/get), and its nonce makes a second submission land on the same case.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from backend.cases import intake, intake_check, intake_roster, person_access, receipt, receipt_docx
from backend.cases import intake_texts as T
from backend.cases.intake_check import ClerkEntry, EntryInvalid, Suggestion
from backend.classifier import service as classifier_service
from backend.classifier.service import get_classifier
from backend.core.clock import business_date
from backend.core.errors import NotFound
from backend.web.console.render import ConsoleUser, PostUserDep, UserDep, mark_console, page
from backend.web.deps import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_console)])
TEXT_FIELDS = ("channel", "hotline", "work_order_no", "work_order_due", "q", "name", "id_number",
               "region_id", "phone", "applicant", "applicant_name", "relation", "consent", "text",
               "person_id", "nonce", "checked")  # fmt: skip


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _values(form: FormData) -> dict[str, str]:
    return {k: str(form.get(k, "") or "")[:10_000].strip() for k in TEXT_FIELDS}


def _entry(values: dict[str, str], items: list[str], emergency: bool) -> ClerkEntry:
    return ClerkEntry(
        channel=values["channel"],
        text=values["text"],
        region_id=_int(values["region_id"]),
        person_id=_int(values["person_id"]),
        name=values["name"],
        id_number=values["id_number"],
        phone=values["phone"],
        delegate=values["applicant"] == "delegate",
        applicant_name=values["applicant_name"],
        relation=values["relation"],
        consent=values["consent"],
        items=tuple(items),
        emergency=emergency,
        hotline=values["hotline"],
        work_order_no=values["work_order_no"],
        work_order_due=_date(values["work_order_due"]),
        nonce=values["nonce"],
    )


async def _form(
    request: Request, user: ConsoleUser, session: SessionDep, runtime: RuntimeDep, *,
    values: dict[str, str], items: list[str], emergency: bool, hint: Suggestion | None = None,
    errors: dict[str, str] | None = None, hits: list[intake_roster.Hit] | None = None,
    message: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    chosen = None
    person_id = _int(values.get("person_id", ""))
    if person_id is not None:
        try:
            person = await person_access.person_for_actor(
                session, actor=user.actor, person_id=person_id
            )
            chosen = await intake_roster.hit(session, person=person)
        except NotFound:
            values = {**values, "person_id": ""}
    if chosen is not None and not values.get("region_id"):
        values = {**values, "region_id": str(chosen.region_id)}
    errors = errors or {}
    response = page(
        request,
        "intake.html",
        user,
        v=values,
        items=set(items),
        emergency=emergency,
        hint=hint,
        errors=errors,
        hits=hits,
        chosen=chosen,
        areas=await intake.areas(session, actor=user.actor),
        categories=classifier_service.labels_by_category(),
        channels=T.CHANNEL_CHOICES,
        hotlines=T.HOTLINES,
        consents=T.CONSENT_METHODS,
        names=T.FIELD_NAMES,
        today=business_date(runtime.clock.now()).isoformat(),
        message=message,
        error=T.FORM_HAS_ERRORS.format(
            count=len(errors), fields="、".join(T.FIELD_NAMES.get(k, k) for k in errors)
        )
        if errors
        else None,
    )
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"  # names and ID numbers: never from a cache
    return response


def _no_text() -> dict[str, str]:
    return {"text": T.TEXT_MISSING}


@router.get("/intake", response_class=HTMLResponse)
async def intake_form(
    request: Request, user: UserDep, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    intake.require_clerk(user.actor)
    values = dict.fromkeys(TEXT_FIELDS, "") | {"nonce": intake.new_nonce(), "applicant": "self"}
    return await _form(request, user, session, runtime, values=values, items=[], emergency=False)


@router.post("/intake", response_class=HTMLResponse)
async def intake_post(
    request: Request, user: PostUserDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    intake.require_clerk(user.actor)
    form = await request.form()
    values = _values(form)
    items = [str(i) for i in form.getlist("items")][:50]
    emergency = form.get("emergency") == "1"
    action = str(form.get("action", "check"))
    classifier = get_classifier(runtime.settings.classifier_keywords)
    show: dict[str, Any] = {"values": values, "items": items, "emergency": emergency}
    request.state.read_only = action != "submit"  # nothing filed: no "change" audit entry
    if action == "search":
        try:
            hits = await intake_roster.search(
                session, clock=runtime.clock, cipher=runtime.cipher, actor=user.actor,
                query=values["q"],
            )  # fmt: skip
        except EntryInvalid as exc:
            return await _form(request, user, session, runtime, **show, errors=exc.fields)
        return await _form(request, user, session, runtime, **show, hits=hits)
    hint = intake_check.suggest(classifier, values["text"]) if values["text"] else None
    if action == "classify":  # 识别: the suggestion replaces the ticks
        if hint is None:
            return await _form(request, user, session, runtime, **show, errors=_no_text())
        values["checked"] = _digest(values["text"])
        show |= {"items": hint.items, "emergency": hint.emergency, "message": T.CHECK_SUGGESTION}
        return await _form(request, user, session, runtime, **show, hint=hint)
    if action == "submit" and hint is not None and values["checked"] != _digest(values["text"]):
        # never 识别'd (or the text changed since): add the suggestion, show it, file nothing
        values["checked"] = _digest(values["text"])
        show |= {"items": sorted({*items, *hint.items}), "emergency": emergency or hint.emergency,
                 "message": T.CHECK_SUGGESTION}  # fmt: skip
        action = "check"
    entry = _entry(values, show["items"], show["emergency"])
    if action != "submit":  # 检查 (and the Enter key): the problems, or that it may be filed
        request.state.read_only = True
        try:
            await intake_check.check(
                session, clock=runtime.clock, classifier=classifier, actor=user.actor, entry=entry
            )
        except EntryInvalid as exc:
            show["errors"] = exc.fields
            return await _form(request, user, session, runtime, **show, hint=hint)
        show.setdefault("message", T.CHECK_OK)
        return await _form(request, user, session, runtime, **show, hint=hint)
    try:
        async with session.begin_nested():  # a refusal leaves no nonce and no person behind
            filed = await intake.file(
                session, clock=runtime.clock, cipher=runtime.cipher, classifier=classifier,
                actor=user.actor, entry=entry,
            )  # fmt: skip
    except EntryInvalid as exc:
        request.state.read_only = True
        return await _form(
            request, user, session, runtime, **show, hint=hint, errors=exc.fields, status=422
        )
    if filed.repeated:
        note = T.REPEATED
    elif filed.created:
        note = T.FILED
    else:
        note = T.LINKED
    target = f"/cases/{filed.case.id}/receipt?msg={quote(note.format(number=filed.case.number))}"
    if not filed.created and not filed.repeated:
        target += "&linked=1"
    return RedirectResponse(target, status_code=303)


@router.get("/cases/{case_id}/receipt", response_class=HTMLResponse)
async def receipt_page(
    request: Request, case_id: int, user: UserDep, session: SessionDep,
    paper: Annotated[str, Query(pattern="^(a4|a5)$")] = "a5",
    linked: Annotated[str, Query(max_length=1)] = "",
) -> HTMLResponse:  # fmt: skip
    """The 受理回执 to print: the sheet alone (A5, or A4), a screen-only bar above it."""
    data = await receipt.build(session, actor=user.actor, case_id=case_id)
    return page(
        request, "receipt.html", user, r=data, case_id=case_id, paper=paper, T=T,
        linked=linked == "1", docx=True, may_enter=intake.may_enter(user.actor),
    )  # fmt: skip


@router.get("/cases/{case_id}/receipt.docx")
async def receipt_word(
    case_id: int, user: UserDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The same receipt as Word, from the county's template when it has one (receipt_docx)."""
    data = await receipt.build(session, actor=user.actor, case_id=case_id)
    county = data.number.split("-", 1)[0]
    template = receipt_docx.template_for(runtime.settings.var_dir, county)
    body = receipt_docx.render(data, template=template)
    name = quote(f"受理回执-{data.number}.docx")
    return Response(
        body,
        media_type=receipt_docx.DOCX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )
