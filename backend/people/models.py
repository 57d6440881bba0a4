"""Households, persons, their target groups, consent records and status changes.

Sensitive values (ID numbers, phones, a carer's phone) are stored encrypted, with a keyed hash for
look-up and a masked form for display; the plain value exists only in memory, briefly.

A person belongs to at most one household; `relation_to_head` says how (户主, 配偶, 子 …). The
person's `status` (在册/暂停/已退出) with `status_since` is what every future reminder, visit duty
and survey asks (see `service.has_duties` and `service.active_recipients_filter`); each change is
also kept in `person_status_changes` for the archive.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db import Base


class SelfCare(enum.StrEnum):
    able = "able"  # 具备
    partial = "partial"  # 部分丧失
    none = "none"  # 完全丧失


SELF_CARE_NAMES = {SelfCare.able: "具备", SelfCare.partial: "部分丧失", SelfCare.none: "完全丧失"}


class PersonStatus(enum.StrEnum):
    active = "active"  # 在册: duties apply
    paused = "paused"  # 暂停 (住院): duties stop until resumed
    exited = "exited"  # 已退出: final


STATUS_NAMES = {
    PersonStatus.active: "在册",
    PersonStatus.paused: "暂停",
    PersonStatus.exited: "已退出",
}


def _enum(cls: type[enum.StrEnum], length: int = 16) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number_enc: Mapped[str | None] = mapped_column(String(300))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(20))
    phone_enc: Mapped[str | None] = mapped_column(String(300))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(16))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    relation_to_head: Mapped[str | None] = mapped_column(String(20))
    self_care: Mapped[SelfCare | None] = mapped_column(_enum(SelfCare))
    carer_name: Mapped[str | None] = mapped_column(String(50))
    carer_phone_enc: Mapped[str | None] = mapped_column(String(300))
    carer_phone_hash: Mapped[str | None] = mapped_column(String(64))
    carer_phone_masked: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[PersonStatus] = mapped_column(
        _enum(PersonStatus), default=PersonStatus.active, server_default="active", index=True
    )
    status_reason: Mapped[str | None] = mapped_column(String(20))
    status_since: Mapped[date | None] = mapped_column(Date)
    # The status before the last change: answers has_duties for a date before `status_since`.
    previous_status: Mapped[PersonStatus | None] = mapped_column(_enum(PersonStatus))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TargetGroup(Base):
    """One target group (低保, 特困 …) a person is on; `group` is a code from `groups.GROUPS`."""

    __tablename__ = "person_target_groups"
    __table_args__ = (UniqueConstraint("person_id", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    group: Mapped[str] = mapped_column(String(30), index=True)
    sub_type: Mapped[str | None] = mapped_column(String(20))  # 集中/分散; a disability category
    disability_grade: Mapped[int | None] = mapped_column(SmallInteger)  # 1 (一级) … 4 (四级)
    source: Mapped[str | None] = mapped_column(String(200))  # the roster file it came from
    since: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ConsentRecord(Base):
    """A signed authorisation for the economic check (家庭经济状况核对授权书), one per signature.

    For a person under 14 the guardian signs on their behalf: `signed_by_name` names them.
    """

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    signed_by_name: Mapped[str | None] = mapped_column(String(50))
    scan_storage_key: Mapped[str] = mapped_column(String(200))
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class PersonStatusChange(Base):
    """History of exits, pauses and resumptions (the archive); the current state is on Person."""

    __tablename__ = "person_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    status: Mapped[PersonStatus] = mapped_column(_enum(PersonStatus))
    reason: Mapped[str | None] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    actor_label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
