"""/status: the user's cases with their status in plain words and the last step."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import items as case_items
from backend.cases.models import STATUS_NAMES, Case, CaseEvent, CaseStatus
from backend.cases.notify import chat_ref
from backend.core.clock import Clock, business_date
from backend.workcal import texts as workcal_texts
from dialogs.context import Context, Turn
from dialogs.texts.status import DUE_WORDS, EVENT_WORDS

MAX_CASES = 10


async def show(ctx: Context, turn: Turn) -> None:
    identity = await ctx.identity()
    conditions: list[ColumnElement[bool]] = [Case.external_ref == chat_ref(identity.id)]
    if identity.person_id is not None:
        conditions += [
            Case.applicant_person_id == identity.person_id,
            Case.beneficiary_id == identity.person_id,
        ]
    cases = list(
        (
            await ctx.session.execute(
                select(Case).where(or_(*conditions)).order_by(Case.id.desc()).limit(MAX_CASES)
            )
        ).scalars()
    )
    if not cases:
        turn.say("status_none")
        return
    turn.say("status_header", count=len(cases))
    for case in cases:
        turn.say("status_case", **await case_params(ctx.session, ctx.clock, case))


async def case_params(session: AsyncSession, clock: Clock, case: Case) -> dict[str, str]:
    """The parameters of one "status_case" line (also used by the web chat's lookup form)."""
    now = clock.now()
    event = (
        await session.execute(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    last = "—"
    if event is not None:
        what = str(event.data.get("verb") or EVENT_WORDS.get(event.kind, event.kind))
        day = business_date(event.at)
        last = f"{day.month}月{day.day}日 {what}"
    due = ""
    if case.due_at is not None and case.due_step:
        due = f"\n{DUE_WORDS.get(case.due_step, '期限')}:" + workcal_texts.describe(
            case.due_at, now
        )
    return {
        "number": case.number,
        "items": case_items.describe(case.item_ids) or "—",
        "status": STATUS_NAMES[CaseStatus(case.status)] + due,
        "last": last,
    }
