"""Answering a survey (by chat, or entered by the village worker after asking in person), the
follow-up (回访) a low score or a complaint opens, and the results per township, provider, item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.cases import service as cases_service
from backend.cases.assignment import CaseAssignment
from backend.cases.models import ApplicantKind, Case, CaseItem, Channel
from backend.cases.schemas import NewCase
from backend.core.clock import Clock
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.outbox.delivery import InboxRow
from backend.people.models import Person
from backend.regions.models import Region
from backend.staff.actor import Actor
from backend.staff.models import Role, StaffMember
from backend.surveys.models import LOW_SCORE, SCORES, Respondent, Survey

MAX_COMMENT_LENGTH = 500
COMPLAINT_WORDS = ("投诉", "举报", "态度差", "没来", "不来", "收钱", "乱收费")
_ENTER_ROLES = frozenset({Role.village_worker, Role.township_officer})


def score_of(word: str) -> int:
    """The stored score of the words offered (非常满意 5 … 很不满意 1)."""
    try:
        return SCORES[word.strip()]
    except KeyError:
        raise InvalidInput("请选择:" + "、".join(SCORES), code="survey_word") from None


def is_complaint(comment: str | None) -> bool:
    return any(word in (comment or "") for word in COMPLAINT_WORDS)


async def answer(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    actor: Actor,
    survey_id: int,
    word: str,
    comment: str | None = None,
) -> Survey:
    """Record the answer once; a low score or a complaint opens a 回访 case for the township."""
    survey = await session.get(Survey, survey_id)
    if survey is None:
        raise NotFound("找不到这份回访问卷", code="survey_not_found")
    case_ = await session.get(Case, survey.case_id)
    assert case_ is not None
    if actor.kind == "person":
        if actor.person_id not in (survey.person_id, case_.applicant_person_id):
            raise NotFound("找不到这份回访问卷", code="survey_not_found")
    elif not actor.can_act_on(_ENTER_ROLES, case_.region_path):
        raise Forbidden("只能录入本村的回访结果", code="survey_forbidden")
    if survey.answered_at is not None:
        raise Conflict("这份问卷已经回答过了,谢谢您", code="survey_answered")
    text = (comment or "").strip() or None
    if text is not None and len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInput(f"意见最多{MAX_COMMENT_LENGTH}字", code="comment_long")
    survey.score = score_of(word)
    survey.comment = text
    survey.complaint = is_complaint(text)
    survey.answered_at = clock.now()
    if actor.kind == "staff":
        survey.entered_by_staff_id = actor.staff_id
        survey.respondent = Respondent.worker
    if survey.score <= LOW_SCORE or survey.complaint:
        survey.followup_case_id = await _follow_up(session, clock, cipher, actor, survey, case_)
    await session.flush()
    return survey


async def _follow_up(
    session: AsyncSession,
    clock: Clock,
    cipher: PersonalDataCipher,
    actor: Actor,
    survey: Survey,
    served: Case,
) -> int:
    word = next(w for w, s in SCORES.items() if s == survey.score)
    text = f"满意度回访:{word}。" + (f"意见:{survey.comment}" if survey.comment else "")
    by_worker = actor.kind == "staff"
    result = await cases_service.submit(
        session,
        clock=clock,
        cipher=cipher,
        actor=actor if by_worker else Actor.system("满意度回访"),
        request=NewCase(
            beneficiary_id=survey.person_id,
            region_id=served.village_id or served.township_id,
            channel=Channel.village_report
            if by_worker
            else Channel(served.channel)
            if served.channel in (Channel.telegram, Channel.web_chat)
            else Channel.online,
            applicant_kind=ApplicantKind.worker if by_worker else ApplicantKind.self,
            text=text,
            external_ref=f"survey:{survey.id}",
        ),
    )
    return result.case.id


@dataclass(frozen=True, slots=True)
class SurveyResult:
    key: str
    label: str
    answered: int
    average: float
    low: int


async def results(
    session: AsyncSession, *, by: Literal["township", "provider", "item"], region_path: str
) -> list[SurveyResult]:
    """Answered surveys in the region, grouped; the average score and the low ones."""
    low = func.sum(case((Survey.score <= LOW_SCORE, 1), else_=0))
    base = (
        select(func.count(), func.avg(Survey.score), low)
        .select_from(Survey)
        .join(Case, Case.id == Survey.case_id)
        .where(Survey.answered_at.is_not(None), Case.region_path.startswith(region_path))
    )
    if by == "township":
        query = (
            base.add_columns(Region.code, Region.name)
            .join(Region, Region.id == Survey.township_id)
            .group_by(Region.code, Region.name)
        )
    elif by == "provider":
        query = (
            base.add_columns(CaseAssignment.assignee_staff_id, StaffMember.name)
            .join(CaseAssignment, CaseAssignment.case_id == Case.id)
            .join(StaffMember, StaffMember.id == CaseAssignment.assignee_staff_id)
            .group_by(CaseAssignment.assignee_staff_id, StaffMember.name)
        )
    else:
        query = (
            base.add_columns(CaseItem.item, CaseItem.item)
            .join(CaseItem, CaseItem.case_id == Case.id)
            .group_by(CaseItem.item)
        )
    rows = await session.execute(query)
    return [
        SurveyResult(str(key), str(label), count, round(float(avg or 0), 2), int(lows or 0))
        for count, avg, lows, key, label in rows.all()
    ]


@dataclass(frozen=True, slots=True)
class LowAnswer:
    survey_id: int
    name: str
    township: str
    score: int
    word: str
    comment: str
    answered_at: datetime | None
    followup_number: str  # the 回访 case, "" when none was opened


async def list_low(session: AsyncSession, *, region_path: str, limit: int = 200) -> list[LowAnswer]:
    """Answers with a low score or a complaint in the region, newest first."""
    followup = aliased(Case)
    rows = await session.execute(
        select(
            Survey.id,
            Person.name,
            Region.name,
            Survey.score,
            Survey.comment,
            Survey.answered_at,
            followup.number,
        )
        .join(Case, Case.id == Survey.case_id)
        .join(Person, Person.id == Survey.person_id)
        .join(Region, Region.id == Survey.township_id)
        .outerjoin(followup, followup.id == Survey.followup_case_id)
        .where(
            Survey.answered_at.is_not(None),
            (Survey.score <= LOW_SCORE) | Survey.complaint,
            Case.region_path.startswith(region_path),
        )
        .order_by(Survey.answered_at.desc(), Survey.id.desc())
        .limit(limit)
    )
    words = {score: word for word, score in SCORES.items()}
    return [
        LowAnswer(i, n, t, s or 0, words.get(s or 0, ""), c or "", at, num or "")
        for i, n, t, s, c, at, num in rows.all()
    ]


SHOWN_KEYS = ("survey_ask", "survey_remind", "survey_task")  # inbox rows that ask a survey


async def still_open(session: AsyncSession, rows: Sequence[InboxRow]) -> list[InboxRow]:
    """Of the survey rows a web chat device was already shown, the newest per survey whose
    survey is still unanswered (the page offers its buttons again until it is answered, by the
    resident or entered by the worker). No query when there are none."""
    newest: dict[int, InboxRow] = {}
    for row in rows:
        survey = row.params.get("survey")
        if row.shown and row.key in SHOWN_KEYS and isinstance(survey, int):
            newest.setdefault(survey, row)
    if not newest:
        return []
    result = await session.execute(
        select(Survey.id).where(Survey.id.in_(newest), Survey.answered_at.is_(None))
    )
    open_ids = set(result.scalars())
    return [row for survey, row in newest.items() if survey in open_ids]
