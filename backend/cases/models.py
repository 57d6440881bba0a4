"""Cases (one help request each), their items, events (the per-person archive 一人一档 is the union
of these), attachments and the per-county case-number counters."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db import Base


class CaseStatus(enum.StrEnum):
    submitted = "submitted"
    registered = "registered"
    investigating = "investigating"
    reviewed = "reviewed"
    publicity = "publicity"  # 公示 (per county, optional)
    approved = "approved"
    in_service = "in_service"
    closed = "closed"
    referred = "referred"
    rejected = "rejected"
    withdrawn = "withdrawn"


STATUS_NAMES = {
    CaseStatus.submitted: "已提交",
    CaseStatus.registered: "已受理",
    CaseStatus.investigating: "入户调查中",
    CaseStatus.reviewed: "已审核",
    CaseStatus.publicity: "公示中",
    CaseStatus.approved: "已审批",
    CaseStatus.in_service: "服务中",
    CaseStatus.closed: "已办结",
    CaseStatus.referred: "已转介",
    CaseStatus.rejected: "不予救助",
    CaseStatus.withdrawn: "已撤回",
}

FINAL_STATUSES = frozenset(
    {CaseStatus.closed, CaseStatus.referred, CaseStatus.rejected, CaseStatus.withdrawn}
)
OPEN_STATUSES = frozenset(CaseStatus) - FINAL_STATUSES


class ApplicantKind(enum.StrEnum):
    self = "self"  # the beneficiary applies
    delegate = "delegate"  # a relative or neighbour applies on their behalf
    clerk = "clerk"  # a clerk records a walk-in, phone or hotline request
    worker = "worker"  # a village worker reports a household (主动发现)


class Channel(enum.StrEnum):
    telegram = "telegram"
    web_chat = "web_chat"
    window = "window"  # 来访
    phone = "phone"  # 来电
    hotline = "hotline"  # 12345 / 12349 work order
    village_report = "village_report"  # 村级上报
    online = "online"  # 线上 (other)


CHANNEL_NAMES = {
    Channel.telegram: "Telegram",
    Channel.web_chat: "网上申请",
    Channel.window: "来访",
    Channel.phone: "来电",
    Channel.hotline: "热线工单",
    Channel.village_report: "村级上报",
    Channel.online: "线上",
}


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_queue", "township_id", "status", "emergency", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    county_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int]
    seq: Mapped[int]
    status: Mapped[CaseStatus] = mapped_column(
        Enum(CaseStatus, native_enum=False, length=16), index=True
    )
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    applicant_kind: Mapped[ApplicantKind] = mapped_column(
        Enum(ApplicantKind, native_enum=False, length=16)
    )
    applicant_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    applicant_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    applicant_name: Mapped[str | None] = mapped_column(String(50))
    applicant_phone_enc: Mapped[str | None] = mapped_column(String(300))
    applicant_phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    applicant_phone_masked: Mapped[str | None] = mapped_column(String(16))
    delegate_relation: Mapped[str | None] = mapped_column(String(20))
    consent_method: Mapped[str | None] = mapped_column(String(30))
    consent_at: Mapped[datetime | None]
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=20))
    # "chat:<identity id>" for a chat delegate, "12345:<work order number>" for a hotline case.
    external_ref: Mapped[str | None] = mapped_column(String(50))
    # A 12345/12349 work order's own due date (end of that business day); it shortens the
    # calendar deadline of an ordinary step while it is the earlier one (`service.work_order`).
    work_order_due_at: Mapped[datetime | None]
    original_text: Mapped[str] = mapped_column(Text, default="")
    emergency: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(default=0)
    classification: Mapped[dict[str, Any]] = mapped_column(default=dict)
    township_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    # The path of the most precise region known (village, else township): scope checks and the
    # queue's region filter are prefix tests on it.
    region_path: Mapped[str] = mapped_column(String(200), index=True)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    # The deadline of the step the case is waiting for (from the working-day calendar).
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    due_step: Mapped[str | None] = mapped_column(String(30))
    registered_at: Mapped[datetime | None]
    # 先行救助: helped first, review and approval owed afterwards (补办) by backfill_due_at.
    relief_first: Mapped[bool] = mapped_column(default=False)
    backfill_due_at: Mapped[datetime | None] = mapped_column(index=True)
    backfill_reviewed_at: Mapped[datetime | None]
    backfill_approved_at: Mapped[datetime | None]
    # 公示: the dates of the public notice, in business days (Asia/Shanghai).
    publicity_start: Mapped[date | None] = mapped_column(Date)
    publicity_end: Mapped[date | None] = mapped_column(Date)
    open_objections: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    items: Mapped[list[CaseItem]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CaseItem.item"
    )

    @property
    def item_ids(self) -> list[str]:
        return [i.item for i in self.items]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def backfill_pending(self) -> bool:
        return self.relief_first and self.backfill_approved_at is None


class CaseItem(Base):
    __tablename__ = "case_items"
    __table_args__ = (UniqueConstraint("case_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40), index=True)


class CaseEvent(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    actor_label: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # photo, voice, document, consent_scan
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    uploaded_by_label: Mapped[str] = mapped_column(String(100))


class CaseCounter(Base):
    __tablename__ = "case_counters"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class CountyPolicy(Base):
    """Per-county choices of the workflow: 公示 before approval, items approved by townships."""

    __tablename__ = "county_policies"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    publicity_required: Mapped[bool] = mapped_column(default=False)
    township_approves: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]


class IntakeNonce(Base):
    """A clerk-entry form's one-time nonce: the first submission files the case, a second one
    (double click, back and resubmit, a retried API call) finds the same case here."""

    __tablename__ = "intake_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
