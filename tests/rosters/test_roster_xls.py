"""Old-format .xls rosters (Excel 97–2003, still common in township offices) read like .xlsx."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rosters.rosterbooks import REFUSED_LINES, dibao_rows

xlwt = pytest.importorskip("xlwt", reason="xlwt writes the .xls test file")


def _dibao_xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("低保名册")
    sheet.write_merge(0, 0, 0, 9, "牟定县共和镇2026年农村最低生活保障对象花名册")
    header = ["序号", "村(社区)", "户主姓名", "户主身份证号", "姓名", "身份证号", "与户主关系",
              "出生日期", "联系电话", "备注"]  # fmt: skip
    for column, title in enumerate(header):
        sheet.write(1, column, title)
    rows = dibao_rows()
    for index, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(index, column, value)
    sheet.write(len(rows) + 2, 0, "合计")
    book.save(str(path))
    return path


async def test_xls_roster_is_read_like_the_workbook(tmp_path: Path, import_roster, counts) -> None:
    before = await counts()
    report = await import_roster(_dibao_xls(tmp_path / "低保.xls"))
    refused = {r.line + 1: r.reason for r in report.refused}  # one header row fewer than .xlsx
    assert set(refused) == set(REFUSED_LINES)
    assert "数字" in refused[7]  # the ID that Excel stored as a number is refused, not guessed
    assert len(report.added) == 4
    assert (await counts())[0] == before[0] + 4
    again = await import_roster(tmp_path / "低保.xls")
    assert again.added == [] and again.changed == []
