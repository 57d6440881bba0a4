"""Recording visits: the real date when entered later, the period it counts for, "需要帮助"
opening a case in the queue, who may record, and compliance per worker and village."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from backend.cases.models import ApplicantKind, Case, CaseStatus, Channel
from backend.core.errors import InvalidInput, NotFound
from backend.core.runtime import Runtime
from backend.visits import service as visits_service
from backend.visits.models import Visit, VisitOutcome
from backend.visits.periods import parse_key, period_of
from tests.scheduler.schedworld import at, build_villages, tick
from tests.world import World


def test_periods() -> None:
    assert period_of(date(2026, 2, 15)).key == "2026-02a"
    assert period_of(date(2026, 2, 16)).end == date(2026, 2, 28)
    assert period_of(date(2026, 3, 31)).nudge_day == date(2026, 3, 28)
    assert parse_key("2026-12b").next().key == "2027-01a"
    assert parse_key("2026-01a").previous().key == "2025-12b"
    with pytest.raises(ValueError):
        parse_key("2026-03c")


async def test_a_late_entry_counts_for_its_real_date_and_help_opens_a_case(
    runtime: Runtime, world: World
) -> None:
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    v = await build_villages(runtime, world)
    await tick(runtime, at(date(2026, 3, 1)))
    runtime.clock.set(at(date(2026, 3, 17)))  # type: ignore[attr-defined]
    person = v.people["w1"][3]
    async with runtime.sessions() as session, session.begin():
        plan = await visits_service.get_plan(session, person_id=person.id)
        assert plan is not None
        visit = await visits_service.record_visit(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=v.workers["w1"],
            data=visits_service.VisitInput(
                plan.id,
                VisitOutcome.needs_help,
                visited_on=date(2026, 3, 14),  # in the mountains, entered three days later
                note="屋顶漏雨,老人腿脚不便",
                lat=25.31,
                lon=101.54,
            ),
        )
        assert visit.period == "2026-03a" and visit.case_id is not None
        case = await session.get(Case, visit.case_id)
        assert case is not None and case.status == CaseStatus.submitted
        assert case.channel == Channel.village_report
        assert case.applicant_kind == ApplicantKind.worker
        assert case.beneficiary_id == person.id and case.external_ref == f"visit:{visit.id}"
        with pytest.raises(InvalidInput):
            await visits_service.record_visit(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                actor=v.workers["w1"],
                data=visits_service.VisitInput(
                    plan.id, VisitOutcome.visited, visited_on=date(2026, 3, 18)
                ),
            )
        with pytest.raises(NotFound):  # another village: answered like a missing plan
            await visits_service.record_visit(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                actor=v.workers["w2"],
                data=visits_service.VisitInput(plan.id, VisitOutcome.visited),
            )
    async with runtime.sessions() as session:
        by_worker = await visits_service.compliance_by_worker(
            session,
            clock=runtime.clock,
            period=period_of(date(2026, 3, 1)),
            region_path=world.county.path,
        )
        by_village = await visits_service.compliance_by_village(
            session,
            clock=runtime.clock,
            period=period_of(date(2026, 3, 1)),
            region_path=world.township.path,
        )
        visits = (await session.execute(select(Visit))).scalars().all()
    assert len(visits) == 1
    assert [(c.label, c.due, c.visited) for c in by_worker] == [
        ("w2-staff", 20, 0),
        ("w3-staff", 10, 0),
        ("worker-staff", 20, 1),
    ]
    assert sorted((c.label, c.due, c.visited) for c in by_village) == [
        ("北屯村", 20, 1),
        ("天台村", 20, 0),
    ]
