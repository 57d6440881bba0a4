"""What the case page and the person page (一人一档) show, composed from the domain services.

Shared by the JSON API and the console, so both show the same facts under the same scope rules.
No rule is decided here: scope comes from `cases.service.get_for_actor` and
`cases.person_access.person_for_actor`, moves from `cases.workflow.check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import assignment, casefile, person_access, queue, relief, workflow
from backend.cases import items as items_service
from backend.cases.models import (
    CHANNEL_NAMES,
    STATUS_NAMES,
    Case,
    CaseEvent,
    CountyPolicy,
)
from backend.cases.models import CaseStatus as S
from backend.core.clock import as_utc, business_date
from backend.core.errors import JiuzhuError
from backend.people import consent as consent_service
from backend.people import service as people_service
from backend.people.groups import GROUP_NAMES
from backend.people.models import STATUS_NAMES as PERSON_STATUS_NAMES
from backend.people.models import Person, TargetGroup
from backend.regions.models import Region
from backend.staff.actor import Actor
from backend.staff.models import Role, StaffMember, StaffRole
from backend.workcal import texts as deadline_texts

EVENT_NAMES = {
    "submitted": "提交申请",
    "transition": "办理",
    "repeat_request": "重复申请",
    "escalated": "升为紧急",
    "assigned": "分派",
    "attachment": "上传附件",
    "objection": "公示异议",
    "objection_dismissed": "异议不成立",
    "backfill": "补办手续",
    "backfill_review": "补办审核",
    "backfill_approve": "补办审批",
    "referral_answer": "转介回复",
}


@dataclass
class Backfill:
    """先行救助's owed paperwork as the case page shows it."""

    due_at: datetime | None
    due_text: str
    overdue: bool
    reviewed_at: datetime | None
    approved_at: datetime | None
    step: str | None  # what this actor may record now: "review", "approve" or None
    step_name: str = ""


@dataclass
class Publicity:
    start: date | None
    end: date | None
    open_objections: int
    may_handle: bool
    township_id: int


@dataclass
class Move:
    to: S
    verb: str
    note_required: bool


@dataclass
class CasePage:
    case: Case
    beneficiary: Person
    village: str | None
    township: str
    owner: str | None
    assignee: str | None
    item_names: list[tuple[str, str]]
    words: dict[str, list[str]]  # item name → the words that made the classifier choose it
    emergency_words: list[str]
    emergency_reason: str
    due_text: str
    overdue: bool
    moves: list[Move]
    events: list[casefile.EventRow]
    attachments: list[casefile.AttachmentRow]
    referrals: list[tuple[casefile.ReferralRow, str]]
    suggestions: list[casefile.Suggested]
    may_assign: bool
    candidates: list[tuple[int, str]] = field(default_factory=list)
    backfill: Backfill | None = None
    publicity: Publicity | None = None
    may_answer_referrals: bool = False
    now: datetime | None = None

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[S(self.case.status)]

    @property
    def due_step_name(self) -> str:
        return queue.step_name(self.case.due_step)

    @property
    def channel_name(self) -> str:
        return CHANNEL_NAMES.get(self.case.channel, str(self.case.channel))


def _moves(actor: Actor, case: Case, policy: CountyPolicy, now: datetime) -> list[Move]:
    found: list[Move] = []
    for to, move in workflow.allowed_moves(case).items():
        try:
            workflow.check(actor, case, to, "-", policy=policy, now=now)
        except JiuzhuError:
            continue
        found.append(Move(to, move.verb, move.note_required))
    exits = (S.referred, S.rejected, S.withdrawn)
    return sorted(found, key=lambda m: m.to in exits)


async def candidates(session: AsyncSession, *, case: Case) -> list[tuple[int, str]]:
    """Village workers and providers whose area covers the case (the assign drop-down)."""
    rows = await session.execute(
        select(StaffMember.id, StaffMember.name, StaffRole.role, Region.path)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .join(Region, Region.id == StaffRole.region_id)
        .where(StaffMember.active.is_(True), StaffRole.role.in_(assignment.ASSIGNABLE))
        .order_by(StaffRole.role, StaffMember.name)
    )
    seen: dict[int, str] = {}
    for staff_id, name, role, path in rows:
        if case.region_path.startswith(path):
            label = "服务机构" if role == Role.provider else "村级"
            seen.setdefault(staff_id, f"{name}({label})")
    return list(seen.items())


async def case_page(
    session: AsyncSession, *, actor: Actor, case_id: int, now: datetime
) -> CasePage:
    """Two queries (`casefile.load`, `casefile.side`) besides the sign-in's one."""
    loaded = await casefile.load(session, actor=actor, case_id=case_id)
    case, policy = loaded.case, loaded.policy
    may_assign = case.is_open and actor.can_act_on(assignment.ASSIGNERS, case.region_path)
    side = await casefile.side(session, case=case, with_candidates=may_assign)
    names = items_service.names()
    scores = (case.classification or {}).get("scores", {}) or {}
    words = {
        names.get(k, k): list(v.get("words", [])) for k, v in scores.items() if isinstance(v, dict)
    }
    due = as_utc(case.due_at) if case.due_at else None
    return CasePage(
        case=case,
        beneficiary=loaded.beneficiary,
        village=loaded.village,
        township=loaded.township,
        owner=loaded.owner,
        assignee=loaded.assignee,
        item_names=[(i, names.get(i, i)) for i in case.item_ids],
        words=words,
        emergency_words=list((case.classification or {}).get("emergency_words", []) or []),
        emergency_reason=str((case.classification or {}).get("emergency_reason", "") or ""),
        due_text=deadline_texts.describe(due, now) if due and case.is_open else "",
        overdue=bool(due and case.is_open and due < now),
        moves=_moves(actor, case, policy, now),
        events=side.events,
        attachments=side.attachments,
        referrals=side.referrals,
        suggestions=side.suggestions,
        may_assign=may_assign,
        candidates=side.candidates,
        backfill=_backfill(actor, case, policy, now),
        publicity=_publicity(actor, case),
        may_answer_referrals=actor.can_act_on(assignment.ASSIGNERS, case.region_path),
        now=now,
    )


def _backfill(actor: Actor, case: Case, policy: CountyPolicy, now: datetime) -> Backfill | None:
    if not case.relief_first:
        return None
    due = as_utc(case.backfill_due_at) if case.backfill_due_at else None
    pending = case.backfill_pending
    step = relief.may_backfill(actor, case, policy)
    return Backfill(
        due_at=due,
        due_text=deadline_texts.describe(due, now) if due and pending else "",
        overdue=bool(due and pending and due < now),
        reviewed_at=case.backfill_reviewed_at,
        approved_at=case.backfill_approved_at,
        step=step,
        step_name=relief.BACKFILL_NAMES.get(step or "", ""),
    )


def _publicity(actor: Actor, case: Case) -> Publicity | None:
    if case.publicity_start is None:
        return None
    return Publicity(
        start=case.publicity_start,
        end=case.publicity_end,
        open_objections=case.open_objections if case.status == S.publicity else 0,
        may_handle=relief.may_handle_objections(actor, case),
        township_id=case.township_id,
    )


@dataclass
class Member:
    person: Person
    groups: list[str]


@dataclass
class PersonPage:
    person: Person
    region: str
    status_name: str
    members: list[Member]
    consent: list[consent_service.MemberConsent]
    cases: list[queue.QueueRow]
    events: list[tuple[str, CaseEvent]]  # (case number, event), newest first
    may_see_full_id: bool


async def person_page(
    session: AsyncSession, *, actor: Actor, person_id: int, now: datetime
) -> PersonPage:
    person = await person_access.person_for_actor(session, actor=actor, person_id=person_id)
    members = await people_service.list_household_members(session, person=person)
    ids = [m.id for m in members]
    groups: dict[int, list[str]] = {}
    for pid, code, sub in await session.execute(
        select(TargetGroup.person_id, TargetGroup.group, TargetGroup.sub_type).where(
            TargetGroup.person_id.in_(ids), TargetGroup.ended_on.is_(None)
        )
    ):
        groups.setdefault(pid, []).append(GROUP_NAMES.get(code, code) + (f"({sub})" if sub else ""))
    statuses = tuple(S)
    cases = await queue.list_queue(
        session,
        actor=actor,
        now=now,
        filters=queue.QueueFilter(statuses=statuses, beneficiary_ids=tuple(ids)),
        limit=queue.MAX_PAGE,
    )
    numbers = {row.id: row.number for row in cases}
    events: list[tuple[str, CaseEvent]] = []
    if numbers:
        found = await session.execute(
            select(CaseEvent)
            .where(CaseEvent.case_id.in_(list(numbers)))
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
            .limit(200)
        )
        events = [(numbers[e.case_id], e) for e in found.scalars()]
    region = await session.get(Region, person.region_id)
    return PersonPage(
        person=person,
        region=region.name if region else "",
        status_name=PERSON_STATUS_NAMES.get(person.status, str(person.status)),
        members=[Member(m, groups.get(m.id, [])) for m in members],
        consent=await consent_service.household_status(
            session, person_id=person.id, today=business_date(now)
        ),
        cases=cases,
        events=events,
        may_see_full_id=bool(region and person_access.may_see_full_id(actor, region.path)),
    )
