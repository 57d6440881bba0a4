"""A village world for the scheduler tests: three village workers, 50 recipients on the 低保
roster, chats bound for the workers and the officers, and helpers to tick and count."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from backend.core.clock import BUSINESS_TZ
from backend.core.runtime import Runtime
from backend.identities import service as identities
from backend.outbox.models import Notification
from backend.people import service as people_service
from backend.people.models import Person, TargetGroup
from backend.people.service import PersonInput
from backend.regions.models import Region
from backend.staff import service as staff_service
from backend.staff.actor import Actor
from backend.staff.models import Role
from backend.visits import service as visits_service
from backend.visits.models import VisitOutcome
from scheduler.registry import SWEEPS
from tests.world import World

SCHEDULER_TEMPLATES = {
    "visit_digest",
    "visit_nudge",
    "visit_missed",
    "visit_missed_again",
    "survey_ask",
    "survey_remind",
    "survey_task",
    "case_overdue",
    "emergency_again",
    "emergency_up",
    "unreachable_task",
}


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUSINESS_TZ)


@dataclass
class Village:
    workers: dict[str, Actor]
    people: dict[str, list[Person]] = field(default_factory=dict)


async def bind_chat(
    runtime: Runtime, *, staff_id: int | None = None, person_id: int | None = None, chat: str
) -> int:
    async with runtime.sessions() as session, session.begin():
        identity = await identities.get_or_create(
            session, clock=runtime.clock, channel="telegram", external_id=chat
        )
        await identities.bind(
            session, clock=runtime.clock, identity=identity, staff_id=staff_id, person_id=person_id
        )
        return identity.id


async def add_worker(runtime: Runtime, username: str, region: Region) -> Actor:
    async with runtime.sessions() as session, session.begin():
        member = await staff_service.create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            username=username,
            name=f"{username}-staff",
            password=None,
            roles=[(Role.village_worker, region)],
        )
        return await staff_service.actor_for(session, staff_id=member.id)


async def add_recipients(
    runtime: Runtime, region: Region, count: int, *, prefix: str, group: str = "dibao"
) -> list[Person]:
    people: list[Person] = []
    async with runtime.sessions() as session, session.begin():
        now = runtime.clock.now()
        for n in range(count):
            person = await people_service.find_or_create(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                data=PersonInput(name=f"{prefix}{n:02d}", region=region),
            )
            # The roster import's result, written directly: the import has its own tests.
            session.add(
                TargetGroup(
                    person_id=person.id,
                    group=group,
                    source="roster.xlsx",
                    created_at=now,
                    updated_at=now,
                )
            )
            people.append(person)
    return people


async def build_villages(runtime: Runtime, world: World) -> Village:
    """W1 = world's worker on 北屯村 (20), W2 on 天台村 (20), W3 on 石桥村 in 新桥镇 (10)."""
    workers = {
        "w1": world.actors["worker"],
        "w2": await add_worker(runtime, "w2", world.village2),
        "w3": await add_worker(runtime, "w3", world.sibling_village),
    }
    chat = 9000
    for key in ("w1", "w2", "w3"):
        chat += 1
        await bind_chat(runtime, staff_id=workers[key].staff_id, chat=str(chat))
    for key in ("township", "sibling_township", "county"):
        chat += 1
        await bind_chat(runtime, staff_id=world.actors[key].staff_id, chat=str(chat))
    village = Village(workers)
    village.people["w1"] = await add_recipients(runtime, world.village, 20, prefix="北屯")
    village.people["w2"] = await add_recipients(runtime, world.village2, 20, prefix="天台")
    village.people["w3"] = await add_recipients(runtime, world.sibling_village, 10, prefix="石桥")
    return village


async def tick(runtime: Runtime, when: datetime) -> dict[str, dict[str, int]]:
    from scheduler.runner import Runner

    runtime.clock.set(when)  # type: ignore[attr-defined]
    results = await Runner(runtime).tick()
    assert all(r.ok for r in results), results
    return {r.job_id: r.counts for r in results}


async def visit(
    runtime: Runtime,
    actor: Actor,
    people: list[Person],
    day: date,
    outcome: VisitOutcome = VisitOutcome.visited,
) -> None:
    async with runtime.sessions() as session, session.begin():
        for person in people:
            plan = await visits_service.get_plan(session, person_id=person.id)
            assert plan is not None
            await visits_service.record_visit(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                actor=actor,
                data=visits_service.VisitInput(plan.id, outcome, visited_on=day),
            )


async def scheduler_rows(runtime: Runtime) -> list[Notification]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.template_key.in_(SCHEDULER_TEMPLATES))
            .order_by(Notification.id)
        )
        return list(rows.scalars())


def count(rows: list[Notification], **where: Any) -> Counter[str]:
    """Rows by template key, restricted to those whose params match `where`."""
    return Counter(
        r.template_key for r in rows if all(r.params.get(k) == v for k, v in where.items())
    )


__all__ = ["SWEEPS"]
