"""Tables of the calendar: admin overrides of single dates and per-county deadline rules.

`CalendarOverride` wins over the `chinesecalendar` package, so an admin can enter a year the
package does not know yet (from the State Council's notice on the holiday arrangements) or correct
a local exception. `DeadlineRule` replaces one default of `backend.workcal.rules` for one county;
a county without a row uses the default.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db import Base


class DeadlineUnit(enum.StrEnum):
    workdays = "workdays"  # counted on the working-day calendar, ends at the end of a day
    hours = "hours"  # counted on the clock, holidays included (救急难 does not wait)


UNIT_NAMES = {DeadlineUnit.workdays: "个工作日", DeadlineUnit.hours: "小时"}


class CalendarOverride(Base):
    """One date whose status an admin has set: a working day or a day off."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(100), default="")
    # None when set from the command line (no staff account on the server console).
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    changed_at: Mapped[datetime]


class DeadlineRule(Base):
    """A county's own time limit for one step of the workflow."""

    __tablename__ = "deadline_rules"
    __table_args__ = (
        UniqueConstraint("county_code", "step"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    step: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int]
    unit: Mapped[DeadlineUnit] = mapped_column(Enum(DeadlineUnit, native_enum=False, length=16))
    label: Mapped[str | None] = mapped_column(String(100))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    changed_at: Mapped[datetime]
