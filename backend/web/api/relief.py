"""The paths beside the main line as JSON: 先行救助补办 (the owed review/approval), 公示 objections
(record, resolve), a township's 公示 list, and the answer to a referral (it leaves 督办). The same
services and rules as the console's forms (`backend.cases.relief`, `backend.cases.assignment`);
every refusal is a 4xx with a stable code and a message."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from backend.cases import assignment, relief
from backend.cases.models import Case, CaseStatus
from backend.web.api.schemas import Body
from backend.web.deps import ActorDep, RuntimeDep, SessionDep

router = APIRouter(prefix="/api", tags=["relief"])


def _answers(**extra: str) -> dict[int | str, dict[str, Any]]:
    found: dict[int | str, dict[str, Any]] = {
        403: {"description": "您的角色不能办理这一步(error: …_forbidden)"},
        404: {"description": "找不到(不存在,或不在您的辖区)"},
        422: {"description": "内容不完整或格式不正确"},
    }
    if extra:
        found[409] = {"description": "案件的状态不允许: " + "; ".join(extra.values())}
    return found


class Backfill(Body):
    step: Literal["review", "approve"] = Field(
        description="review: 补办审核(乡镇经办); approve: 补办审批(县级民政,或县里下放的乡镇)"
    )
    note: str | None = Field(default=None, max_length=2000)


class Objection(Body):
    text: str = Field(min_length=1, max_length=relief.MAX_TEXT, description="异议内容")


class Resolution(Body):
    outcome: Literal["upheld", "dismissed"] = Field(
        description="upheld: 异议成立(退回入户调查); dismissed: 异议不成立(继续公示)"
    )
    note: str = Field(min_length=1, max_length=2000, description="核实结果")


class Answer(Body):
    answer: str = Field(min_length=1, max_length=2000, description="部门或机构的回复")


class ReferralAnswered(BaseModel):
    id: int
    case_id: int
    answered_at: datetime


class ReliefState(BaseModel):
    id: int
    status: CaseStatus
    relief_first: bool
    backfill_due_at: datetime | None
    backfill_reviewed_at: datetime | None
    backfill_approved_at: datetime | None
    publicity_start: date | None
    publicity_end: date | None
    open_objections: int


class PublicityEntry(BaseModel):
    number: str
    name: str
    village: str
    items: str
    start: str
    end: str


def _state(case: Case) -> ReliefState:
    return ReliefState(
        id=case.id,
        status=CaseStatus(case.status),
        relief_first=case.relief_first,
        backfill_due_at=case.backfill_due_at,
        backfill_reviewed_at=case.backfill_reviewed_at,
        backfill_approved_at=case.backfill_approved_at,
        publicity_start=case.publicity_start,
        publicity_end=case.publicity_end,
        open_objections=case.open_objections,
    )


@router.post(
    "/cases/{case_id}/backfill",
    summary="先行救助补办: record the owed review (乡镇) or approval (县, or delegated township)",
    response_model=ReliefState,
    responses=_answers(
        not_relief_first="不是先行救助",
        backfill_done="补办已完成",
        backfill_reviewed="审核已完成",
        backfill_review_first="先审核再审批",
    ),
)
async def backfill(
    case_id: int, body: Backfill, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> ReliefState:
    case = await relief.backfill(
        session, clock=runtime.clock, actor=actor, case_id=case_id, step=body.step, note=body.note
    )
    return _state(case)


@router.post(
    "/cases/{case_id}/objections",
    summary="公示: record an objection (the case cannot be approved while one is open)",
    response_model=ReliefState,
    responses=_answers(not_in_publicity="案件不在公示中"),
)
async def record_objection(
    case_id: int, body: Objection, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> ReliefState:
    case = await relief.record_objection(
        session, clock=runtime.clock, actor=actor, case_id=case_id, text=body.text
    )
    return _state(case)


@router.post(
    "/cases/{case_id}/objections/resolve",
    summary="公示: resolve an objection (upheld → back to 入户调查; dismissed → stays in 公示)",
    response_model=ReliefState,
    responses=_answers(no_objection="没有待处理的异议"),
)
async def resolve_objection(
    case_id: int, body: Resolution, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> ReliefState:
    case = await relief.resolve_objection(
        session,
        clock=runtime.clock,
        actor=actor,
        case_id=case_id,
        upheld=body.outcome == "upheld",
        note=body.note,
    )
    return _state(case)


@router.get(
    "/publicity",
    summary="公示名单 of a township: number, name, village, items, dates — no ID, phone, income",
    response_model=list[PublicityEntry],
    responses={404: {"description": "找不到这个乡镇(不存在,或不在您的辖区)"}},
)
async def publicity_list(
    actor: ActorDep,
    session: SessionDep,
    township_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> list[PublicityEntry]:
    rows = await relief.publicity_list(session, actor=actor, township_id=township_id)
    return [
        PublicityEntry(
            number=r.number, name=r.name, village=r.village, items=r.items, start=r.start, end=r.end
        )
        for r in rows
    ]


@router.post(
    "/cases/{case_id}/referrals/{referral_id}/answer",
    summary="转办/转介: record the department's or provider's answer (the case leaves 督办)",
    response_model=ReferralAnswered,
    responses=_answers(referral_answered="已经记录了回复"),
)
async def answer_referral(
    case_id: int,
    referral_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Answer,
    actor: ActorDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> ReferralAnswered:
    referral = await assignment.answer_referral(
        session,
        clock=runtime.clock,
        actor=actor,
        case_id=case_id,
        referral_id=referral_id,
        answer=body.answer,
    )
    return ReferralAnswered(
        id=referral.id, case_id=case_id, answered_at=referral.answered_at or runtime.clock.now()
    )
