"""Satisfaction surveys: one row per (case, round), asked, reminded, handed to a worker, answered.

Invariants: (case_id, round) is unique, so a sweep that runs twice asks once; `score` is 1–5
(5 = 非常满意) from the words the respondent chose; an answer is final.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db import Base


class Respondent(enum.StrEnum):
    recipient = "recipient"  # the person served
    relative = "relative"  # the relative who applied for them
    worker = "worker"  # entered by the village worker after asking in person


# The words offered, best first, and the stored score.
SCORES: dict[str, int] = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "很不满意": 1}
LOW_SCORE = 2  # this or lower opens a follow-up (回访)


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("case_id", "round"),
        Index("ix_surveys_open", "answered_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    round: Mapped[str] = mapped_column(String(10))  # "start" or the month "2026-04"
    respondent: Mapped[Respondent] = mapped_column(Enum(Respondent, native_enum=False, length=16))
    chat_identity_id: Mapped[int | None] = mapped_column(ForeignKey("chat_identities.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    provider_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    task_at: Mapped[datetime | None]  # handed to the village worker to ask in person
    answered_at: Mapped[datetime | None]
    score: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    complaint: Mapped[bool] = mapped_column(default=False)
    entered_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    followup_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
