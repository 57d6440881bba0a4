"""Creating visit plans from data, set-based: in_service cases and roster target groups.

A recipient gets one plan (`visit_plans.person_id` is unique) with the village worker of their
village (the lowest staff id among the active village workers granted on the village, or on the
village above a 村民小组). A person without such a worker still gets a plan, with no worker: the
township sees it at period end, and the plan picks up a worker as soon as one is granted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Case as SqlCase
from sqlalchemy import (
    ScalarSelect,
    Select,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.cases.models import Case, CaseStatus
from backend.core.clock import business_date
from backend.outbox.delivery import SweepReport
from backend.people.groups import DIBAO, TEKUN
from backend.people.models import Person, TargetGroup
from backend.people.service import active_recipients_filter
from backend.regions.models import Region, RegionLevel
from backend.staff.models import Role, StaffMember, StaffRole
from backend.visits.models import PlanSource, VisitPlan

# Target groups whose members get visits without a case (the roster import); data, not logic.
PLAN_GROUPS: tuple[str, ...] = (
    TEKUN,
    DIBAO,
    "children_in_difficulty",
    "left_behind_elderly",
    "left_behind_children",
)

_region = aliased(Region)
_parent = aliased(Region)


def _worker_of() -> ScalarSelect[Any]:
    """Correlated subquery: the village worker of the plan's region (or of its parent)."""
    return (
        select(func.min(StaffRole.staff_id))
        .join(StaffMember, StaffMember.id == StaffRole.staff_id)
        .where(
            StaffRole.role == Role.village_worker,
            StaffMember.active.is_(True),
            or_(StaffRole.region_id == _region.id, StaffRole.region_id == _region.parent_id),
        )
        .correlate(_region)
        .scalar_subquery()
    )


def _township_of() -> SqlCase[Any]:
    return case(
        (_region.level == RegionLevel.township, _region.id),
        (_region.level == RegionLevel.village, _region.parent_id),
        else_=_parent.parent_id,
    )


def _candidates(source: PlanSource, now: datetime) -> Select[Any]:
    today = business_date(now)
    no_plan = ~exists().where(VisitPlan.person_id == Person.id)
    base = (
        select(
            Person.id,
            _worker_of(),
            Person.region_id,
            _township_of(),
            literal(source.value),
            func.min(Case.id) if source == PlanSource.case else literal(None),
            literal(today),
            literal(now),
        )
        .select_from(Person)
        .join(_region, _region.id == Person.region_id)
        .outerjoin(_parent, _parent.id == _region.parent_id)
        .where(active_recipients_filter(now), no_plan)
    )
    if source == PlanSource.case:
        return base.join(
            Case, and_(Case.beneficiary_id == Person.id, Case.status == CaseStatus.in_service)
        ).group_by(
            Person.id,
            Person.region_id,
            _region.id,
            _region.level,
            _region.parent_id,
            _parent.parent_id,
        )
    on_roster = exists().where(
        TargetGroup.person_id == Person.id,
        TargetGroup.group.in_(PLAN_GROUPS),
        or_(TargetGroup.ended_on.is_(None), TargetGroup.ended_on > today),
    )
    return base.where(on_roster)


async def sweep_plans(session: AsyncSession, *, now: datetime) -> SweepReport:
    """Give every recipient who needs one a plan; give worker-less plans a worker."""
    report = SweepReport("plans")
    columns = [
        "person_id",
        "worker_staff_id",
        "region_id",
        "township_id",
        "source",
        "case_id",
        "active_from",
        "created_at",
    ]
    for source in (PlanSource.case, PlanSource.roster):
        statement = insert(VisitPlan).from_select(columns, _candidates(source, now))
        result = await session.execute(statement)
        report.add(f"created_{source.value}", max(int(getattr(result, "rowcount", 0) or 0), 0))
    orphan_region = (
        select(func.min(StaffRole.staff_id))
        .join(StaffMember, StaffMember.id == StaffRole.staff_id)
        .join(_region, _region.id == VisitPlan.region_id)
        .where(
            StaffRole.role == Role.village_worker,
            StaffMember.active.is_(True),
            or_(StaffRole.region_id == _region.id, StaffRole.region_id == _region.parent_id),
        )
        .scalar_subquery()
    )
    result = await session.execute(
        update(VisitPlan)
        .where(VisitPlan.worker_staff_id.is_(None), orphan_region.is_not(None))
        .values(worker_staff_id=orphan_region)
        .execution_options(synchronize_session=False)
    )
    report.add("worker_assigned", max(int(getattr(result, "rowcount", 0) or 0), 0))
    await session.flush()
    return report
