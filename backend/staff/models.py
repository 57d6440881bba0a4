"""Staff accounts and their roles, each role scoped to a region subtree."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db import Base


class Role(enum.StrEnum):
    village_worker = "village_worker"
    township_officer = "township_officer"
    county_officer = "county_officer"
    provider = "provider"
    admin = "admin"


ROLE_NAMES = {
    Role.village_worker: "村级工作人员",
    Role.township_officer: "乡镇经办人员",
    Role.county_officer: "县级民政人员",
    Role.provider: "服务机构",
    Role.admin: "系统管理员",
}


class StaffMember(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    phone_enc: Mapped[str | None] = mapped_column(String(300))
    phone_masked: Mapped[str | None] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    roles: Mapped[list[StaffRole]] = relationship(
        back_populates="staff", lazy="selectin", cascade="all, delete-orphan"
    )


class StaffRole(Base):
    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("staff_id", "role", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=24))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)

    staff: Mapped[StaffMember] = relationship(back_populates="roles", lazy="raise")
