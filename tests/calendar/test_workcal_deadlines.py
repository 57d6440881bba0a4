"""Deadlines: working days across the Spring Festival, hours that ignore holidays, county rules,
the plain-Chinese description and the cost of computing many of them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import InvalidInput
from backend.core.runtime import Runtime
from backend.workcal import service as calendar_service
from backend.workcal.models import DeadlineUnit

SH = ZoneInfo("Asia/Shanghai")
COUNTY = "532323"  # 牟定县
OTHER_COUNTY = "532331"  # 禄丰市


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def end_of(day: date) -> datetime:
    """The last second of a day in Shanghai, as the service returns it (aware UTC)."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SH).astimezone(UTC)


async def due(session: AsyncSession, step: str, start: datetime, county: str = COUNTY) -> datetime:
    return await calendar_service.deadline(session, county_code=county, step=step, start=start)


async def test_review_across_the_spring_festival(session: AsyncSession) -> None:
    # From Tue 10 Feb: 11–14 Feb (4, Sat 14 is a make-up day), 24–28 Feb (9, Sat 28 too),
    # 2–6 Mar (14), 9–13 (19), 16–20 (24), Mon 23 Mar is the 25th working day.
    result = await due(session, "review", at(2026, 2, 10, 10, 0))
    assert result == end_of(date(2026, 3, 23))
    assert result == datetime(2026, 3, 23, 15, 59, 59, tzinfo=UTC)
    assert result.tzinfo is not None and result.utcoffset() == UTC.utcoffset(None)


async def test_counting_starts_the_next_working_day(session: AsyncSession) -> None:
    # Fri 13 Feb afternoon: the next working day is the make-up Saturday 14 Feb.
    assert await due(session, "register", at(2026, 2, 13, 16, 30)) == end_of(date(2026, 2, 14))
    # On that Saturday: the nine days of the festival are skipped, Tue 24 Feb.
    assert await due(session, "register", at(2026, 2, 14, 10, 0)) == end_of(date(2026, 2, 24))
    # During the festival: the first working day after it.
    assert await due(session, "register", at(2026, 2, 17, 8, 0)) == end_of(date(2026, 2, 24))
    # 3 working days for the written refusal from Fri 13 Feb: 14, 24, 25 Feb.
    assert await due(session, "refusal_notice", at(2026, 2, 13, 9)) == end_of(date(2026, 2, 25))


async def test_business_date_is_shanghai_not_utc(session: AsyncSession) -> None:
    # 23:30 UTC on Thu 12 Feb is already Fri 13 Feb 07:30 in Shanghai.
    start = datetime(2026, 2, 12, 23, 30, tzinfo=UTC)
    assert await due(session, "register", start) == end_of(date(2026, 2, 14))


async def test_add_working_days_over_the_new_year(session: AsyncSession) -> None:
    # Wed 31 Dec 2025 + 2: 1–3 Jan off, Sun 4 Jan works, Mon 5 Jan.
    result = await calendar_service.add_working_days(session, start=at(2025, 12, 31, 12), days=2)
    assert result == end_of(date(2026, 1, 5))


async def test_hours_ignore_holidays(session: AsyncSession) -> None:
    # An emergency on the second night of the Spring Festival is answered within 2 hours.
    start = at(2026, 2, 16, 22, 30)
    assert await due(session, "emergency_ack", start) == at(2026, 2, 17, 0, 30).astimezone(UTC)
    # 先行救助 within 24 hours, holiday or not.
    assert await due(session, "emergency_relief", start) == at(2026, 2, 17, 22, 30)


async def test_county_rule_replaces_the_default_for_that_county_only(
    runtime: Runtime, session: AsyncSession
) -> None:
    start = at(2026, 3, 2, 9)
    now = runtime.clock.now()
    await calendar_service.set_rule(
        session, county_code=COUNTY, step="review", amount=20, unit="workdays", now=now
    )
    await calendar_service.set_rule(
        session, county_code=COUNTY, step="emergency_ack", amount=1, unit="hours", now=now
    )
    await session.commit()

    assert await due(session, "review", start) == end_of(date(2026, 3, 30))
    assert await due(session, "review", start, OTHER_COUNTY) == end_of(date(2026, 4, 7))
    assert await due(session, "emergency_ack", start) == at(2026, 3, 2, 10)
    assert await due(session, "emergency_ack", start, OTHER_COUNTY) == at(2026, 3, 2, 11)
    # A village's 12-digit code means its county.
    assert await due(session, "review", start, "532323100201") == end_of(date(2026, 3, 30))

    rules = {r.step: r for r in await calendar_service.rules(session, county_code=COUNTY)}
    assert (rules["review"].amount, rules["review"].county_specific) == (20, True)
    assert (rules["review_special"].amount, rules["review_special"].county_specific) == (40, False)
    assert rules["emergency_ack"].unit is DeadlineUnit.hours


async def test_a_county_can_count_a_step_in_hours_instead(
    runtime: Runtime, session: AsyncSession
) -> None:
    await calendar_service.set_rule(
        session, county_code=COUNTY, step="register", amount=48, unit="hours",
        label="受理", now=runtime.clock.now(),
    )  # fmt: skip
    await session.commit()
    start = at(2026, 2, 13, 16)
    assert await due(session, "register", start) == at(2026, 2, 15, 16)
    rule = await calendar_service.get_rule(session, county_code=COUNTY, step="register")
    assert (rule.label, rule.source) == ("受理", "本县设置")


async def test_a_changed_rule_counts_at_once_in_the_same_transaction(
    runtime: Runtime, session: AsyncSession
) -> None:
    start = at(2026, 3, 2, 9)
    assert await due(session, "publicity", start) == end_of(date(2026, 3, 9))
    await calendar_service.set_rule(
        session, county_code=COUNTY, step="publicity", amount=7, unit="workdays",
        now=runtime.clock.now(),
    )  # fmt: skip
    assert await due(session, "publicity", start) == end_of(date(2026, 3, 11))
    await session.commit()


@pytest.mark.parametrize(
    ("county", "step", "amount", "unit", "code"),
    [
        ("5323", "review", 5, "workdays", "calendar_county"),
        (COUNTY, "reveiw", 5, "workdays", "calendar_step"),
        (COUNTY, "review", 0, "workdays", "calendar_amount"),
        (COUNTY, "review", 5, "weeks", "calendar_unit"),
    ],
)
async def test_set_rule_refuses_nonsense(
    runtime: Runtime, session: AsyncSession, county: str, step: str, amount: int, unit: str,
    code: str,
) -> None:  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        await calendar_service.set_rule(
            session, county_code=county, step=step, amount=amount, unit=unit,
            now=runtime.clock.now(),
        )  # fmt: skip
    assert caught.value.code == code


async def test_unknown_step_and_naive_start_are_refused(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput):
        await due(session, "nap", at(2026, 3, 2, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        await due(session, "review", datetime(2026, 3, 2, 9))
    with pytest.raises(InvalidInput):
        await calendar_service.add_working_days(session, start=at(2026, 3, 2, 9), days=0)


@pytest.mark.parametrize(
    ("deadline", "now", "text"),
    [
        (end_of(date(2026, 3, 5)), at(2026, 3, 2, 9), "3月5日(周四)下班前"),
        (end_of(date(2026, 3, 2)), at(2026, 3, 2, 9), "今天下班前"),
        (end_of(date(2026, 3, 3)), at(2026, 3, 2, 9), "明天下班前"),
        (at(2026, 3, 2, 11, 30), at(2026, 3, 2, 9), "今天11:30前"),
        (at(2026, 3, 4, 8, 5), at(2026, 3, 2, 9), "3月4日(周三)08:05前"),
        (end_of(date(2027, 1, 4)), at(2026, 12, 28, 9), "2027年1月4日(周一)下班前"),
        (end_of(date(2026, 2, 27)), at(2026, 3, 2, 9), "已超期(原定2月27日(周五)下班前)"),
    ],
)
def test_describe(deadline: datetime, now: datetime, text: str) -> None:
    assert calendar_service.describe(deadline, now) == text


async def test_a_thousand_deadlines_cost_a_few_queries(
    runtime: Runtime, session: AsyncSession
) -> None:
    await calendar_service.set_rule(
        session, county_code=COUNTY, step="review", amount=20, unit="workdays",
        now=runtime.clock.now(),
    )  # fmt: skip
    await session.commit()
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
    try:
        results = set()
        for i in range(1000):
            start = at(2026, 12, 1 + (i // 2) % 28, 9)  # deadlines run into 2027
            county = COUNTY if i % 2 else OTHER_COUNTY
            results.add(await due(session, "review", start, county))
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # 2026, 2027, and one county rule look-up per county.
    assert len(selects) <= 4, statements
    assert len(results) >= 20


async def test_cache_sees_own_changes_and_new_transactions(runtime: Runtime) -> None:
    day = date(2026, 3, 9)  # a Monday
    async with runtime.sessions() as reader, runtime.sessions() as writer:
        assert await calendar_service.is_workday(reader, day=day) is True
        await reader.commit()  # the reader's session keeps its cache object past the commit
        assert await calendar_service.is_workday(writer, day=day) is True
        await calendar_service.set_override(
            writer, day=day, is_workday=False, note="地方节日", now=runtime.clock.now()
        )
        # The writer's own transaction sees its change at once.
        assert await calendar_service.is_workday(writer, day=day) is False
        await writer.commit()
        # A new transaction of the reader reads afresh and sees the other session's change.
        assert await calendar_service.is_workday(reader, day=day) is False
        await reader.commit()
        assert await calendar_service.clear_override(writer, day=day) is True
        assert await calendar_service.is_workday(writer, day=day) is True
        await writer.rollback()
        # Rolled back: the override is still there, and the writer's cache knows it.
        assert await calendar_service.is_workday(writer, day=day) is False
        await writer.commit()
