"""The resource directory (who can help with which items, where) and the referrals made to it.

A resource serves a region subtree (`region_path`, a prefix test like everything scoped) and a
list of service items (ids of `backend.cases.items`). A provider resource may be linked to the
staff account that works its cases (`staff_id`), so a referral can also assign the case.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db import Base


class ResourceKind(enum.StrEnum):
    department = "department"  # 部门 (转办)
    provider = "provider"  # 服务机构 (转介)
    charity = "charity"  # 慈善组织
    volunteer = "volunteer"  # 志愿服务队


KIND_NAMES = {
    ResourceKind.department: "部门",
    ResourceKind.provider: "服务机构",
    ResourceKind.charity: "慈善组织",
    ResourceKind.volunteer: "志愿服务队",
}


class Resource(Base):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[ResourceKind] = mapped_column(Enum(ResourceKind, native_enum=False, length=16))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    region_path: Mapped[str] = mapped_column(String(200), index=True)
    contact: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class CaseReferral(Base):
    """One 转办/转介 of a case: to whom, why, and by when the answer is expected."""

    __tablename__ = "case_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # Past due and unanswered: listed in 督办 (`cases.queue.list_overdue`) until answered.
    due_at: Mapped[datetime] = mapped_column(index=True)
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)
