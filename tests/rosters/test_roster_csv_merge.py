"""CSV rosters (GB18030 as Excel saves them), the same person on two rosters, the error workbook."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from backend.core.runtime import Runtime
from backend.people import service as people_service
from backend.people.models import Person, SelfCare, TargetGroup
from tests.rosters.rosterbooks import (
    DISABLED_HEADER,
    REFUSED_LINES,
    WANG,
    ZHANG,
    dibao_rows,
    disabled_rows,
    write_csv,
    write_dibao_xlsx,
    write_disabled_xlsx,
)


def _dibao_csv(path: Path) -> Path:
    rows: list[list[object]] = [
        ["共和镇低保对象花名册"],
        ["序号", "村(社区)", "户主姓名", "户主身份证号", "姓名", "身份证号", "与户主关系",
         "出生日期", "联系电话", "备注"],
    ]  # fmt: skip
    for row in dibao_rows():
        rows.append(row)
    rows[5][5] = "5.32323E+17"  # what Excel writes for an ID stored as a number
    rows.append(["合计", "", "共9户"])
    return write_csv(path, rows)


async def test_csv_in_gb18030_is_read_like_the_workbook(
    tmp_path: Path, import_roster, counts
) -> None:
    before = await counts()
    report = await import_roster(_dibao_csv(tmp_path / "低保.csv"))
    refused = {r.line + 1: r.reason for r in report.refused}  # one header row fewer
    assert set(refused) == set(REFUSED_LINES)
    assert "5.32323E+17" in refused[7]
    assert len(report.added) == 4
    assert (await counts())[0] == before[0] + 4


async def test_one_person_on_two_rosters_is_merged_by_id(
    tmp_path: Path, runtime: Runtime, import_roster, counts, world
) -> None:
    await import_roster(write_dibao_xlsx(tmp_path / "低保.xlsx"))
    persons_after_dibao = (await counts())[0]
    report = await import_roster(
        write_disabled_xlsx(tmp_path / "残疾人.xlsx"), groups=["残疾"], area="county"
    )
    assert [c.line for c in report.added] == [4]  # 吴十 is new, in 新桥镇 石桥村
    assert [(c.line, c.what[-1]) for c in report.changed] == [(3, "新增类别残疾")]
    assert (await counts())[0] == persons_after_dibao + 1
    async with runtime.sessions() as session:
        zhang = await people_service.get_by_id_number(
            session, cipher=runtime.cipher, id_number=ZHANG
        )
        assert zhang is not None
        groups = {
            g.group: g
            for g in (
                await session.execute(select(TargetGroup).where(TargetGroup.person_id == zhang.id))
            ).scalars()
        }
        assert set(groups) == {"dibao", "disabled"}
        assert (groups["disabled"].sub_type, groups["disabled"].disability_grade) == ("肢体", 2)
        assert zhang.self_care == SelfCare.partial
        assert zhang.carer_name == "张小" and zhang.carer_phone_masked == "139****1111"
        assert zhang.carer_phone_enc and "13900001111" not in zhang.carer_phone_enc
        assert zhang.relation_to_head == "户主"  # a roster without households keeps them
        wu = (await session.execute(select(Person).where(Person.name == "吴十"))).scalar_one()
        assert wu.region_id == world.sibling_village.id
    again = await import_roster(
        write_disabled_xlsx(tmp_path / "残疾人.xlsx"), groups=["残疾"], area="county"
    )
    assert (len(again.added), len(again.changed), again.unchanged) == (0, 0, 2)


async def test_error_workbook_can_be_fixed_and_imported_again(
    tmp_path: Path, import_roster
) -> None:
    from backend.rosters import errorbook

    report = await import_roster(write_dibao_xlsx(tmp_path / "低保.xlsx"))
    book_path = errorbook.write(
        tmp_path / "低保_未导入.xlsx", labels=report.labels, refused=report.refused
    )
    sheet = load_workbook(book_path).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][-2:] == ["错误原因", "原行号"]
    assert rows[0][2:4] == ["户主姓名", "户主身份证号"]
    assert [r[-1] for r in rows[1:]] == [str(n) for n in sorted(REFUSED_LINES)]
    wang = rows[1]
    assert wang[1] == "天台村" and wang[4] == "王五" and "数字" in wang[-2]
    assert all(sheet.cell(row=2, column=c).number_format == "@" for c in range(1, 5))
    # The clerk types 王五's ID as text and re-imports the whole error workbook.
    sheet.cell(row=2, column=6, value=WANG)
    load_book = sheet.parent
    load_book.save(book_path)
    fixed = await import_roster(book_path)
    assert [c.name for c in fixed.added] == ["王*"]
    # The duplicate of 张三 is no duplicate on its own: he is already there, unchanged.
    assert fixed.unchanged == 1
    assert [r.reason[:6] for r in fixed.refused] == ["出生日期“2", "村(社区)“", "身份证号校验"]


def test_disabled_header_names_every_field() -> None:
    from backend.rosters.headers import field_for

    assert [field_for(h) for h in DISABLED_HEADER] == [
        "name", "id_number", "village", "disability_category", "disability_grade", "self_care",
        "guardian_name", "guardian_phone",
    ]  # fmt: skip
    assert disabled_rows()[0][1] == ZHANG
