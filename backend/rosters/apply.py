"""Writing checked roster records: persons merged by the keyed hash of their ID, households,
target groups — in batches, so 50,000 persons cost a few dozen statements, not 50,000 look-ups.

Existing persons are loaded once (by hash, in chunks); new rows are inserted in batches; changed
persons are updated by primary key in batches. Nothing is decrypted: a phone is compared by its
hash. Only `flush`-level work happens here; the edge commits (or rolls back for a dry run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.crypto import PersonalDataCipher
from backend.people.groups import GROUP_NAMES
from backend.people.idnumbers import mask_id_number, mask_phone
from backend.people.models import SELF_CARE_NAMES, Household, Person, PersonStatus, TargetGroup
from backend.rosters.records import PersonRecord, Refusal

CHUNK = 500
BATCH = 2000
T = TypeVar("T")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class PersonChange:
    line: int
    name: str  # masked: 张*三
    id_masked: str
    what: tuple[str, ...] = ()


@dataclass
class ApplyResult:
    added: list[PersonChange] = field(default_factory=list)
    changed: list[PersonChange] = field(default_factory=list)
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    households_added: int = 0


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if len(name) > 2 else name[0] + "*"


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_PERSON_COLUMNS = (
    Person.id, Person.id_number_hash, Person.name, Person.region_id, Person.household_id,
    Person.relation_to_head, Person.phone_hash, Person.self_care, Person.carer_name,
    Person.carer_phone_hash, Person.status, Person.status_reason, Person.status_since,
)  # fmt: skip


async def _load_persons(session: AsyncSession, hashes: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(hashes, CHUNK):
        query = select(*_PERSON_COLUMNS).where(Person.id_number_hash.in_(chunk))
        for row in await session.execute(query):
            found[row.id_number_hash] = row
    return found


async def apply(
    session: AsyncSession,
    *,
    now: datetime,
    cipher: PersonalDataCipher,
    records: list[PersonRecord],
    source: str,
    progress: Progress | None = None,
) -> ApplyResult:
    result = ApplyResult()
    report = progress or (lambda _stage, _done, _total: None)
    hashes = [cipher.lookup_hash("id", r.id_number) for r in records]
    head_hash = {
        r.head_id_number: cipher.lookup_hash("id", r.head_id_number)
        for r in records
        if r.head_id_number is not None
    }
    existing = await _load_persons(session, sorted(set(hashes) | set(head_hash.values())))
    kept: list[tuple[PersonRecord, str]] = []
    for record, digest in zip(records, hashes, strict=True):
        old = existing.get(digest)
        if old is not None and old.name != record.name:
            result.refused.append(Refusal(record.line, (
                f"这个身份证号已登记在“{mask_name(old.name)}”名下,与本行姓名不一致,请核对"
            ), record.cells))  # fmt: skip
        elif old is not None and old.status == PersonStatus.exited:
            when = old.status_since.isoformat() if old.status_since else ""
            result.refused.append(Refusal(record.line, (
                f"此人已于{when}登记退出,不再导入;如确需恢复,请先在系统中处理"
            ), record.cells))  # fmt: skip
        else:
            kept.append((record, digest))
    household_of = await _households(session, now=now, kept=kept, existing=existing,
                                     head_hash=head_hash, result=result)  # fmt: skip
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    person_id: dict[str, int] = {}
    person_what: dict[str, list[str]] = {}
    for index, (record, digest) in enumerate(kept):
        old = existing.get(digest)
        household_id = household_of[index]
        if old is None:
            new_rows.append(_new_person(record, cipher, digest, household_id, now))
            continue
        person_id[digest] = old.id
        values, what = _diff(record, old, cipher, household_id)
        if values:
            updates.append({"id": old.id, "updated_at": now, **values})
        person_what[digest] = what
    total = len(new_rows) + len(updates)
    for done, batch in enumerate(_chunks(new_rows, BATCH)):
        # A plain executemany, then the ids by hash: RETURNING goes row by row on SQLite.
        await session.execute(insert(Person), list(batch))
        report("写入", (done + 1) * BATCH, total)
    new_hashes = [row["id_number_hash"] for row in new_rows]
    for chunk in _chunks(new_hashes, CHUNK):
        query = select(Person.id, Person.id_number_hash).where(Person.id_number_hash.in_(chunk))
        for row in await session.execute(query):
            person_id[row.id_number_hash] = row.id
    for batch in _chunks(updates, BATCH):
        await session.execute(update(Person), list(batch))
    group_changes = await _groups(session, now=now, kept=kept, person_id=person_id,
                                  source=source)  # fmt: skip
    for record, digest in kept:
        masked = (mask_name(record.name), mask_id_number(record.id_number))
        fields = tuple(person_what.get(digest, ())) + group_changes.get(digest, ())
        if digest not in existing:
            result.added.append(PersonChange(record.line, *masked))
        elif fields:
            result.changed.append(PersonChange(record.line, *masked, fields))
        else:
            result.unchanged += 1
    await session.flush()
    return result


def _new_person(
    record: PersonRecord, cipher: PersonalDataCipher, digest: str, household_id: int, now: datetime
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": record.name, "gender": record.gender, "birth_date": record.birth_date,
        "id_number_enc": cipher.encrypt(record.id_number), "id_number_hash": digest,
        "id_number_masked": mask_id_number(record.id_number), "region_id": record.region_id,
        "household_id": household_id, "relation_to_head": record.relation,
        "self_care": record.self_care, "carer_name": record.carer_name,
        "status": PersonStatus.active, "created_at": now, "updated_at": now,
        "phone_enc": None, "phone_hash": None, "phone_masked": None,
        "carer_phone_enc": None, "carer_phone_hash": None, "carer_phone_masked": None,
    }  # fmt: skip
    if record.phone:
        row.update(_phone("phone", "phone", record.phone, cipher))
    if record.carer_phone:
        row.update(_phone("carer_phone", "phone", record.carer_phone, cipher))
    return row


def _phone(prefix: str, kind: str, value: str, cipher: PersonalDataCipher) -> dict[str, str]:
    return {
        f"{prefix}_enc": cipher.encrypt(value),
        f"{prefix}_hash": cipher.lookup_hash(kind, value),
        f"{prefix}_masked": mask_phone(value),
    }


def _diff(
    record: PersonRecord, old: Any, cipher: PersonalDataCipher, household_id: int
) -> tuple[dict[str, Any], list[str]]:
    """What the roster changes on an existing person; fields the roster leaves blank stay."""
    values: dict[str, Any] = {}
    what: list[str] = []
    if old.region_id != record.region_id:
        values["region_id"] = record.region_id
        what.append("村(社区)")
    if old.household_id != household_id:
        values["household_id"] = household_id
        what.append("家庭")
    if record.relation is not None and old.relation_to_head != record.relation:
        values["relation_to_head"] = record.relation
        what.append("与户主关系")
    if record.phone and old.phone_hash != cipher.lookup_hash("phone", record.phone):
        values.update(_phone("phone", "phone", record.phone, cipher))
        what.append("联系电话")
    if record.self_care is not None and old.self_care != record.self_care:
        values["self_care"] = record.self_care
        what.append(f"自理能力({SELF_CARE_NAMES[record.self_care]})")
    if record.carer_name and old.carer_name != record.carer_name:
        values["carer_name"] = record.carer_name
        what.append("监护人")
    if record.carer_phone and old.carer_phone_hash != cipher.lookup_hash(
        "phone", record.carer_phone
    ):
        values.update(_phone("carer_phone", "phone", record.carer_phone, cipher))
        what.append("监护人电话")
    return values, what


async def _households(
    session: AsyncSession,
    *,
    now: datetime,
    kept: list[tuple[PersonRecord, str]],
    existing: dict[str, Any],
    head_hash: dict[str, str],
    result: ApplyResult,
) -> list[int]:
    """The household id of each kept record: the head's, a member's, or a new one."""
    chosen: dict[str, int | None] = {}
    address: dict[str, str] = {}
    region: dict[str, int] = {}
    for record, digest in kept:
        key = record.household_key or f"person:{digest}"
        region.setdefault(key, record.region_id)
        if record.address:
            address.setdefault(key, record.address)
        if chosen.get(key) is not None:
            continue
        head = existing.get(head_hash.get(record.head_id_number or "", ""))
        own = existing.get(digest)
        chosen[key] = (head.household_id if head is not None else None) or (
            own.household_id if own is not None else None
        )
    new_keys = [key for key, found in chosen.items() if found is None]
    for batch in _chunks(new_keys, BATCH):
        rows = [
            {"region_id": region[k], "address": address.get(k), "created_at": now,
             "updated_at": now}
            for k in batch
        ]  # fmt: skip
        ids = await _insert_households(session, rows)
        chosen.update(zip(batch, ids, strict=True))
    result.households_added = len(new_keys)
    await _update_addresses(session, now=now, chosen=chosen, address=address, new=set(new_keys))
    return [chosen[r.household_key or f"person:{d}"] or 0 for r, d in kept]


async def _insert_households(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """New household ids in the order of `rows`."""
    if session.get_bind().dialect.name != "sqlite":
        statement = insert(Household).returning(Household.id, sort_by_parameter_order=True)
        return list((await session.execute(statement, rows)).scalars())
    # SQLAlchemy's ordered RETURNING falls back to one statement per row on SQLite (slow and
    # quadratic). It is not needed there: SQLite has one writer at a time and gives each new row
    # the next rowid in VALUES order, so the ascending ids are the order of `rows`.
    ids = sorted((await session.execute(insert(Household).returning(Household.id), rows)).scalars())
    if len(ids) != len(rows) or ids[-1] - ids[0] != len(rows) - 1:
        raise RuntimeError("household ids were not assigned consecutively")
    return ids


async def _update_addresses(
    session: AsyncSession,
    *,
    now: datetime,
    chosen: dict[str, int | None],
    address: dict[str, str],
    new: set[str],
) -> None:
    wanted = {chosen[k]: a for k, a in address.items() if k not in new and chosen[k] is not None}
    ids = sorted(i for i in wanted if i is not None)
    changes = []
    for chunk in _chunks(ids, CHUNK):
        query = select(Household.id, Household.address).where(Household.id.in_(chunk))
        for row in await session.execute(query):
            if row.address != wanted[row.id]:
                changes.append({"id": row.id, "address": wanted[row.id], "updated_at": now})
    for batch in _chunks(changes, BATCH):
        await session.execute(update(Household), list(batch))


async def _groups(
    session: AsyncSession,
    *,
    now: datetime,
    kept: list[tuple[PersonRecord, str]],
    person_id: dict[str, int],
    source: str,
) -> dict[str, tuple[str, ...]]:
    """Insert new target groups, update changed ones; what changed per person hash."""
    ids = sorted(person_id.values())
    current: dict[tuple[int, str], Any] = {}
    columns = (TargetGroup.id, TargetGroup.person_id, TargetGroup.group, TargetGroup.sub_type,
               TargetGroup.disability_grade, TargetGroup.since, TargetGroup.ended_on)  # fmt: skip
    for chunk in _chunks(ids, CHUNK):
        query = select(*columns).where(TargetGroup.person_id.in_(chunk))
        for row in await session.execute(query):
            current[(row.person_id, row.group)] = row
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes: dict[str, tuple[str, ...]] = {}
    for record, digest in kept:
        pid = person_id[digest]
        for entry in record.groups:
            name = GROUP_NAMES[entry.code]
            old = current.get((pid, entry.code))
            if old is None:
                inserts.append({
                    "person_id": pid, "group": entry.code, "sub_type": entry.sub_type,
                    "disability_grade": entry.grade, "source": source[:200],
                    "since": entry.since, "ended_on": None, "created_at": now, "updated_at": now,
                })  # fmt: skip
                changes[digest] = (*changes.get(digest, ()), f"新增类别{name}")
                continue
            before = (old.sub_type, old.disability_grade, old.since, old.ended_on)
            after = (
                entry.sub_type or old.sub_type,
                entry.grade or old.disability_grade,
                entry.since or old.since,
                None,
            )
            if after != before:
                updates.append({
                    "id": old.id, "sub_type": after[0], "disability_grade": after[1],
                    "since": after[2], "ended_on": None, "updated_at": now,
                })  # fmt: skip
                changes[digest] = (*changes.get(digest, ()), f"类别信息{name}")
    for batch in _chunks(inserts, BATCH):
        await session.execute(insert(TargetGroup), list(batch))
    for batch in _chunks(updates, BATCH):
        await session.execute(update(TargetGroup), list(batch))
    return changes
