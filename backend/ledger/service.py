"""The rows of a township's monthly needs ledger (服务类社会救助需求台账).

Rows are the cases filed in the month (business dates, Asia/Shanghai) in the township, in filing
order, limited to what the actor may see. ID and phone numbers are full only for the roles that
may see them (township and county officers); each export that shows full numbers writes one audit
entry (who, when, which ledger, why). Nothing here formats cells: see `export.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.cases import items as items_service
from backend.cases import person_access, queue
from backend.cases.assignment import CaseAssignment
from backend.cases.models import CHANNEL_NAMES, STATUS_NAMES, Case, CaseStatus
from backend.core.clock import BUSINESS_TZ, Clock, as_utc, business_date
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import InvalidInput, NotFound
from backend.people.groups import GROUP_NAMES
from backend.people.models import Person, TargetGroup
from backend.regions import service as regions_service
from backend.resources.models import CaseReferral, Resource
from backend.staff.actor import Actor
from backend.staff.models import StaffMember

TITLE = "服务类社会救助需求台账"
COLUMNS = (
    "序号", "村(社区)", "姓名", "性别", "年龄", "身份证号", "对象类别", "联系电话", "需求来源",
    "服务需求", "服务项目", "服务主体", "状态", "办理时限", "登记日期", "备注",
)  # fmt: skip
MAX_NEED_TEXT = 200


@dataclass(frozen=True, slots=True)
class Ledger:
    township: str
    year: int
    month: int
    rows: list[tuple[str, ...]]
    made_by: str
    made_on: date
    full_numbers: bool

    @property
    def title(self) -> str:
        return f"{self.township} {self.year}年{self.month}月 {TITLE}"

    @property
    def filename(self) -> str:
        return f"{self.township}{self.year}年{self.month:02d}月{TITLE}"


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidInput("年月不正确", code="ledger_month")
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    start = datetime.combine(first, time(0), BUSINESS_TZ)
    return as_utc(start), as_utc(datetime.combine(following, time(0), BUSINESS_TZ))


async def build(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    actor: Actor,
    township_id: int,
    year: int,
    month: int,
) -> Ledger:
    township = await regions_service.get(session, region_id=township_id)
    if township is None or actor.kind != "staff" or not actor.sees(township.path):
        raise NotFound("找不到这个乡镇", code="region_not_found")
    start, end = _month_bounds(year, month)
    full = person_access.may_see_full_id(actor, township.path)
    now = clock.now()
    found = await session.execute(
        select(Case, Person)
        .join(Person, Person.id == Case.beneficiary_id)
        .outerjoin(CaseAssignment, CaseAssignment.case_id == Case.id)
        .where(
            queue.scope_clause(actor),
            Case.township_id == township.id,
            Case.created_at >= start,
            Case.created_at < end,
        )
        .order_by(Case.created_at, Case.id)
    )
    pairs = list(found)
    extra = await _extras(session, [c.id for c, _ in pairs], [p.id for _, p in pairs])
    villages = {r.id: r.name for r in await regions_service.list_subtree(session, region=township)}
    rows = []
    for index, (case, person) in enumerate(pairs, start=1):
        rows.append(_row(index, case, person, extra, villages, cipher=cipher, full=full, now=now))
    if full and rows:
        await audit.record(
            session,
            clock=clock,
            actor_staff_id=actor.staff_id,
            actor_label=actor.label,
            action="view_full_id",
            entity_type="ledger",
            entity_id=f"{township.code}-{year}{month:02d}",
            region_id=township.id,
            reason="导出台账",
            detail={"rows": len(rows)},
        )
    return Ledger(township.name, year, month, rows, actor.label, business_date(now), full)


@dataclass
class _Extras:
    groups: dict[int, list[str]]
    servers: dict[int, str]


async def _extras(session: AsyncSession, case_ids: list[int], person_ids: list[int]) -> _Extras:
    groups: dict[int, list[str]] = {}
    servers: dict[int, str] = {}
    if not case_ids:
        return _Extras(groups, servers)
    for pid, code in await session.execute(
        select(TargetGroup.person_id, TargetGroup.group).where(
            TargetGroup.person_id.in_(person_ids), TargetGroup.ended_on.is_(None)
        )
    ):
        groups.setdefault(pid, []).append(GROUP_NAMES.get(code, code))
    for cid, name in await session.execute(
        select(CaseAssignment.case_id, StaffMember.name)
        .join(StaffMember, StaffMember.id == CaseAssignment.assignee_staff_id)
        .where(CaseAssignment.case_id.in_(case_ids))
    ):
        servers[cid] = name
    for cid, name in await session.execute(
        select(CaseReferral.case_id, Resource.name)
        .join(Resource, Resource.id == CaseReferral.resource_id)
        .where(CaseReferral.case_id.in_(case_ids))
        .order_by(CaseReferral.id)
    ):
        servers[cid] = name
    return _Extras(groups, servers)


def _row(
    index: int,
    case: Case,
    person: Person,
    extra: _Extras,
    villages: dict[int, str],
    *,
    cipher: PersonalDataCipher,
    full: bool,
    now: datetime,
) -> tuple[str, ...]:
    id_number = person.id_number_masked or ""
    phone = person.phone_masked or case.applicant_phone_masked or ""
    if full:
        id_number = cipher.decrypt(person.id_number_enc) if person.id_number_enc else ""
        if person.phone_enc:
            phone = cipher.decrypt(person.phone_enc)
        elif case.applicant_phone_enc:
            phone = cipher.decrypt(case.applicant_phone_enc)
    age = ""
    if person.birth_date is not None:
        today = business_date(now)
        born = person.birth_date
        age = str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))
    notes = []
    if case.emergency:
        notes.append("紧急")
    if case.relief_first:
        notes.append("先行救助")
    due = ""
    if case.due_at is not None and case.status not in (CaseStatus.closed, CaseStatus.referred):
        due = f"{as_utc(case.due_at).astimezone(BUSINESS_TZ):%Y-%m-%d}"
    return (
        str(index),
        villages.get(case.village_id or case.township_id, ""),
        person.name,
        person.gender or "",
        age,
        id_number,
        "、".join(extra.groups.get(person.id, [])),
        phone,
        CHANNEL_NAMES.get(case.channel, str(case.channel)),
        (case.original_text or "")[:MAX_NEED_TEXT],
        items_service.describe(case.item_ids),
        extra.servers.get(case.id, ""),
        STATUS_NAMES[CaseStatus(case.status)],
        due,
        f"{business_date(case.created_at):%Y-%m-%d}",
        "、".join(notes),
    )
