"""Recording a visit from a digest button, with no transport: the steps, a late date inside the
period, 需要帮助 opening a case, and buttons that are forged, foreign, stale or tapped twice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from backend.cases.models import ApplicantKind, Case, Channel
from backend.conversations import service as conversations
from backend.core.runtime import Runtime
from backend.visits import service as visits_service
from backend.visits.models import Visit, VisitOutcome
from dialogs.engine import Engine
from dialogs.flows.visit import parse_day
from dialogs.types import Inbound
from tests.dialogs.conftest import Chat, keys, shown
from tests.scheduler.schedworld import Village, at, build_villages, tick
from tests.world import World


@pytest.fixture
async def village(runtime: Runtime, world: World) -> Village:
    """Plans from 1 March; today is Friday 20 March (period 2026-03b)."""
    runtime.clock.set(at(date(2026, 2, 26)))  # type: ignore[attr-defined]
    built = await build_villages(runtime, world)
    await tick(runtime, at(date(2026, 3, 1)))
    runtime.clock.set(at(date(2026, 3, 20)))  # type: ignore[attr-defined]
    return built


@pytest.fixture
def worker(runtime: Runtime, engine: Engine) -> Chat:
    return Chat(runtime, engine, user="9001", name="村干部")  # w1's bound chat (北屯村)


async def _plan(runtime: Runtime, village: Village, n: int = 0, who: str = "w1") -> int:
    async with runtime.sessions() as session:
        plan = await visits_service.get_plan(session, person_id=village.people[who][n].id)
    assert plan is not None
    return plan.id


async def _visits(runtime: Runtime) -> list[Visit]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Visit).order_by(Visit.id))).scalars())


async def test_visited_with_note_location_and_a_late_date(
    runtime: Runtime, village: Village, worker: Chat
) -> None:
    plan = await _plan(runtime, village)
    button = f"visit:{plan}:2026-03b:visited"
    assert keys(await worker.tap(button)) == ["visit_start", "visit_ask_note"]
    assert keys(await worker.text("身体还好,米面够吃")) == ["visit_ask_photo"]
    assert keys(await worker.tap("skip")) == ["visit_ask_location"]
    assert worker.log[-1].ask_location
    located = await worker.send(Inbound("location", latitude=25.31, longitude=101.54))
    assert keys(located) == ["visit_ask_date"]
    assert [c.value for c in located[0].choices[0]] == ["vd:0", "vd:1", "vd:2"]
    assert keys(await worker.text("3月25日")) == ["visit_date_future", "visit_ask_date"]
    assert keys(await worker.text("3月10日")) == ["visit_date_range", "visit_ask_date"]
    assert keys(await worker.text("下礼拜")) == ["visit_date_unknown", "visit_ask_date"]
    confirm = await worker.text("3月17日")
    assert keys(confirm) == ["visit_confirm"]
    assert "3月17日" in shown(confirm) and "米面够吃" in shown(confirm)
    assert keys(await worker.tap("v:ok")) == ["visit_recorded"]
    (visit,) = await _visits(runtime)
    assert visit.visited_on == date(2026, 3, 17) and visit.period == "2026-03b"
    assert visit.outcome == VisitOutcome.visited and visit.note == "身体还好,米面够吃"
    assert (visit.lat, visit.lon, visit.photo_key) == (25.31, 101.54, None)
    assert visit.worker_staff_id == village.workers["w1"].staff_id
    # The same button again (or the confirm button of the old message): recorded once.
    assert keys(await worker.tap(button)) == ["visit_already"]
    assert keys(await worker.tap("v:ok")) == ["stale_choice"]
    assert len(await _visits(runtime)) == 1


async def test_previous_period_and_photo_and_back(
    runtime: Runtime, village: Village, worker: Chat
) -> None:
    plan = await _plan(runtime, village, 1)
    await worker.tap(f"visit:{plan}:2026-03a:not_met")
    await worker.tap("skip")
    photo = await worker.send(Inbound("photo", file_id="AgACphoto1"))
    assert keys(photo) == ["visit_photo_kept", "visit_ask_location"]
    assert keys(await worker.tap("back")) == ["visit_ask_photo"]
    assert keys(await worker.tap("skip")) == ["visit_ask_location"]
    dates = await worker.tap("skip")
    # 20 March is past this period's end: no day buttons, only a typed date.
    assert [c.value for row in dates[0].choices for c in row] == ["back", "cancel"]
    await worker.text("2026-03-14")
    await worker.tap("v:ok")
    (visit,) = await _visits(runtime)
    assert visit.period == "2026-03a" and visit.outcome == VisitOutcome.not_met
    assert visit.photo_key == "telegram:AgACphoto1" and visit.note is None


async def test_needs_help_asks_what_and_opens_a_case(
    runtime: Runtime, village: Village, worker: Chat
) -> None:
    plan = await _plan(runtime, village, 2)
    assert keys(await worker.tap(f"visit:{plan}:2026-03b:needs_help")) == [
        "visit_start",
        "visit_ask_help",
    ]
    assert [c.value for row in worker.log[-1].choices for c in row] == ["cancel"]
    assert keys(await worker.tap("skip")) == ["stale_choice", "visit_ask_help"]
    # A note about the household is not the worker's own emergency: no hotline interruption.
    assert keys(await worker.text("屋顶漏雨,老人腿脚不便,想请人帮忙修房子")) == ["visit_ask_photo"]
    await worker.tap("skip")
    await worker.tap("skip")
    await worker.tap("vd:1")
    done = await worker.tap("v:ok")
    assert keys(done) == ["visit_recorded", "visit_case_opened"]
    (visit,) = await _visits(runtime)
    async with runtime.sessions() as session:
        (case,) = (await session.execute(select(Case))).scalars().all()
    assert visit.case_id == case.id and visit.visited_on == date(2026, 3, 19)
    assert case.external_ref == f"visit:{visit.id}" and case.channel == Channel.village_report
    assert case.applicant_kind == ApplicantKind.worker and "漏雨" in case.original_text
    assert case.number in shown(done) and "共和镇" in shown(done)


async def test_forged_foreign_stale_and_unbound_buttons_change_nothing(
    runtime: Runtime, engine: Engine, village: Village, worker: Chat
) -> None:
    mine = await _plan(runtime, village)
    other = await _plan(runtime, village, 0, who="w2")
    assert keys(await worker.tap(f"visit:{other}:2026-03b:visited")) == ["visit_not_yours"]
    assert keys(await worker.tap(f"visit:{mine + 10_000}:2026-03b:visited")) == ["visit_not_yours"]
    assert keys(await worker.tap(f"visit:{mine}:2026-03x:visited")) == ["visit_not_yours"]
    assert keys(await worker.tap(f"visit:{mine}:2026-03b:burned")) == ["visit_not_yours"]
    assert keys(await worker.tap("visit:")) == ["visit_not_yours"]
    assert keys(await worker.tap(f"visit:{mine}:2026-02b:visited")) == ["visit_stale"]
    assert keys(await worker.tap(f"visit:{mine}:2026-04a:visited")) == ["visit_stale"]
    stranger = Chat(runtime, engine, user="777")
    assert keys(await stranger.tap(f"visit:{mine}:2026-03b:visited")) == ["visit_not_staff"]
    async with runtime.sessions() as session:
        snap = await conversations.load(session, channel="telegram", external_id="9001")
    assert snap.flow != "visit"
    assert await _visits(runtime) == []


async def test_resumes_after_start_and_cancel_records_nothing(
    runtime: Runtime, village: Village, worker: Chat
) -> None:
    plan = await _plan(runtime, village)
    await worker.tap(f"visit:{plan}:2026-03b:visited")
    await worker.text("很好")
    assert keys(await worker.command("start")) == ["resumed_duty", "visit_ask_photo"]
    assert keys(await worker.tap(f"visit:{plan}:2026-03b:visited")) == ["visit_ask_photo"]
    assert keys(await worker.command("cancel"))[0] == "cancelled"
    assert await _visits(runtime) == []


def test_parse_day() -> None:
    today = date(2026, 3, 20)
    assert parse_day("今天", today) == today
    assert parse_day("前天", today) == date(2026, 3, 18)
    assert parse_day("3月5日", today) == date(2026, 3, 5)
    assert parse_day("3月5号", today) == date(2026, 3, 5)
    assert parse_day("2026-03-05", today) == date(2026, 3, 5)
    assert parse_day("2026年3月5日", today) == date(2026, 3, 5)
    assert parse_day("3.5", today) == date(2026, 3, 5)
    assert parse_day("12月30日", date(2026, 1, 3)) == date(2025, 12, 30)
    assert parse_day("2月30日", today) is None
    assert parse_day("很久以前", today) is None
