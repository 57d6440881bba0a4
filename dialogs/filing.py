"""Turn a finished (or an emergency) conversation into a case through the case service: a
resident's or a delegate's application (`file`), or a worker's report of a household
(`file_report`).

Personal data in the conversation state is kept encrypted (phone, ID number) and decrypted only
here, for the services that store it protected again.
"""

from __future__ import annotations

from typing import Any

from backend.cases import notify
from backend.cases import service as cases_service
from backend.cases.models import ApplicantKind, Channel
from backend.cases.schemas import NewCase, SubmitResult
from backend.people import service as people_service
from backend.people.models import Person
from backend.people.service import PersonInput
from backend.regions import service as regions_service
from backend.regions.models import Region
from backend.staff.actor import Actor
from dialogs.context import Context

UNKNOWN_NAME = "未留姓名"


def _chat(data: dict[str, Any]) -> dict[str, Any]:
    """What the chat adds to a case besides words: photo and voice references, a location."""
    chat: dict[str, Any] = {
        "photos": data.get("photos", []),
        "voices": data.get("voices", []),
        "needs_listening": bool(data.get("voices")),
    }
    if data.get("location"):
        chat["location"] = data["location"]
    return chat


def _text(data: dict[str, Any]) -> str:
    texts = [data.get("text") or "", *data.get("emergency_texts", [])]
    return "\n".join(dict.fromkeys(t for t in texts if t))


def _plain(ctx: Context, data: dict[str, Any], key: str) -> str | None:
    token = data.get(key)
    return ctx.cipher.decrypt(token) if token else None


async def _region(ctx: Context, data: dict[str, Any]) -> Region | None:
    for key in ("village_id", "township_id"):
        if data.get(key):
            return await regions_service.get(ctx.session, region_id=int(data[key]))
    return None


async def known_region(ctx: Context, data: dict[str, Any]) -> Region | None:
    """The most precise region known: chosen in the chat, else the bound person's village."""
    region = await _region(ctx, data)
    if region is None:
        identity = await ctx.identity()
        if identity.person_id is not None:
            person = await people_service.get_or_raise(ctx.session, person_id=identity.person_id)
            region = await regions_service.get(ctx.session, region_id=person.region_id)
    return region


async def _beneficiary(ctx: Context, data: dict[str, Any], region: Region) -> Person:
    identity = await ctx.identity()
    delegate = data.get("mode") == "delegate"
    if delegate:
        name, phone = data.get("ben_name"), _plain(ctx, data, "ben_phone_enc")
    else:
        if identity.person_id is not None and not data.get("name"):
            return await people_service.get_or_raise(ctx.session, person_id=identity.person_id)
        name, phone = data.get("name"), _plain(ctx, data, "phone_enc")
    return await people_service.find_or_create(
        ctx.session,
        clock=ctx.clock,
        cipher=ctx.cipher,
        data=PersonInput(
            name=name or ctx.display_name or UNKNOWN_NAME,
            region=region,
            id_number=_plain(ctx, data, "id_enc"),
            phone=phone,
        ),
    )


def _consent(data: dict[str, Any]) -> str:
    # An emergency report may come before the consent step: 救急难 does not wait for paperwork.
    return "chat_confirmed" if data.get("consent") else "emergency_report"


async def file(ctx: Context, data: dict[str, Any], *, region: Region) -> SubmitResult:
    identity = await ctx.identity()
    delegate = data.get("mode") == "delegate"
    person = await _beneficiary(ctx, data, region)
    emergency = bool(data.get("emergency"))
    text = _text(data)
    chat = _chat(data)
    request = NewCase(
        beneficiary_id=person.id,
        region_id=region.id,
        channel=Channel(ctx.channel),
        applicant_kind=ApplicantKind.delegate if delegate else ApplicantKind.self,
        text=text or "(紧急求助,未留文字)",
        items=tuple(data.get("items", [])),
        emergency=emergency,
        classification={**data.get("classification", {}), "chat": chat},
        applicant_person_id=identity.person_id if delegate else person.id,
        applicant_name=(ctx.display_name or None) if delegate else person.name,
        applicant_phone=_plain(ctx, data, "phone_enc"),
        delegate_relation=(data.get("relation") or "未说明") if delegate else None,
        consent_method=_consent(data) if delegate else None,
        external_ref=notify.chat_ref(identity.id),
    )
    actor = Actor.person(request.applicant_person_id, "申请人(聊天)")
    result = await cases_service.submit(
        ctx.session, clock=ctx.clock, cipher=ctx.cipher, actor=actor, request=request
    )
    return result  # an emergency case alerts the township inside `cases_service.submit`


async def file_report(
    ctx: Context, data: dict[str, Any], *, actor: Actor, region: Region
) -> SubmitResult:
    """A worker's report (主动发现, channel 村级上报): the beneficiary is the chosen household's
    person (`person_id`, already checked against the worker's scope) or a new person in `region`.
    The case service checks the worker's role over the region again."""
    identity = await ctx.identity()
    if data.get("person_id"):
        person = await people_service.get_or_raise(ctx.session, person_id=int(data["person_id"]))
    else:
        person = await people_service.find_or_create(
            ctx.session,
            clock=ctx.clock,
            cipher=ctx.cipher,
            data=PersonInput(
                name=data.get("new_name") or UNKNOWN_NAME,
                region=region,
                phone=_plain(ctx, data, "new_phone_enc"),
            ),
        )
    emergency = bool(data.get("emergency")) or data.get("urgency") == "urgent"
    chat = {**_chat(data), "urgency": "紧急" if emergency else "一般"}
    request = NewCase(
        beneficiary_id=person.id,
        region_id=region.id,
        channel=Channel.village_report,
        applicant_kind=ApplicantKind.worker,
        text=_text(data) or "(紧急上报,未留文字)",
        items=tuple(data.get("items", [])),
        emergency=emergency,
        classification={**data.get("classification", {}), "chat": chat},
        applicant_name=actor.label[:50] or None,
        external_ref=notify.chat_ref(identity.id),
    )
    return await cases_service.submit(
        ctx.session, clock=ctx.clock, cipher=ctx.cipher, actor=actor, request=request
    )
