"""One year of working days, built from the `chinesecalendar` package and the admin overrides.

Pure functions, no database: `service` loads a year's overrides once and caches the result.

The package raises NotImplementedError outside the years it has data for. For such a year the
calendar falls back to Monday–Friday (plus any overrides) and the year counts as unknown unless
an admin has entered at least one override for it; `service.missing_years` reports it.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def package_years() -> range:
    """The years the installed `chinesecalendar` knows (it publishes each year in autumn)."""
    days = chinese_calendar.holidays.keys()
    return range(min(days).year, max(days).year + 1)


def package_version() -> str:
    return str(getattr(chinese_calendar, "__version__", "?"))


def package_holiday_name(day: date) -> str | None:
    """The package's name of the holiday (or of the holiday a make-up day belongs to)."""
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return HOLIDAY_NAMES.get(str(name), str(name)) if name else None


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class YearDays:
    """The working days of one calendar year, sorted, and where the answer came from."""

    year: int
    workdays: tuple[date, ...]
    in_package: bool
    overrides: int  # how many dates an admin has set in this year

    @property
    def known(self) -> bool:
        return self.in_package or self.overrides > 0

    def is_workday(self, day: date) -> bool:
        index = bisect.bisect_left(self.workdays, day)
        return index < len(self.workdays) and self.workdays[index] == day

    def workdays_after(self, day: date) -> tuple[date, ...]:
        """This year's working days strictly after `day` (all of them for an earlier year)."""
        return self.workdays[bisect.bisect_right(self.workdays, day) :]


def build_year(year: int, overrides: Mapping[date, bool]) -> YearDays:
    """Package answer (or Monday–Friday where it has none), then the overrides on top."""
    in_package = year in package_years()
    workdays: list[date] = []
    day = date(year, 1, 1)
    while day.year == year:
        if day in overrides:
            working = overrides[day]
        elif in_package:
            working = bool(chinese_calendar.is_workday(day))
        else:
            working = day.weekday() < 5
        if working:
            workdays.append(day)
        day += timedelta(days=1)
    return YearDays(
        year=year, workdays=tuple(workdays), in_package=in_package, overrides=len(overrides)
    )
