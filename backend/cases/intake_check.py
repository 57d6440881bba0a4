"""Clerk entry (代录), the checking half: what the clerk typed (`ClerkEntry`), the classifier's
suggestion, and `check` — every field checked before anything is written, every problem reported
at once keyed by its form field, the region within the clerk's own area (a village elsewhere
answers exactly like one that does not exist). `intake.file` files what passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import intake_texts as T
from backend.cases import person_access
from backend.cases import service as cases_service
from backend.cases.items import check_items
from backend.cases.models import Channel
from backend.classifier.classifier import Classifier
from backend.core.clock import Clock, business_date
from backend.core.errors import InvalidInput, NotFound
from backend.people import service as people_service
from backend.people.idnumbers import normalise_phone, parse_id_number
from backend.people.models import Person
from backend.people.service import PersonInput
from backend.regions import service as regions_service
from backend.regions.models import Region, RegionLevel
from backend.staff.actor import Actor
from backend.staff.models import Role

CLERK_ROLES = frozenset({Role.township_officer, Role.county_officer})
CHANNELS = tuple(T.CHANNEL_CHOICES)
_WORK_ORDER_NO = re.compile(r"^[A-Za-z0-9-]{3,40}$")
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_RELATION = 20


@dataclass(frozen=True, slots=True)
class ClerkEntry:
    """What the clerk typed, as typed (the console form and the API both build one)."""

    channel: str
    text: str
    region_id: int | None = None
    person_id: int | None = None  # an existing person from the roster, else a new one:
    name: str = ""
    id_number: str = ""
    phone: str = ""  # the contact number (the applicant's; the beneficiary's when self)
    delegate: bool = False
    applicant_name: str = ""
    relation: str = ""
    consent: str = ""
    items: tuple[str, ...] | None = None  # None: take the classifier's suggestion
    emergency: bool | None = None  # None: take the classifier's suggestion
    hotline: str = ""
    work_order_no: str = ""
    work_order_due: date | None = None
    nonce: str = ""


class EntryInvalid(InvalidInput):
    """One or more fields are wrong; `fields` maps each form field to what is wrong with it."""

    code = "intake_invalid"

    def __init__(self, fields: dict[str, str]) -> None:
        joined = ";".join(f"{T.FIELD_NAMES.get(k, k)}: {v}" for k, v in fields.items())
        super().__init__(joined, fields=fields)
        self.fields = fields


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The classifier's reading of the need: items, the words behind each, emergency."""

    items: list[str]
    words: dict[str, list[str]]
    emergency: bool
    emergency_words: list[str]
    emergency_reason: str
    classification: dict[str, Any] = field(default_factory=dict)


def scrub(entry: ClerkEntry) -> ClerkEntry:
    """Without NUL characters (PostgreSQL refuses them in text; nobody types them)."""
    changes: dict[str, Any] = {}
    for f in fields(entry):
        value = getattr(entry, f.name)
        if isinstance(value, str) and "\x00" in value:
            changes[f.name] = value.replace("\x00", "")
    return replace(entry, **changes) if changes else entry


def suggest(classifier: Classifier, text: str) -> Suggestion:
    found = classifier.classify(text)
    return Suggestion(
        items=found.labels,
        words={label: list(found.words(label)) for label in found.labels},
        emergency=found.emergency,
        emergency_words=list(found.emergency_words),
        emergency_reason=found.emergency_reason,
        classification=found.to_dict(),
    )


@dataclass(frozen=True, slots=True)
class Checked:
    region: Region
    person: Person | None
    new_person: PersonInput | None
    phone: str | None
    items: list[str]
    emergency: bool
    classification: dict[str, Any]


async def _region(
    session: AsyncSession, actor: Actor, entry: ClerkEntry, person: Person | None
) -> tuple[Region | None, str | None]:
    region_id = entry.region_id or (person.region_id if person else None)
    if region_id is None:
        return None, T.REGION_MISSING
    region = await regions_service.get(session, region_id=region_id)
    if (
        region is None
        or region.level == RegionLevel.county
        or not actor.can_act_on(CLERK_ROLES, region.path)
    ):
        return None, T.REGION_UNKNOWN  # elsewhere answers like nowhere
    return region, None


async def _person(
    session: AsyncSession, actor: Actor, entry: ClerkEntry, errors: dict[str, str], today: date
) -> tuple[Person | None, str]:
    """The chosen roster person, or (None, the cleaned name of a new one)."""
    if entry.person_id is not None:
        try:
            return await person_access.person_for_actor(
                session, actor=actor, person_id=entry.person_id
            ), ""
        except NotFound:
            errors["person_id"] = T.PERSON_UNKNOWN
            return None, ""
    name = ""
    try:
        name = people_service.clean_name(entry.name)
    except InvalidInput as exc:
        errors["name"] = exc.message
    if entry.id_number.strip():
        try:
            parse_id_number(entry.id_number, today=today)
        except InvalidInput as exc:
            errors["id_number"] = exc.message
    return None, name


def _work_order(entry: ClerkEntry, errors: dict[str, str], today: date) -> None:
    if entry.channel != Channel.hotline:
        return
    if entry.hotline not in T.HOTLINES:
        errors["hotline"] = T.HOTLINE_MISSING
    number = entry.work_order_no.strip()
    if not number:
        errors["work_order_no"] = T.WORK_ORDER_NO_MISSING
    elif not _WORK_ORDER_NO.match(number):
        errors["work_order_no"] = T.WORK_ORDER_NO_BAD
    if entry.work_order_due is None:
        errors["work_order_due"] = T.WORK_ORDER_DUE_MISSING
    elif entry.work_order_due < today:
        errors["work_order_due"] = T.WORK_ORDER_DUE_PAST
    elif entry.work_order_due > today + timedelta(days=366):
        errors["work_order_due"] = T.WORK_ORDER_DUE_FAR


def _applicant(entry: ClerkEntry, errors: dict[str, str], person: Person | None) -> str | None:
    """Check the applicant and the contact phone; the phone, normalised. A roster person applying
    for themselves may be reached on the phone of their record."""
    phone = None
    if entry.phone.strip():
        try:
            phone = normalise_phone(entry.phone)
        except InvalidInput as exc:
            errors["phone"] = exc.message
    elif entry.delegate:
        errors["phone"] = T.DELEGATE_PHONE_MISSING
    elif entry.channel in (Channel.phone, Channel.hotline) and not (person and person.phone_enc):
        errors["phone"] = T.PHONE_NEEDED
    if entry.delegate:
        try:
            people_service.clean_name(entry.applicant_name)
        except InvalidInput:
            errors["applicant_name"] = T.DELEGATE_NAME_MISSING
        relation = entry.relation.strip()
        if not relation:
            errors["relation"] = T.RELATION_MISSING
        elif len(relation) > MAX_RELATION:
            errors["relation"] = T.RELATION_LONG
    return phone


def _need(
    classifier: Classifier, entry: ClerkEntry, errors: dict[str, str]
) -> tuple[list[str], bool, dict[str, Any]]:
    """The items and emergency flag (the clerk's, else the suggestion's) and what to store of
    the classification: the words of the kept items and what the clerk changed."""
    text = entry.text.strip()
    if not text:
        errors["text"] = T.TEXT_MISSING
    elif len(text) > cases_service.MAX_TEXT_LENGTH:
        errors["text"] = f"最多{cases_service.MAX_TEXT_LENGTH}个字"
    hint = suggest(classifier, text)
    items: list[str] = []
    try:
        items = check_items(hint.items if entry.items is None else entry.items)
    except InvalidInput as exc:
        errors["items"] = exc.message
    emergency = hint.emergency if entry.emergency is None else entry.emergency
    if not items and not emergency and "items" not in errors and "text" not in errors:
        errors["items"] = T.ITEMS_MISSING
    stored = dict(hint.classification)
    scores = stored.get("scores", {})
    stored["scores"] = {k: v for k, v in scores.items() if k in items}
    stored["labels"] = [k for k in stored.get("labels", []) if k in items]
    stored["clerk"] = {
        "suggested": hint.items,
        "added": [i for i in items if i not in hint.items],
        "removed": [i for i in hint.items if i not in items],
        "emergency_suggested": hint.emergency,
        "emergency": emergency,
    }
    return items, emergency, stored


async def check(
    session: AsyncSession,
    *,
    clock: Clock,
    classifier: Classifier,
    actor: Actor,
    entry: ClerkEntry,
) -> Checked:
    """Every field checked, nothing written; `EntryInvalid` lists every problem at once."""
    entry = scrub(entry)
    today = business_date(clock.now())
    errors: dict[str, str] = {}
    if entry.channel not in CHANNELS:
        errors["channel"] = T.CHANNEL_MISSING
    if entry.nonce and not NONCE.match(entry.nonce):
        errors["nonce"] = T.NONCE_BAD
    _work_order(entry, errors, today)
    person, name = await _person(session, actor, entry, errors, today)
    region, problem = await _region(session, actor, entry, person)
    if problem:
        errors["region_id"] = problem
    phone = _applicant(entry, errors, person)
    items, emergency, stored = _need(classifier, entry, errors)
    if entry.consent not in T.CONSENT_METHODS:
        errors["consent"] = T.CONSENT_MISSING
    elif entry.consent == "emergency_report" and not emergency:
        errors["consent"] = T.CONSENT_EMERGENCY_ONLY
    if errors or region is None:
        raise EntryInvalid(errors)
    new_person = None
    if person is None:
        new_person = PersonInput(
            name=name,
            region=region,
            id_number=entry.id_number.strip() or None,
            phone=None if entry.delegate else phone,
        )
    return Checked(region, person, new_person, phone, items, emergency, stored)
