"""2026 as the State Council announced it (国办发明电〔2025〕7号), as the calendar serves it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from backend.workcal import service as calendar_service

D = date

# (date, working?) — each holiday with its edges and its make-up days (调休上班).
FACTS_2026 = [
    # 元旦: Thu 1 – Sat 3 Jan off, Sun 4 Jan works.
    (D(2025, 12, 31), True),
    (D(2026, 1, 1), False),
    (D(2026, 1, 2), False),
    (D(2026, 1, 3), False),
    (D(2026, 1, 4), True),
    (D(2026, 1, 5), True),
    # 春节: Sun 15 – Mon 23 Feb off; Sat 14 and Sat 28 Feb work.
    (D(2026, 2, 13), True),
    (D(2026, 2, 14), True),
    (D(2026, 2, 15), False),
    (D(2026, 2, 16), False),
    (D(2026, 2, 17), False),
    (D(2026, 2, 20), False),
    (D(2026, 2, 23), False),
    (D(2026, 2, 24), True),
    (D(2026, 2, 28), True),
    (D(2026, 3, 1), False),
    # 清明: Sat 4 – Mon 6 Apr off.
    (D(2026, 4, 3), True),
    (D(2026, 4, 6), False),
    (D(2026, 4, 7), True),
    # 劳动节: Fri 1 – Tue 5 May off; Sat 9 May works.
    (D(2026, 4, 30), True),
    (D(2026, 5, 1), False),
    (D(2026, 5, 4), False),
    (D(2026, 5, 5), False),
    (D(2026, 5, 6), True),
    (D(2026, 5, 9), True),
    (D(2026, 5, 10), False),
    # 端午: Fri 19 – Sun 21 Jun off.
    (D(2026, 6, 18), True),
    (D(2026, 6, 19), False),
    (D(2026, 6, 22), True),
    # 中秋: Fri 25 – Sun 27 Sep off; Sun 20 Sep works (for National Day).
    (D(2026, 9, 20), True),
    (D(2026, 9, 25), False),
    (D(2026, 9, 28), True),
    # 国庆: Thu 1 – Wed 7 Oct off; Sat 10 Oct works.
    (D(2026, 9, 30), True),
    (D(2026, 10, 1), False),
    (D(2026, 10, 5), False),
    (D(2026, 10, 7), False),
    (D(2026, 10, 8), True),
    (D(2026, 10, 10), True),
    (D(2026, 10, 11), False),
    # Ordinary weekends and weekdays.
    (D(2026, 3, 7), False),
    (D(2026, 3, 8), False),
    (D(2026, 3, 9), True),
]


@pytest.mark.parametrize(("day", "working"), FACTS_2026, ids=[d.isoformat() for d, _ in FACTS_2026])
async def test_2026_holidays_and_make_up_days(
    session: AsyncSession, day: date, working: bool
) -> None:
    assert await calendar_service.is_workday(session, day=day) is working


async def test_2026_has_248_working_days(session: AsyncSession) -> None:
    # 261 weekdays − 19 holidays on weekdays + 6 make-up weekend days.
    found = await calendar_service.workdays_between(
        session, first=D(2026, 1, 1), last=D(2026, 12, 31)
    )
    assert len(found) == 248
    assert [d for d in found if d.weekday() >= 5] == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]


async def test_october_golden_week(session: AsyncSession) -> None:
    found = await calendar_service.workdays_between(
        session, first=D(2026, 9, 24), last=D(2026, 10, 12)
    )
    assert found == [
        D(2026, 9, 24),
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
        D(2026, 10, 12),
    ]


async def test_list_days_names_the_holiday(session: AsyncSession) -> None:
    days = await calendar_service.list_days(session, first=D(2026, 2, 14), last=D(2026, 2, 15))
    assert [(d.day, d.is_workday, d.note, d.overridden) for d in days] == [
        (D(2026, 2, 14), True, "春节", False),
        (D(2026, 2, 15), False, "春节", False),
    ]
