"""Working days and deadlines: the one place every deadline in the system comes from.

Counting rule for working-day limits (the rule of 民法典 第二百零一条/第二百零三条 applied to
working days): the day of the event does not count; the first working day is the next working day
after it; the deadline is the end of the Nth working day in Asia/Shanghai (23:59:59 local),
returned as an aware UTC datetime. An event on a holiday therefore starts counting on the first
working day after the holiday. Limits in hours are plain clock time, holidays included.

Cost: a year's working days are built once per transaction (one query for its overrides) and a
county's rules once per transaction, kept in `session.info`, so a queue of 1,000 cases costs a
handful of queries. A new transaction starts afresh and sees what other processes changed.
Services only flush.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import BUSINESS_TZ, as_utc, business_date
from backend.core.errors import InvalidInput
from backend.workcal.days import (
    YearDays,
    build_year,
    package_holiday_name,
    package_years,
)
from backend.workcal.models import CalendarOverride, DeadlineRule, DeadlineUnit
from backend.workcal.rules import DEFAULT_RULES, STEPS
from backend.workcal.texts import END_OF_DAY
from backend.workcal.texts import describe as describe

MAX_AMOUNT = 366
_CACHE_KEY = "jiuzhu.calendar"


@dataclass(frozen=True)
class EffectiveRule:
    """The limit that applies to one step in one county."""

    county_code: str
    step: str
    amount: int
    unit: DeadlineUnit
    label: str
    source: str
    county_specific: bool


@dataclass
class _Cache:
    transaction: Any
    years: dict[int, YearDays] = field(default_factory=dict)
    rules: dict[str, dict[str, EffectiveRule]] = field(default_factory=dict)


def _cache(session: AsyncSession) -> _Cache:
    """The cache of the session's current transaction (a new transaction gets a new one)."""
    transaction = session.sync_session.get_transaction()
    cache = session.info.get(_CACHE_KEY)
    if not isinstance(cache, _Cache) or (
        cache.transaction is not None and cache.transaction is not transaction
    ):
        cache = _Cache(transaction)
        session.info[_CACHE_KEY] = cache
    elif cache.transaction is None:
        # Filled before the session began its transaction (the first query begins it).
        cache.transaction = transaction
    return cache


@functools.lru_cache(maxsize=64)
def _built(year: int, overrides: tuple[tuple[date, bool], ...]) -> YearDays:
    """`build_year` is pure and takes ~12 ms: built once per (year, overrides) per process."""
    return build_year(year, dict(overrides))


async def _year(session: AsyncSession, year: int) -> YearDays:
    cache = _cache(session)
    if year not in cache.years:
        result = await session.execute(
            select(CalendarOverride.day, CalendarOverride.is_workday).where(
                CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31)
            )
        )
        overrides: dict[date, bool] = {row.day: row.is_workday for row in result}
        cache = _cache(session)
        cache.years[year] = _built(year, tuple(sorted(overrides.items())))
    return cache.years[year]


def end_of_day(day: date) -> datetime:
    """The last second of a business date, as aware UTC."""
    return as_utc(datetime.combine(day, END_OF_DAY, BUSINESS_TZ))


async def is_workday(session: AsyncSession, *, day: date) -> bool:
    return (await _year(session, day.year)).is_workday(day)


async def workdays_between(session: AsyncSession, *, first: date, last: date) -> list[date]:
    """The working days from `first` to `last`, both included."""
    found: list[date] = []
    for year in range(first.year, last.year + 1):
        found.extend(d for d in (await _year(session, year)).workdays if first <= d <= last)
    return found


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_workday: bool
    note: str  # the admin's note, else the package's holiday name, else ""
    overridden: bool


async def list_days(session: AsyncSession, *, first: date, last: date) -> list[DayInfo]:
    """Every date from `first` to `last` with its status and why (for lists and admin pages)."""
    result = await session.execute(
        select(CalendarOverride).where(CalendarOverride.day >= first, CalendarOverride.day <= last)
    )
    notes = {row.day: row.note for row in result.scalars()}
    found: list[DayInfo] = []
    day = first
    while day <= last:
        year = await _year(session, day.year)
        note = notes[day] if day in notes else package_holiday_name(day) or ""
        found.append(DayInfo(day, year.is_workday(day), note, day in notes))
        day += timedelta(days=1)
    return found


async def add_working_days(session: AsyncSession, *, start: datetime, days: int) -> datetime:
    """End of the `days`-th working day after the business date of `start` (see module doc)."""
    if start.tzinfo is None:
        raise ValueError("add_working_days needs a timezone-aware start")
    if days < 1:
        raise InvalidInput("工作日数必须大于0", code="calendar_days")
    after = business_date(start)
    remaining = days
    for year in range(after.year, after.year + 10):
        candidates = (await _year(session, year)).workdays_after(after)
        if len(candidates) >= remaining:
            return end_of_day(candidates[remaining - 1])
        remaining -= len(candidates)
    raise InvalidInput("十年内找不到足够的工作日,请检查日历设置", code="calendar_no_workdays")


def normalise_county(county_code: str) -> str:
    """A county code: its 6 significant digits (a 12-digit code is accepted)."""
    code = county_code.strip()
    if not (code.isdigit() and len(code) in (6, 12)):
        raise InvalidInput(f"县级区划代码应为6位数字: {county_code}", code="calendar_county")
    return code[:6]


def _check_step(step: str) -> str:
    if step not in DEFAULT_RULES:
        raise InvalidInput(
            f"没有这个办理环节: {step} (可用: {', '.join(STEPS)})", code="calendar_step"
        )
    return step


async def rules(session: AsyncSession, *, county_code: str) -> list[EffectiveRule]:
    """Every step's effective limit in a county: its own rule where set, else the default."""
    county = normalise_county(county_code)
    cache = _cache(session)
    if county not in cache.rules:
        result = await session.execute(
            select(DeadlineRule).where(DeadlineRule.county_code == county)
        )
        own = {rule.step: rule for rule in result.scalars()}
        effective: dict[str, EffectiveRule] = {}
        for step, default in DEFAULT_RULES.items():
            row = own.get(step)
            effective[step] = EffectiveRule(
                county_code=county,
                step=step,
                amount=row.amount if row else default.amount,
                unit=DeadlineUnit(row.unit) if row else default.unit,
                label=(row.label if row and row.label else default.label),
                source="本县设置" if row else default.source,
                county_specific=row is not None,
            )
        cache = _cache(session)
        cache.rules[county] = effective
    return list(cache.rules[county].values())


async def get_rule(session: AsyncSession, *, county_code: str, step: str) -> EffectiveRule:
    _check_step(step)
    found = await rules(session, county_code=county_code)
    return next(rule for rule in found if rule.step == step)


async def deadline(
    session: AsyncSession, *, county_code: str, step: str, start: datetime
) -> datetime:
    """When `step` is due in the county for something that started at `start` (aware UTC)."""
    if start.tzinfo is None:
        raise ValueError("deadline needs a timezone-aware start")
    rule = await get_rule(session, county_code=county_code, step=step)
    if rule.unit is DeadlineUnit.hours:
        return as_utc(start) + timedelta(hours=rule.amount)
    return await add_working_days(session, start=start, days=rule.amount)


async def set_override(
    session: AsyncSession,
    *,
    day: date,
    is_workday: bool,
    note: str,
    now: datetime,
    changed_by_id: int | None = None,
) -> CalendarOverride:
    """Make `day` a working day or a day off, whatever the package says."""
    note = note.strip()
    if len(note) > 100:
        raise InvalidInput("说明不能超过100字", code="calendar_note")
    row = await session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day)
        session.add(row)
    row.is_workday = is_workday
    row.note = note
    row.changed_by_id = changed_by_id
    row.changed_at = now
    await session.flush()
    _cache(session).years.pop(day.year, None)
    return row


async def clear_override(session: AsyncSession, *, day: date) -> bool:
    """Give `day` back to the package (or Monday–Friday); False when it had no override."""
    row = await session.get(CalendarOverride, day)
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    _cache(session).years.pop(day.year, None)
    return True


async def set_rule(
    session: AsyncSession,
    *,
    county_code: str,
    step: str,
    amount: int,
    unit: DeadlineUnit | str,
    now: datetime,
    label: str | None = None,
    changed_by_id: int | None = None,
) -> DeadlineRule:
    """Set a county's own limit for one step (replaces the default for that county)."""
    county = normalise_county(county_code)
    _check_step(step)
    try:
        unit = DeadlineUnit(unit)
    except ValueError:
        raise InvalidInput("时限单位只能是 workdays 或 hours", code="calendar_unit") from None
    if not 0 < amount <= MAX_AMOUNT:
        raise InvalidInput(f"时限应在1到{MAX_AMOUNT}之间", code="calendar_amount")
    result = await session.execute(
        select(DeadlineRule).where(DeadlineRule.county_code == county, DeadlineRule.step == step)
    )
    row = result.scalar_one_or_none()
    if row is None:
        row = DeadlineRule(county_code=county, step=step)
        session.add(row)
    row.amount = amount
    row.unit = unit
    row.label = (label or "").strip() or None
    row.changed_by_id = changed_by_id
    row.changed_at = now
    await session.flush()
    _cache(session).rules.pop(county, None)
    return row


async def override_years(session: AsyncSession) -> list[int]:
    """The years in which an admin has set at least one date."""
    result = await session.execute(select(CalendarOverride.day))
    return sorted({day.year for day in result.scalars()})


async def missing_years(session: AsyncSession, *, today: date) -> list[int]:
    """The current and coming year when neither the package nor an admin has data for them.

    Such a year is still counted (Monday–Friday), but its holidays are missing: warn.
    """
    return [year for year in (today.year, today.year + 1) if not (await _year(session, year)).known]


async def known_years(session: AsyncSession) -> list[int]:
    return sorted(set(package_years()) | set(await override_years(session)))
