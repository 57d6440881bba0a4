"""Half-month visit periods: "2026-03a" is 1–15 March, "2026-03b" is 16 March to the month's end.

Dates are business dates (Asia/Shanghai). A period is the unit of the visit duty: one visit per
recipient per period, so at least two a month.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

NUDGE_DAYS_BEFORE_END = 3


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    @property
    def key(self) -> str:
        half = "a" if self.start.day == 1 else "b"
        return f"{self.start:%Y-%m}{half}"

    @property
    def nudge_day(self) -> date:
        """Three days before the end: the day the unvisited ones are reminded."""
        return self.end - timedelta(days=NUDGE_DAYS_BEFORE_END)

    def previous(self) -> Period:
        return period_of(self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_of(self.end + timedelta(days=1))


def period_of(day: date) -> Period:
    if day.day <= 15:
        return Period(day.replace(day=1), day.replace(day=15))
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=16), day.replace(day=last))


def parse_key(key: str) -> Period:
    """The period of a key like "2026-03b"; ValueError when malformed."""
    if len(key) != 8 or key[7] not in "ab":
        raise ValueError(f"bad period key {key!r}")
    year, month = int(key[:4]), int(key[5:7])
    return period_of(date(year, month, 1 if key[7] == "a" else 16))
