"""Region tree from the official 12-digit statistical division codes.

county (6 significant digits) → township (9) → village (12) → optional group/grid (12 + suffix).
`path` is the materialised chain of codes ("532323/532323100/532323100201/"), so "is this region
inside that staff member's scope" is a prefix test and a subtree is one indexed range query.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db import Base


class RegionLevel(enum.StrEnum):
    county = "county"
    township = "township"
    village = "village"
    group = "group"


LEVEL_NAMES = {
    RegionLevel.county: "县(市、区)",
    RegionLevel.township: "乡镇(街道)",
    RegionLevel.village: "村(社区)",
    RegionLevel.group: "村民小组/网格",
}


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[RegionLevel] = mapped_column(Enum(RegionLevel, native_enum=False, length=16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    path: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    parent: Mapped[Region | None] = relationship(remote_side=[id], lazy="raise")

    def contains(self, other: Region) -> bool:
        """True when `other` is this region or lies below it."""
        return other.path.startswith(self.path)

    @property
    def county_code(self) -> str:
        return self.code[:6]
