"""Who is acting: a staff member with region-scoped roles, a resident, or the system itself.

An `Actor` is rebuilt from the database on every request/update/job, so a role or region change
takes effect on the user's next request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from backend.staff.models import Role


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    region_id: int
    region_path: str


@dataclass(frozen=True, slots=True)
class Actor:
    kind: Literal["staff", "person", "system"]
    label: str
    staff_id: int | None = None
    person_id: int | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @classmethod
    def system(cls, label: str = "系统") -> Actor:
        return cls(kind="system", label=label)

    @classmethod
    def person(cls, person_id: int | None, label: str = "申请人") -> Actor:
        return cls(kind="person", label=label, person_id=person_id)

    def has_role(self, roles: Iterable[Role]) -> bool:
        wanted = set(roles)
        return any(g.role in wanted for g in self.grants)

    def can_act_on(self, roles: Iterable[Role], region_path: str) -> bool:
        """True when one of `roles` is granted on a region that contains `region_path`."""
        wanted = set(roles)
        return any(g.role in wanted and region_path.startswith(g.region_path) for g in self.grants)

    def sees(self, region_path: str) -> bool:
        """Any role at all over the region: the actor may know that records there exist."""
        return any(region_path.startswith(g.region_path) for g in self.grants)
