"""The case workflow of the policy documents, as one table of legal moves.

submitted → registered (受理登记) → investigating (入户调查) → reviewed (审核认定) → approved (审批)
→ in_service (提供服务) → closed (办结); side exits referred (转介), rejected (不予救助), withdrawn
(撤回). Each move names the roles that may make it (on a region containing the case), whether the
applicant may make it, and whether a note is required. Every move writes a CaseEvent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import service as cases_service
from backend.cases.models import FINAL_STATUSES, STATUS_NAMES, Case, CaseEvent
from backend.cases.models import CaseStatus as S
from backend.core.clock import Clock
from backend.core.errors import Conflict, Forbidden, InvalidInput
from backend.staff.actor import Actor
from backend.staff.models import ROLE_NAMES, Role

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


def _exits(*, approver: frozenset[Role]) -> dict[S, Move]:
    return {
        S.referred: Move("转介", _TC, note_required=True),
        S.rejected: Move("不予救助", approver, note_required=True),
        S.withdrawn: Move("撤回", _T, applicant_may=True),
    }


MOVES: dict[S, dict[S, Move]] = {
    S.submitted: {S.registered: Move("受理登记", _T), **_exits(approver=_T)},
    S.registered: {S.investigating: Move("开始入户调查", _T), **_exits(approver=_T)},
    S.investigating: {S.reviewed: Move("审核认定", _T), **_exits(approver=_T)},
    S.reviewed: {
        S.approved: Move("审批通过", _C),
        S.investigating: Move("退回重新调查", _TC, note_required=True),
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


def allowed_moves(case: Case) -> dict[S, Move]:
    return MOVES.get(case.status, {})


def check(actor: Actor, case: Case, to: S, note: str | None) -> Move:
    """The move if `actor` may take `case` to `to` now; otherwise a typed error saying why."""
    current = S(case.status)
    if current in FINAL_STATUSES:
        raise Conflict(
            f"案件{case.number}已经“{STATUS_NAMES[current]}”,不能再更改状态",
            code="case_final",
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
    if not (
        actor.can_act_on(move.roles, case.region_path) or (move.applicant_may and is_applicant)
    ):
        needed = "、".join(ROLE_NAMES[r] for r in sorted(move.roles))
        raise Forbidden(
            f"您没有权限对这个案件执行“{move.verb}”(需要本辖区的{needed})",
            code="transition_forbidden",
        )
    if move.note_required and not (note or "").strip():
        raise InvalidInput(f"“{move.verb}”需要填写说明或理由", code="note_required")
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"说明最多{MAX_NOTE_LENGTH}字", code="note_long")
    return move


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
    move = check(actor, case, to, note)
    now = clock.now()
    previous = case.status
    case.status = to
    case.updated_at = now
    if to in FINAL_STATUSES:
        case.closed_at = now
    if to == S.registered and case.owner_staff_id is None:
        case.owner_staff_id = actor.staff_id  # 首问负责: whoever registers owns the case
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
    return case
