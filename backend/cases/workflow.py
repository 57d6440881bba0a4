"""The case workflow of the policy documents, as one table of legal moves.

submitted → registered (受理登记) → investigating (入户调查) → reviewed (审核认定)
→ [publicity 公示] → approved (审批) → in_service (提供服务) → closed (办结); side exits referred
(转介), rejected (不予救助), withdrawn (撤回). An emergency may go to in_service at once (先行救助);
its review and approval are then owed afterwards (补办, see `relief.py`). Each move names the roles
that may make it on a region containing the case, whether the applicant may make it, and whether
a note is required. Every move writes a CaseEvent and sets the deadline of the next step from
the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import notify
from backend.cases import policy as policy_service
from backend.cases import service as cases_service
from backend.cases.models import FINAL_STATUSES, STATUS_NAMES, Case, CaseEvent, CountyPolicy
from backend.cases.models import CaseStatus as S
from backend.core.clock import Clock, business_date
from backend.core.errors import Conflict, Forbidden, InvalidInput
from backend.people import consent as consent_service
from backend.staff.actor import Actor
from backend.staff.models import ROLE_NAMES, Role
from backend.workcal import service as workcal

MAX_NOTE_LENGTH = 2000
_T = frozenset({Role.township_officer})
_C = frozenset({Role.county_officer})
_TC = _T | _C
_TP = _T | {Role.provider}


@dataclass(frozen=True, slots=True)
class Move:
    verb: str
    roles: frozenset[Role]
    note_required: bool = False
    applicant_may: bool = False
    emergency_only: bool = False


def _exits(*, approver: frozenset[Role]) -> dict[S, Move]:
    return {
        S.referred: Move("转介", _TC, note_required=True),
        S.rejected: Move("不予救助", approver, note_required=True),
        S.withdrawn: Move("撤回", _T, applicant_may=True),
    }


_RELIEF_FIRST = Move("先行救助", _T, emergency_only=True)
MOVES: dict[S, dict[S, Move]] = {
    S.submitted: {
        S.registered: Move("受理登记", _T),
        S.in_service: _RELIEF_FIRST,
        **_exits(approver=_T),
    },
    S.registered: {
        S.investigating: Move("开始入户调查", _T),
        S.in_service: _RELIEF_FIRST,
        **_exits(approver=_T),
    },
    S.investigating: {S.reviewed: Move("审核认定", _T), **_exits(approver=_T)},
    S.reviewed: {
        S.approved: Move("审批通过", _C),
        S.publicity: Move("开始公示", _T),
        S.investigating: Move("退回重新调查", _TC, note_required=True),
        **_exits(approver=_C),
    },
    S.publicity: {
        S.approved: Move("审批通过", _C),
        S.investigating: Move("异议成立,退回调查", _TC, note_required=True),
        **_exits(approver=_C),
    },
    S.approved: {
        S.in_service: Move("开始服务", _TP),
        S.withdrawn: Move("撤回", _T, applicant_may=True),
    },
    S.in_service: {
        S.closed: Move("办结", _TP),
        S.withdrawn: Move("撤回", _T, applicant_may=True),
    },
}
# The deadline rule (backend.workcal step) of the step a case waits for in each status.
_DUE_STEP: dict[S, str] = {
    S.registered: "investigate",
    S.investigating: "review",
    S.reviewed: "approve",
    S.publicity: "publicity",
}


def allowed_moves(case: Case) -> dict[S, Move]:
    return MOVES.get(case.status, {})


def _roles_for(move: Move, case: Case, to: S, policy: CountyPolicy) -> frozenset[Role]:
    if to == S.approved and policy_service.township_may_approve(policy, case):
        return move.roles | _T  # 审核确认权限下放: the county delegated these items
    if to == S.rejected and case.status in {S.reviewed, S.publicity}:
        if policy_service.township_may_approve(policy, case):
            return move.roles | _T
    return move.roles


def check(
    actor: Actor, case: Case, to: S, note: str | None, *, policy: CountyPolicy, now: datetime
) -> Move:
    """The move if `actor` may take `case` to `to` now; otherwise a typed error saying why."""
    current = S(case.status)
    if current in FINAL_STATUSES:
        raise Conflict(
            f"案件{case.number}已经“{STATUS_NAMES[current]}”,不能再更改状态", code="case_final"
        )
    move = MOVES.get(current, {}).get(to)
    if move is None:
        possible = "、".join(m.verb for m in MOVES.get(current, {}).values())
        raise Conflict(
            f"案件{case.number}当前是“{STATUS_NAMES[current]}”,不能直接改为"
            f"“{STATUS_NAMES[to]}”。现在可以: {possible}",
            code="illegal_transition",
        )
    is_applicant = actor.kind == "person" and actor.person_id in (
        case.applicant_person_id,
        case.beneficiary_id,
    )
    _check_state_rules(case, to, move, policy=policy, now=now)
    roles = _roles_for(move, case, to, policy)
    if not (actor.can_act_on(roles, case.region_path) or (move.applicant_may and is_applicant)):
        needed = "、".join(ROLE_NAMES[r] for r in sorted(roles))
        raise Forbidden(
            f"您没有权限对这个案件执行“{move.verb}”(需要本辖区的{needed})",
            code="transition_forbidden",
        )
    if move.note_required and not (note or "").strip():
        raise InvalidInput(f"“{move.verb}”需要填写说明或理由", code="note_required")
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"说明最多{MAX_NOTE_LENGTH}字", code="note_long")
    return move


def _check_state_rules(
    case: Case, to: S, move: Move, *, policy: CountyPolicy, now: datetime
) -> None:
    if move.emergency_only and not case.emergency:
        raise Conflict(
            f"案件{case.number}不是紧急案件,不能先行救助,请按正常流程办理", code="not_emergency"
        )
    if case.status == S.reviewed and to == S.approved and policy.publicity_required:
        raise Conflict("本县规定审批前要先公示,请先“开始公示”", code="publicity_required")
    if case.status == S.publicity and to == S.approved:
        if case.publicity_end is not None and business_date(now) <= case.publicity_end:
            raise Conflict(
                f"公示期到{case.publicity_end:%m月%d日}结束,期满无异议后才能审批",
                code="publicity_running",
            )
        if case.open_objections:
            raise Conflict("公示期间有未处理的异议,请先处理异议", code="objection_open")
    if to == S.closed and case.backfill_pending:
        raise Conflict("先行救助的补办手续(审核、审批)还没完成,不能办结", code="backfill_pending")


async def transition(
    session: AsyncSession,
    *,
    clock: Clock,
    actor: Actor,
    case_id: int,
    to: S,
    note: str | None = None,
) -> Case:
    """Move a case one step, or raise and change nothing."""
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    policy = await policy_service.get(session, county_code=case.county_code)
    now = clock.now()
    move = check(actor, case, to, note, policy=policy, now=now)
    previous = S(case.status)
    if previous == S.registered and to == S.investigating:
        # 一证一书: no home investigation before the economic-check authorisations are signed.
        await consent_service.require_for_investigation(
            session, person_id=case.beneficiary_id, today=business_date(now)
        )
    case.status = to
    case.updated_at = now
    if to in FINAL_STATUSES:
        case.closed_at = now
    if to == S.registered:
        case.registered_at = now
        if case.owner_staff_id is None:
            case.owner_staff_id = actor.staff_id  # 首问负责: whoever registers owns the case
    if to == S.investigating:
        case.open_objections = 0
    await _schedule(session, case, previous=previous, now=now)
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            kind="transition",
            from_status=previous.value,
            to_status=to.value,
            actor_staff_id=actor.staff_id,
            actor_person_id=actor.person_id,
            actor_label=actor.label,
            note=(note or "").strip() or None,
            data={"verb": move.verb},
        )
    )
    await session.flush()
    await notify.status_changed(session, clock=clock, case=case, previous=previous, to=to)
    return case


async def _schedule(session: AsyncSession, case: Case, *, previous: S, now: datetime) -> None:
    """Set the deadline of the step the case now waits for (every deadline from the calendar)."""
    status = S(case.status)
    if status == S.in_service and previous in {S.submitted, S.registered}:
        case.relief_first = True  # 先行救助: review and approval are owed afterwards
        case.backfill_due_at = await workcal.deadline(
            session, county_code=case.county_code, step="backfill", start=now
        )
        case.due_at, case.due_step = case.backfill_due_at, "backfill"
        return
    step = _DUE_STEP.get(status)
    if step is None:
        case.due_at, case.due_step = None, None
        return
    start = case.registered_at or now if step == "review" else now
    case.due_at = await workcal.deadline(
        session, county_code=case.county_code, step=step, start=start
    )
    case.due_step = step
    cases_service.apply_work_order(case, now=now)
    if status == S.publicity:
        case.publicity_start = business_date(now)
        case.publicity_end = business_date(case.due_at)
