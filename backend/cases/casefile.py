"""What the case page reads, in two queries instead of ten.

1. `load`: the case with its items and assignment, the beneficiary, the names of township,
   village, owner and assignee, and the county's policy — one SELECT of joins.
2. `side`: the timeline, attachments, referrals, the resources serving the case's area and the
   staff it may be assigned to — one UNION ALL of plain columns, each part tagged, read into
   small frozen rows (no ORM objects: the page only reads them).

The scope rule stays `service.may_see`: a foreign case answers exactly like a missing one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, contains_eager, joinedload

from backend.cases import policy as policy_service
from backend.cases import service as cases_service
from backend.cases.assignment import ASSIGNABLE, CaseAssignment
from backend.cases.models import Attachment, Case, CaseEvent, CountyPolicy
from backend.core.db import UTCDateTime
from backend.core.errors import NotFound
from backend.people.models import Person
from backend.regions.models import Region
from backend.resources.models import CaseReferral, Resource, ResourceKind
from backend.staff.actor import Actor
from backend.staff.models import Role, StaffMember, StaffRole


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    actor_label: str
    note: str | None


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    id: int
    created_at: datetime
    kind: str
    filename: str
    uploaded_by_label: str
    size: int


@dataclass(frozen=True, slots=True)
class ReferralRow:
    id: int
    due_at: datetime
    reason: str
    actor_label: str
    answered_at: datetime | None
    answer: str | None


@dataclass(frozen=True, slots=True)
class ResourceRow:
    id: int
    name: str
    kind: ResourceKind
    phone: str | None


@dataclass(frozen=True, slots=True)
class Suggested:
    resource: ResourceRow
    matching: tuple[str, ...]  # the case's items this resource serves


@dataclass
class Loaded:
    case: Case
    beneficiary: Person
    township: str
    village: str | None
    owner: str | None
    assignee: str | None
    policy: CountyPolicy


@dataclass
class Side:
    events: list[EventRow]
    attachments: list[AttachmentRow]
    referrals: list[tuple[ReferralRow, str]]  # (referral, the resource's name)
    suggestions: list[Suggested]
    candidates: list[tuple[int, str]]  # (staff id, "name(村级)") for the assign drop-down


_Township = aliased(Region, name="township")
_Village = aliased(Region, name="village")
_Owner = aliased(StaffMember, name="owner")
_Assignee = aliased(StaffMember, name="assignee")


@cache
def _load_statement() -> Select[Any]:
    """Built once (per process): constructing a statement of this size costs more Python than
    running it; the case id is a bound parameter."""
    assignment_attr: Any = getattr(Case, "assignment")  # noqa: B009 (a backref, unknown to mypy)
    return (
        select(Case, Person, _Township.name, _Village.name, _Owner.name, _Assignee.name)
        .add_columns(CountyPolicy)
        .join(Person, Person.id == Case.beneficiary_id)
        .outerjoin(_Township, _Township.id == Case.township_id)
        .outerjoin(_Village, _Village.id == Case.village_id)
        .outerjoin(_Owner, _Owner.id == Case.owner_staff_id)
        .outerjoin(CaseAssignment, CaseAssignment.case_id == Case.id)
        .outerjoin(_Assignee, _Assignee.id == CaseAssignment.assignee_staff_id)
        .outerjoin(CountyPolicy, CountyPolicy.county_code == Case.county_code)
        .options(contains_eager(assignment_attr), joinedload(Case.items))
        .where(Case.id == bindparam("case_id"))
    )


async def load(session: AsyncSession, *, actor: Actor, case_id: int) -> Loaded:
    """The case and what its header shows, if the actor may see it (else NotFound, as missing)."""
    result = await session.execute(_load_statement(), {"case_id": case_id})
    row = result.unique().one_or_none()
    if row is None or not cases_service.may_see(actor, row[0]):
        raise NotFound("找不到这个案件", code="case_not_found")
    case, person, township, village, owner, assignee, policy = row
    return Loaded(
        case=case,
        beneficiary=person,
        township=township or "",
        village=village,
        owner=owner,
        assignee=assignee,
        policy=policy or policy_service.default(case.county_code),
    )


def _ancestors(path: str) -> list[str]:
    """ "a/b/c/" → ["a/", "a/b/", "a/b/c/"]: the regions whose resources and staff cover `path`."""
    segments = path.strip("/").split("/")
    return ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]


EVENT, ATTACHMENT, REFERRAL, RESOURCE, CANDIDATE = range(5)


def _tag(value: int) -> ColumnElement[int]:
    return literal_column(str(value), Integer)  # written into the SQL, not a parameter


@cache
def _side_statement(with_candidates: bool) -> CompoundSelect[Any]:
    """Built once per variant; parameters: the case id and the paths around its region."""
    case_id = bindparam("case_id", type_=Integer)
    around = bindparam("around", type_=String, expanding=True)
    parts = [
        select(
            _tag(EVENT), CaseEvent.id, CaseEvent.at, CaseEvent.kind, CaseEvent.from_status,
            CaseEvent.to_status, CaseEvent.actor_label, CaseEvent.note, cast(null(), Integer),
            cast(null(), UTCDateTime()),
        ).where(CaseEvent.case_id == case_id),
        select(
            _tag(ATTACHMENT), Attachment.id, Attachment.created_at, Attachment.kind,
            Attachment.filename, Attachment.uploaded_by_label, null(), null(), Attachment.size,
            null(),
        ).where(Attachment.case_id == case_id),
        select(
            _tag(REFERRAL), CaseReferral.id, CaseReferral.due_at, Resource.name, null(),
            CaseReferral.actor_label, CaseReferral.answer, CaseReferral.reason, null(),
            CaseReferral.answered_at,
        )
        .join(Resource, Resource.id == CaseReferral.resource_id)
        .where(CaseReferral.case_id == case_id),
        select(
            _tag(RESOURCE), Resource.id, null(), Resource.name, cast(Resource.kind, String),
            Resource.phone, null(), cast(Resource.items, Text), null(), null(),
        ).where(Resource.active.is_(True), Resource.region_path.in_(around)),
    ]  # fmt: skip
    if with_candidates:
        parts.append(
            select(
                _tag(CANDIDATE), StaffMember.id, null(), StaffMember.name,
                cast(StaffRole.role, String), null(), null(), null(), null(), null(),
            )
            .join(StaffRole, StaffRole.staff_id == StaffMember.id)
            .join(Region, Region.id == StaffRole.region_id)
            .where(
                StaffMember.active.is_(True),
                StaffRole.role.in_(ASSIGNABLE),
                Region.path.in_(around),
            )
        )  # fmt: skip
    return union_all(*parts)


async def side(session: AsyncSession, *, case: Case, with_candidates: bool) -> Side:
    """The case page's lists, in one query (see the module docstring)."""
    found = Side([], [], [], [], [])
    wanted = set(case.item_ids)
    staff: list[tuple[str, str, int]] = []
    params = {"case_id": case.id, "around": _ancestors(case.region_path)}
    # columns typed by the first part only: each row is read by its tag
    rows: Any = await session.execute(_side_statement(with_candidates), params)
    for src, id_, at, s1, s2, s3, s4, s5, n, at2 in rows:
        if src == EVENT:
            found.events.append(EventRow(id_, at, s1, s2, s3, s4, s5))
        elif src == ATTACHMENT:
            found.attachments.append(AttachmentRow(id_, at, s1, s2, s3, n))
        elif src == REFERRAL:
            found.referrals.append((ReferralRow(id_, at, s5, s3, at2, s4), s1))
        elif src == RESOURCE:
            matching = tuple(sorted(wanted & set(json.loads(s5) if s5 else [])))
            if matching:
                resource = ResourceRow(id_, s1, ResourceKind(s2), s3)
                found.suggestions.append(Suggested(resource, matching))
        else:
            staff.append((s2, s1, id_))
    found.events.sort(key=lambda e: (e.at, e.id))
    found.attachments.sort(key=lambda a: a.id)
    found.referrals.sort(key=lambda r: r[0].id)
    found.suggestions.sort(key=lambda s: (-len(s.matching), s.resource.kind.value, s.resource.name))
    seen: dict[int, str] = {}
    for role, name, staff_id in sorted(staff):
        label = "服务机构" if role == Role.provider else "村级"
        seen.setdefault(staff_id, f"{name}({label})")
    found.candidates = list(seen.items())
    return found
