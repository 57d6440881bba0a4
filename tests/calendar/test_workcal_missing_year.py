"""A year the chinesecalendar package does not know: Monday–Friday fallback, the warning, and the
admin's overrides that fill it in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.runtime import Runtime
from backend.workcal import days
from backend.workcal import service as calendar_service
from backend.workcal.texts import missing_years_warning

SH = ZoneInfo("Asia/Shanghai")
UNKNOWN = 2031  # far beyond any chinesecalendar release for years to come
LAST_KNOWN = days.package_years().stop - 1


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SH).astimezone(UTC)


def test_the_package_does_not_know_the_test_year() -> None:
    assert UNKNOWN not in days.package_years()
    assert 2026 in days.package_years()


async def test_missing_years_are_the_current_and_coming_year(session: AsyncSession) -> None:
    assert await calendar_service.missing_years(session, today=date(2026, 6, 1)) == (
        [] if LAST_KNOWN > 2026 else [2027]
    )
    assert await calendar_service.missing_years(session, today=date(LAST_KNOWN, 12, 1)) == [
        LAST_KNOWN + 1
    ]
    assert await calendar_service.missing_years(session, today=date(UNKNOWN, 3, 1)) == [
        UNKNOWN,
        UNKNOWN + 1,
    ]


async def test_unknown_year_falls_back_to_monday_to_friday(session: AsyncSession) -> None:
    # Wed 1 Jan 2031 is surely a holiday, but nobody has said so yet: counted as working.
    assert await calendar_service.is_workday(session, day=date(UNKNOWN, 1, 1)) is True
    assert await calendar_service.is_workday(session, day=date(UNKNOWN, 1, 4)) is False  # Sat
    found = await calendar_service.workdays_between(
        session, first=date(UNKNOWN, 1, 1), last=date(UNKNOWN, 12, 31)
    )
    assert len(found) == 261  # every weekday of 2031


async def test_admin_fills_in_an_unknown_year(runtime: Runtime, session: AsyncSession) -> None:
    now = runtime.clock.now()
    # 2031's Spring Festival (23 Jan) as an admin would enter it from the State Council notice.
    for day in range(22, 29):
        await calendar_service.set_override(
            session, day=date(UNKNOWN, 1, day), is_workday=False, note="春节", now=now
        )
    await calendar_service.set_override(
        session, day=date(UNKNOWN, 1, 18), is_workday=True, note="春节调休上班", now=now
    )
    await session.commit()

    assert await calendar_service.missing_years(session, today=date(UNKNOWN, 3, 1)) == [UNKNOWN + 1]
    assert await calendar_service.is_workday(session, day=date(UNKNOWN, 1, 18)) is True  # Sat
    assert await calendar_service.is_workday(session, day=date(UNKNOWN, 1, 22)) is False  # Wed
    # Fri 17 Jan + 3 working days: Sat 18 (make-up), Mon 20, Tue 21; then 22–28 are off.
    start = datetime(UNKNOWN, 1, 17, 10, tzinfo=SH)
    assert await calendar_service.deadline(
        session, county_code="532323", step="refusal_notice", start=start
    ) == end_of(date(UNKNOWN, 1, 21))
    # + 5: ... Tue 21, Wed 29, Thu 30.
    assert await calendar_service.add_working_days(session, start=start, days=5) == end_of(
        date(UNKNOWN, 1, 30)
    )
    assert UNKNOWN in await calendar_service.known_years(session)
    listed = await calendar_service.list_days(
        session, first=date(UNKNOWN, 1, 18), last=date(UNKNOWN, 1, 18)
    )
    assert (listed[0].note, listed[0].overridden) == ("春节调休上班", True)


async def test_override_wins_over_the_package(runtime: Runtime, session: AsyncSession) -> None:
    day = date(2026, 2, 16)  # a Spring Festival Monday
    await calendar_service.set_override(
        session, day=day, is_workday=True, note="值班", now=runtime.clock.now()
    )
    await session.commit()
    assert await calendar_service.is_workday(session, day=day) is True
    assert await calendar_service.clear_override(session, day=day) is True
    assert await calendar_service.clear_override(session, day=day) is False
    await session.commit()
    assert await calendar_service.is_workday(session, day=day) is False


def test_warning_names_the_years_in_one_line() -> None:
    text = missing_years_warning([2027])
    assert "2027年" in text and "周一至周五" in text and "\n" not in text
