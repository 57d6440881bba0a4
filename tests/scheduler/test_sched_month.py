"""A simulated March for 50 recipients on a frozen clock: exactly the expected digests, nudges,
period-end escalations, deadline alerts and surveys; pauses and exits stop duties at once."""

from __future__ import annotations

from datetime import date, timedelta

from backend.cases.models import CaseStatus
from backend.core.runtime import Runtime
from backend.people import exits
from backend.people.models import Person
from tests.cases.helpers import case_in, submit
from tests.scheduler.schedworld import (
    at,
    bind_chat,
    build_villages,
    count,
    scheduler_rows,
    tick,
    visit,
)
from tests.world import World


def names(row_params: dict[str, object]) -> set[str]:
    return {h["name"] for h in row_params["households"]}  # type: ignore[attr-defined, index]


async def test_a_simulated_month(runtime: Runtime, world: World) -> None:
    clock = runtime.clock
    clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    v = await build_villages(runtime, world)
    w1, w2, w3 = (v.people[k] for k in ("w1", "w2", "w3"))
    # The resident (李大爷, 北屯村) gets service on 26 Feb: a plan from the case, and surveys.
    await bind_chat(runtime, person_id=world.resident.id, chat="7001")
    served = await case_in(runtime, world, CaseStatus.in_service)
    # A normal request on Thursday 26 Feb nobody registers (due by the end of Friday 27 Feb).
    late = await submit(runtime, world, beneficiary=w1[0], items=("living.bath",))
    assert late.case.due_step == "register"

    def day(n: int) -> date:
        return date(2026, 3, 1) + timedelta(days=n - 1)

    for n in range(1, 32):
        today = day(n)
        clock.set(at(today, 8))  # type: ignore[attr-defined]
        if n == 2:  # an emergency at 08:00 on 2 March that nobody acknowledges
            await submit(
                runtime,
                world,
                beneficiary=w1[1],
                items=("living.meal",),
                emergency=True,
                text="老人摔倒了起不来",
            )
        if n == 5:  # period a: W1 visits everyone, W2 15 of 20, W3 nobody
            await visit(runtime, v.workers["w1"], [*w1, world.resident], today)
            await visit(runtime, v.workers["w2"], w2[:15], today)
        if n == 10:
            await _status(runtime, world, w1[19], "pause", today)
        if n == 20:  # period b: W1 all but the paused one, W2 10 of 20, W3 5 of 10
            await visit(runtime, v.workers["w1"], [*w1[:19], world.resident], today)
            await visit(runtime, v.workers["w2"], w2[:10], today)
            await visit(runtime, v.workers["w3"], w3[:5], today)
            await _status(runtime, world, w2[19], "exit", today)
        await tick(runtime, at(today))
        if n % 7 == 0:
            await tick(runtime, at(today, 21))  # a second run the same day changes nothing
    await tick(runtime, at(date(2026, 4, 1)))

    rows = await scheduler_rows(runtime)
    digests = {
        (r.params["period"], r.staff_id): r for r in rows if r.template_key == "visit_digest"
    }
    ids = {k: v.workers[k].staff_id for k in ("w1", "w2", "w3")}
    assert sorted(len(d.params["households"]) for d in digests.values()) == sorted(
        [21, 20, 10, 20, 20, 10, 20, 19, 10]
    )
    assert len(digests[("2026-03b", ids["w1"])].params["households"]) == 20  # paused one gone
    assert w1[19].name not in names(digests[("2026-03b", ids["w1"])].params)
    assert w2[19].name not in names(digests[("2026-04a", ids["w2"])].params)  # exited
    assert count(rows, period="2026-03a") == {
        "visit_digest": 3,
        "visit_nudge": 2,
        "visit_missed": 2,
    }
    assert count(rows, period="2026-03b") == {
        "visit_digest": 3,
        "visit_nudge": 2,
        "visit_missed": 2,
        "visit_missed_again": 1,
    }
    nudges = {
        (r.params["period"], r.staff_id): len(r.params["households"])
        for r in rows
        if r.template_key == "visit_nudge"
    }
    assert nudges == {
        ("2026-03a", ids["w2"]): 5,
        ("2026-03a", ids["w3"]): 10,
        ("2026-03b", ids["w2"]): 9,
        ("2026-03b", ids["w3"]): 5,
    }
    missed = {
        (r.params["period"], r.staff_id): len(r.params["households"])
        for r in rows
        if r.template_key == "visit_missed"
    }
    township, sibling = world.actors["township"].staff_id, world.actors["sibling_township"].staff_id
    assert missed == {
        ("2026-03a", township): 5,
        ("2026-03a", sibling): 10,
        ("2026-03b", township): 9,
        ("2026-03b", sibling): 5,
    }
    (again,) = [r for r in rows if r.template_key == "visit_missed_again"]
    assert again.staff_id == world.actors["county"].staff_id
    assert names(again.params) == {p.name for p in [*w2[15:19], *w3[5:]]}
    # Deadlines: the unregistered case once to the county, the emergency again and up, once.
    assert count(rows, number=late.case.number) == {"case_overdue": 1}
    emergency = [r for r in rows if r.template_key.startswith("emergency")]
    assert sorted((r.template_key, r.staff_id) for r in emergency) == sorted(
        [("emergency_again", township), ("emergency_up", world.actors["county"].staff_id)]
    )
    # Surveys of the served resident: start (1 Mar), March (20 days after), April.
    surveys = [r for r in rows if r.template_key.startswith("survey_")]
    assert {r.params["round"] for r in surveys} == {"start", "2026-03", "2026-04"}
    assert count(surveys) == {"survey_ask": 3, "survey_remind": 2, "survey_task": 2}
    assert all(r.params["survey"] for r in surveys) and served.id


async def _status(runtime: Runtime, world: World, person: Person, what: str, day: date) -> None:
    async with runtime.sessions() as session, session.begin():
        if what == "pause":
            await exits.pause(
                session,
                clock=runtime.clock,
                actor=world.actors["township"],
                person_id=person.id,
                effective_on=day,
            )
        else:
            await exits.record_exit(
                session,
                clock=runtime.clock,
                actor=world.actors["township"],
                person_id=person.id,
                reason=exits.ExitReason.moved_out,
                effective_on=day,
            )
