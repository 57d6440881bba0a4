"""Persons: creation and matching, with ID numbers and phones protected; whether duties apply.

A person is matched by the keyed hash of the ID number when one is given; without one, by name and
phone within the same township — never by name alone, which is common in a village.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import Clock, business_date
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Conflict, InvalidInput, NotFound
from backend.people.idnumbers import mask_phone, normalise_phone, parse_id_number
from backend.people.models import Person, PersonStatus
from backend.regions.models import Region

MAX_NAME_LENGTH = 30


@dataclass(frozen=True, slots=True)
class PersonInput:
    name: str
    region: Region
    id_number: str | None = None
    phone: str | None = None


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput("姓名不能为空", code="name_empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"姓名最多{MAX_NAME_LENGTH}个字", code="name_long")
    return name


async def get(session: AsyncSession, *, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def get_or_raise(session: AsyncSession, *, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound("找不到这个人", code="person_not_found")
    return person


async def get_by_id_number(
    session: AsyncSession, *, cipher: PersonalDataCipher, id_number: str
) -> Person | None:
    value = parse_id_number(id_number).value
    digest = cipher.lookup_hash("id", value)
    result = await session.execute(select(Person).where(Person.id_number_hash == digest))
    return result.scalar_one_or_none()


async def find_or_create(
    session: AsyncSession, *, clock: Clock, cipher: PersonalDataCipher, data: PersonInput
) -> Person:
    """The existing person this input describes, or a new one."""
    name = clean_name(data.name)
    ident = (
        parse_id_number(data.id_number, today=business_date(clock.now()))
        if (data.id_number)
        else None
    )
    phone = normalise_phone(data.phone) if data.phone else None
    now = clock.now()
    if ident is not None:
        digest = cipher.lookup_hash("id", ident.value)
        found = (
            await session.execute(select(Person).where(Person.id_number_hash == digest))
        ).scalar_one_or_none()
        if found is not None:
            if found.name != name:
                raise Conflict(
                    "这个身份证号已登记在另一个姓名下,请核对姓名和证件号", code="id_name_mismatch"
                )
            if phone and not found.phone_hash:
                _set_phone(found, cipher, phone)
                found.updated_at = now
            return found
    elif phone is not None:
        township_prefix = data.region.path.split("/")[0:2]
        prefix = "/".join(township_prefix) + "/"
        candidates = (
            (
                await session.execute(
                    select(Person)
                    .join(Region, Region.id == Person.region_id)
                    .where(
                        Person.name == name,
                        Person.phone_hash == cipher.lookup_hash("phone", phone),
                        Region.path.startswith(prefix),
                    )
                )
            )
            .scalars()
            .all()
        )
        if len(candidates) == 1:
            return candidates[0]
    person = Person(
        name=name,
        region_id=data.region.id,
        created_at=now,
        updated_at=now,
    )
    if ident is not None:
        person.id_number_enc = cipher.encrypt(ident.value)
        person.id_number_hash = cipher.lookup_hash("id", ident.value)
        person.id_number_masked = ident.masked
        person.birth_date = ident.birth_date
        person.gender = ident.gender
    if phone is not None:
        _set_phone(person, cipher, phone)
    session.add(person)
    await session.flush()
    return person


def _set_phone(person: Person, cipher: PersonalDataCipher, phone: str) -> None:
    person.phone_enc = cipher.encrypt(phone)
    person.phone_hash = cipher.lookup_hash("phone", phone)
    person.phone_masked = mask_phone(phone)


def reveal_id_number(person: Person, *, cipher: PersonalDataCipher) -> str | None:
    """The full ID number; callers must check the role and write an audit entry first."""
    return cipher.decrypt(person.id_number_enc) if person.id_number_enc else None


def has_duties(person: Person, at: datetime) -> bool:
    """True when reminders, visit duties and surveys apply to the person on the date of `at`.

    The same rule as `active_recipients_filter`, for one loaded person.
    """
    day = business_date(at)
    if person.status_since is None or person.status_since <= day:
        return person.status == PersonStatus.active
    return person.previous_status in (None, PersonStatus.active)


def active_recipients_filter(at: datetime) -> ColumnElement[bool]:
    """A WHERE clause: persons in 在册 status on the business date of `at` (scheduler sweeps).

    An exit or pause takes effect on its date; for a date before the last change the status before
    it counts (a person who had no earlier change was active).
    """
    day = business_date(at)
    current_applies = or_(Person.status_since.is_(None), Person.status_since <= day)
    return or_(
        and_(current_applies, Person.status == PersonStatus.active),
        and_(
            ~current_applies,
            or_(Person.previous_status.is_(None), Person.previous_status == PersonStatus.active),
        ),
    )


async def list_household_members(session: AsyncSession, *, person: Person) -> list[Person]:
    """The person and everyone in the same household (the person alone without one)."""
    if person.household_id is None:
        return [person]
    query = select(Person).where(Person.household_id == person.household_id).order_by(Person.id)
    return list((await session.execute(query)).scalars())
