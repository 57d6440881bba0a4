"""The survey sweep: create the rounds that are due, ask, remind once after 48 hours, and hand
the unanswered to the village worker after a week. A function of (data, now).

Rounds: "start" when service starts, then one per month while the case stays in service (every
`SurveyPolicy.every_months`). A round is only created while it still makes sense — the start
survey within `max_age` of the start, a monthly one in its own month — so after downtime old
rounds are skipped (counted and logged), never sent late. Keys: `survey:{id}:ask`, `:remind`,
`:task`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import ApplicantKind, Case, CaseEvent, CaseStatus
from backend.cases.notify import CHAT_REF_PREFIX
from backend.core.clock import business_date
from backend.identities.models import ChatIdentity
from backend.outbox import delivery
from backend.outbox.delivery import Outgoing, SweepReport
from backend.people.models import Person
from backend.people.service import active_recipients_filter
from backend.surveys.models import Respondent, Survey
from backend.visits.models import VisitPlan

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SurveyPolicy:
    every_months: int = 1
    remind_after: timedelta = timedelta(hours=48)
    task_after: timedelta = timedelta(days=7)
    max_age: timedelta = timedelta(days=14)  # a start survey older than this is skipped
    first_monthly: timedelta = timedelta(days=20)  # no monthly round right after the start one


DEFAULT_POLICY = SurveyPolicy()


def _months(a: datetime, b: datetime) -> int:
    da, db = business_date(a), business_date(b)
    return (db.year - da.year) * 12 + db.month - da.month


def due_rounds(started: datetime, now: datetime, policy: SurveyPolicy) -> list[str]:
    """The rounds due now for a case in service since `started` (created once each).

    "start" while the start is at most `max_age` old; a month's round from the first month
    after the start, once at least `first_monthly` has passed, every `every_months`.
    """
    due = ["start"] if now - started <= policy.max_age else []
    months = _months(started, now)
    if months >= 1 and now - started >= policy.first_monthly and months % policy.every_months == 0:
        due.append(f"{business_date(now):%Y-%m}")
    return due


async def _identities(
    session: AsyncSession, person_ids: set[int], identity_ids: set[int]
) -> tuple[dict[int, ChatIdentity], dict[int, ChatIdentity]]:
    by_person: dict[int, ChatIdentity] = {}
    by_id: dict[int, ChatIdentity] = {}
    if person_ids:
        rows = await session.execute(
            select(ChatIdentity)
            .where(ChatIdentity.person_id.in_(sorted(person_ids)))
            .order_by(ChatIdentity.id)
        )
        for identity in rows.scalars():
            by_person.setdefault(identity.person_id or 0, identity)
    if identity_ids:
        rows = await session.execute(
            select(ChatIdentity).where(ChatIdentity.id.in_(sorted(identity_ids)))
        )
        by_id = {identity.id: identity for identity in rows.scalars()}
    return by_person, by_id


def _respondent(
    case: Any, by_person: dict[int, ChatIdentity], by_id: dict[int, ChatIdentity]
) -> tuple[Respondent, ChatIdentity | None]:
    """The relative who applied, if reachable; else the recipient; else nobody (a task)."""
    if case.applicant_kind == ApplicantKind.delegate:
        if case.applicant_person_id in by_person:
            return Respondent.relative, by_person[case.applicant_person_id]
        ref = case.external_ref or ""
        if ref.startswith(CHAT_REF_PREFIX) and ref[len(CHAT_REF_PREFIX) :].isdigit():
            found = by_id.get(int(ref[len(CHAT_REF_PREFIX) :]))
            if found is not None:
                return Respondent.relative, found
    return Respondent.recipient, by_person.get(case.beneficiary_id)


async def _create_rounds(
    session: AsyncSession, now: datetime, policy: SurveyPolicy, report: SweepReport
) -> None:
    started = func.max(CaseEvent.at).label("started")
    rows = (
        await session.execute(
            select(
                Case.id,
                Case.beneficiary_id,
                Case.township_id,
                Case.applicant_kind,
                Case.applicant_person_id,
                Case.external_ref,
                started,
            )
            .join(CaseEvent, CaseEvent.case_id == Case.id)
            .join(Person, Person.id == Case.beneficiary_id)
            .where(
                Case.status == CaseStatus.in_service,
                CaseEvent.to_status == CaseStatus.in_service.value,
                active_recipients_filter(now),
            )
            .group_by(Case.id)
        )
    ).all()
    wanted: dict[tuple[int, str], Any] = {}
    skipped: set[int] = set()
    for row in rows:
        rounds = due_rounds(row.started, now, policy)
        if policy.max_age < now - row.started <= policy.max_age + timedelta(days=1):
            skipped.add(row.id)  # became too old in the last day: say so once if never asked
        for round_ in rounds:
            wanted[(row.id, round_)] = row
    have: set[tuple[int, str]] = set()
    case_ids = sorted({case_id for case_id, _ in wanted} | skipped)
    for start in range(0, len(case_ids), 1000):
        found = await session.execute(
            select(Survey.case_id, Survey.round).where(
                Survey.case_id.in_(case_ids[start : start + 1000])
            )
        )
        have.update((c, r) for c, r in found.all())
    new = {key: row for key, row in wanted.items() if key not in have}
    too_old = sorted(c for c in skipped if (c, "start") not in have)
    if too_old:
        # After downtime (or a case moved to service long ago) the start survey would come
        # weeks late: skip it rather than confuse the recipient, and say so.
        report.add("start_skipped_too_old", len(too_old))
        log.warning("surveys: %d start surveys too old to send, skipped", len(too_old))
    by_person, by_id = await _identities(
        session,
        {r.beneficiary_id for r in new.values()}
        | {r.applicant_person_id for r in new.values() if r.applicant_person_id},
        {
            int(r.external_ref[5:])
            for r in new.values()
            if (r.external_ref or "").startswith(CHAT_REF_PREFIX) and r.external_ref[5:].isdigit()
        },
    )
    for (case_id, round_), row in sorted(new.items()):
        respondent, identity = _respondent(row, by_person, by_id)
        session.add(
            Survey(
                person_id=row.beneficiary_id,
                case_id=case_id,
                round=round_,
                respondent=respondent,
                chat_identity_id=identity.id if identity else None,
                township_id=row.township_id,
                created_at=now,
            )
        )
    await session.flush()
    report.add("created", len(new))


async def _worker_chats(session: AsyncSession, person_ids: list[int]) -> dict[int, ChatIdentity]:
    found: dict[int, ChatIdentity] = {}
    for start in range(0, len(person_ids), 1000):
        rows = await session.execute(
            select(VisitPlan.person_id, ChatIdentity)
            .join(ChatIdentity, ChatIdentity.staff_id == VisitPlan.worker_staff_id)
            .where(VisitPlan.person_id.in_(person_ids[start : start + 1000]))
            .order_by(ChatIdentity.id)
        )
        for person_id, identity in rows.all():
            found.setdefault(person_id, identity)
    return found


async def _channels(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(ChatIdentity.id, ChatIdentity.channel).where(
                ChatIdentity.id.in_(ids[start : start + 1000])
            )
        )
        found.update({identity_id: channel for identity_id, channel in rows.all()})
    return found


async def _open(session: AsyncSession, now: datetime, *conditions: Any) -> list[Any]:
    rows = await session.execute(
        select(Survey, Person.name)
        .join(Person, Person.id == Survey.person_id)
        .where(Survey.answered_at.is_(None), active_recipients_filter(now), *conditions)
        .order_by(Survey.id)
    )
    return list(rows.all())


def _ask(survey: Survey, kind: str, name: str, identity_id: int | None, **extra: Any) -> Outgoing:
    return Outgoing(
        f"survey:{survey.id}:{kind}",
        f"survey_{kind}",
        {"survey": survey.id, "name": name, "round": survey.round, **extra},
        identity_id,
        person_id=survey.person_id if kind != "task" else None,
    )


async def sweep_surveys(
    session: AsyncSession, *, now: datetime, policy: SurveyPolicy = DEFAULT_POLICY
) -> SweepReport:
    report = SweepReport("surveys")
    await _create_rounds(session, now, policy, report)
    rows: list[Outgoing] = []
    # Ask: a survey with a chat is asked; one without goes straight to the worker.
    to_ask = await _open(session, now, Survey.sent_at.is_(None), Survey.task_at.is_(None))
    for survey, name in to_ask:
        survey.sent_at = now
        if survey.chat_identity_id is None:
            survey.task_at = now  # nobody to ask by chat: the worker asks in person
        else:
            rows.append(_ask(survey, "ask", name, survey.chat_identity_id))
    remind = await _open(
        session,
        now,
        Survey.sent_at <= now - policy.remind_after,
        Survey.reminded_at.is_(None),
        Survey.task_at.is_(None),
        Survey.chat_identity_id.is_not(None),
    )
    for survey, name in remind:
        survey.reminded_at = now
        rows.append(_ask(survey, "remind", name, survey.chat_identity_id))
    tasks = await _open(
        session, now, Survey.sent_at <= now - policy.task_after, Survey.task_at.is_(None)
    )
    no_chat_tasks = [(s, n) for s, n in to_ask if s.chat_identity_id is None]
    workers = await _worker_chats(session, sorted({s.person_id for s, _ in tasks + no_chat_tasks}))
    for survey, name in tasks + no_chat_tasks:
        survey.task_at = now
        worker = workers.get(survey.person_id)
        if worker is None:
            report.add("task_no_worker")
            continue
        rows.append(_ask(survey, "task", name, worker.id, worker=worker.staff_id))
    report.add("asked", len(to_ask) - len(no_chat_tasks))
    report.add("reminded", len(remind))
    report.add("tasks", len(tasks) + len(no_chat_tasks))
    # Each row goes out on its chat's own channel (a resident bound in the web chat reads it
    # in the page's inbox; Telegram must never be asked to send to a web device id).
    channels = await _channels(session, sorted({r.chat_identity_id or 0 for r in rows} - {0}))
    rows = [replace(r, channel=channels.get(r.chat_identity_id or 0, r.channel)) for r in rows]
    report.add("queued", await delivery.enqueue_many(session, now=now, rows=rows))
    await session.flush()
    return report
