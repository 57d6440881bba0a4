"""A messy .xlsx 低保 roster: title, merged headers, a household over three rows, a 合计 row,
IDs as numbers, a lowercase x, a 15-digit ID, bad rows refused by row number."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from backend.core.runtime import Runtime
from backend.people import service as people_service
from backend.people.models import Person, TargetGroup
from tests.rosters.rosterbooks import (
    LI,
    REFUSED_LINES,
    ZHANG,
    ZHANG_XIAO,
    ZHOU,
    write_dibao_xlsx,
)


async def _person(runtime: Runtime, id_number: str) -> Person:
    async with runtime.sessions() as session:
        found = await people_service.get_by_id_number(
            session, cipher=runtime.cipher, id_number=id_number
        )
        assert found is not None
        return found


async def test_messy_roster_imports_good_rows_and_refuses_bad_ones(
    tmp_path: Path, runtime: Runtime, import_roster, counts
) -> None:
    before = await counts()
    report = await import_roster(write_dibao_xlsx(tmp_path / "低保.xlsx"))

    assert report.header_row == 3
    assert [c.line for c in report.added] == [4, 5, 6, 12]
    assert {r.line for r in report.refused} == set(REFUSED_LINES)
    for refusal in report.refused:
        assert REFUSED_LINES[refusal.line] in refusal.reason, refusal.reason
    reasons = {r.line: r.reason for r in report.refused}
    assert "5.32323E+17" in reasons[7] and "文本" in reasons[7]
    assert "与第4行" in reasons[11]
    assert any("0878-5211234" in w for w in report.warnings)  # a landline is not a mobile
    assert await counts() == (before[0] + 4, before[1] + 2, before[2] + 4)


async def test_household_over_several_rows_and_id_normalisation(
    tmp_path: Path, runtime: Runtime, import_roster
) -> None:
    await import_roster(write_dibao_xlsx(tmp_path / "低保.xlsx"))
    head, wife, son = [await _person(runtime, i) for i in (ZHANG, LI, ZHANG_XIAO)]
    assert head.household_id is not None
    assert head.household_id == wife.household_id == son.household_id
    assert (head.relation_to_head, wife.relation_to_head, son.relation_to_head) == (
        "户主", "妻", "子",
    )  # fmt: skip
    assert people_service.reveal_id_number(wife, cipher=runtime.cipher) == LI  # x → X
    assert LI.endswith("X")
    assert people_service.reveal_id_number(son, cipher=runtime.cipher) == ZHANG_XIAO  # 15 → 18
    assert head.phone_masked == "138****5678"
    assert head.phone_enc is not None and "13812345678" not in head.phone_enc
    zhou = await _person(runtime, ZHOU)
    assert zhou.household_id not in (None, head.household_id)
    assert zhou.phone_hash is None


async def test_groups_and_villages_come_from_the_roster(
    tmp_path: Path, runtime: Runtime, import_roster, world
) -> None:
    await import_roster(write_dibao_xlsx(tmp_path / "低保.xlsx"))
    head, zhou = await _person(runtime, ZHANG), await _person(runtime, ZHOU)
    assert head.region_id == world.village.id
    assert zhou.region_id == world.village.id  # 北屯村委会 = 北屯村
    async with runtime.sessions() as session:
        groups = (await session.execute(select(TargetGroup))).scalars().all()
    assert {g.group for g in groups} == {"dibao"}
    assert {g.source for g in groups} == {"低保.xlsx"}


async def test_reimport_of_the_same_file_changes_nothing(
    tmp_path: Path, import_roster, counts
) -> None:
    path = write_dibao_xlsx(tmp_path / "低保.xlsx")
    await import_roster(path)
    after_first = await counts()
    again = await import_roster(path)
    assert (len(again.added), len(again.changed), again.unchanged) == (0, 0, 4)
    assert again.households_added == 0
    assert {r.line for r in again.refused} == set(REFUSED_LINES)
    assert await counts() == after_first


async def test_dry_run_reports_but_changes_nothing(tmp_path: Path, import_roster, counts) -> None:
    before = await counts()
    report = await import_roster(write_dibao_xlsx(tmp_path / "低保.xlsx"), dry_run=True)
    assert len(report.added) == 4
    assert await counts() == before


async def test_a_changed_phone_is_reported_as_a_change(
    tmp_path: Path, import_roster, runtime: Runtime
) -> None:
    await import_roster(write_dibao_xlsx(tmp_path / "a.xlsx"))
    from tests.rosters.rosterbooks import dibao_rows

    rows = dibao_rows()
    rows[0][8] = "13900002222"
    report = await import_roster(write_dibao_xlsx(tmp_path / "b.xlsx", rows))
    assert [(c.line, c.what) for c in report.changed] == [(4, ("联系电话",))]
    assert (await _person(runtime, ZHANG)).phone_masked == "139****2222"
