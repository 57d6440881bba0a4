"""The roster look-up of the clerk entry: persons of the clerk's own area by name, or by the keyed
hash of an ID number. Hits show masked numbers only; every search is audited (what was searched
for is not: a name or an ID number is personal data)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.cases import intake_texts as T
from backend.cases.intake_check import CLERK_ROLES, EntryInvalid
from backend.core.clock import Clock, business_date
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import InvalidInput
from backend.people.idnumbers import parse_id_number
from backend.people.models import Person
from backend.regions.models import Region
from backend.staff.actor import Actor

MAX_HITS = 20
_ID_LIKE = re.compile(r"^[0-9xX\s\-]{15,}$|^\d(\.\d+)?E\+?\d+$")


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    name: str
    gender: str | None
    birth_year: int | None
    id_number_masked: str | None
    phone_masked: str | None
    region_id: int
    village: str


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def search(
    session: AsyncSession, *, clock: Clock, cipher: PersonalDataCipher, actor: Actor, query: str
) -> list[Hit]:
    """Persons of the clerk's area whose name contains `query`, or whose ID number it is."""
    text = " ".join(query.replace("\x00", "").split())
    if not text or len(text) > 30:
        raise EntryInvalid({"q": T.SEARCH_SHORT})
    paths = [g.region_path for g in actor.grants if g.role in CLERK_ROLES]
    if not paths:
        return []
    by_id = bool(_ID_LIKE.match(text))
    if by_id:
        try:
            value = parse_id_number(text, today=business_date(clock.now())).value
        except InvalidInput as exc:
            raise EntryInvalid({"q": exc.message}) from exc
        match = Person.id_number_hash == cipher.lookup_hash("id", value)
    else:
        match = Person.name.like(_like(text), escape="\\")
    rows = await session.execute(
        select(Person, Region.name)
        .join(Region, Region.id == Person.region_id)
        .where(match, or_(*(Region.path.startswith(p) for p in paths)))
        .order_by(Person.name, Person.id)
        .limit(MAX_HITS)
    )
    hits = [
        Hit(
            id=person.id,
            name=person.name,
            gender=person.gender,
            birth_year=person.birth_date.year if person.birth_date else None,
            id_number_masked=person.id_number_masked,
            phone_masked=person.phone_masked,
            region_id=person.region_id,
            village=village,
        )
        for person, village in rows
    ]
    await audit.record(
        session,
        clock=clock,
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        action="people.search",
        entity_type="person",
        detail={"by": "id_number" if by_id else "name", "hits": len(hits)},
    )
    return hits


async def hit(session: AsyncSession, *, person: Person) -> Hit:
    """The chosen person shown the way a search shows them."""
    region = await session.get(Region, person.region_id)
    return Hit(
        id=person.id,
        name=person.name,
        gender=person.gender,
        birth_year=person.birth_date.year if person.birth_date else None,
        id_number_masked=person.id_number_masked,
        phone_masked=person.phone_masked,
        region_id=person.region_id,
        village=region.name if region else "",
    )
