"""Visit plans (who visits whom) and visits (what happened, on the real date).

Invariants: one plan per person (`person_id` unique; a plan that ended is reopened, not
duplicated); a plan's duty applies in every period that starts on or after `active_from` while
the person has duties (`people.service.active_recipients_filter`) and `active_to` is empty or
later. A visit is stored with its period key, so "visited in this period" is one indexed look-up.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db import Base


class VisitOutcome(enum.StrEnum):
    visited = "visited"  # 已走访
    not_met = "not_met"  # 未遇到
    needs_help = "needs_help"  # 需要帮助: opens a case


OUTCOME_NAMES = {
    VisitOutcome.visited: "已走访",
    VisitOutcome.not_met: "未遇到",
    VisitOutcome.needs_help: "需要帮助",
}
# Outcomes that fulfil the period's duty (a worker who went but found nobody did go).
DONE_OUTCOMES = frozenset(VisitOutcome)


class PlanSource(enum.StrEnum):
    case = "case"  # a case reached in_service
    roster = "roster"  # an imported roster (特困, 低保 …)


class VisitPlan(Base):
    __tablename__ = "visit_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    worker_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    source: Mapped[PlanSource] = mapped_column(Enum(PlanSource, native_enum=False, length=16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    active_from: Mapped[date] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_plan_period", "plan_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("visit_plans.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    worker_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[VisitOutcome] = mapped_column(Enum(VisitOutcome, native_enum=False, length=16))
    note: Mapped[str | None] = mapped_column(Text)
    photo_key: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    recorded_at: Mapped[datetime]
