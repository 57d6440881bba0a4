"""Files that cannot be imported at all: a clear message, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from backend.core.errors import InvalidInput
from backend.rosters.reader import OLE_MAGIC
from tests.rosters.rosterbooks import ZHANG, write_dibao_xlsx


def _wrong_header(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["低保名册"])
    sheet.append(["序", "名字叫", "证件", "住哪"])
    sheet.append([1, "张三", ZHANG, "北屯村"])
    book.save(path)
    return path


def _header_only(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "村"])
    book.save(path)
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _corrupt(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04" + b"this is not really a zip archive" * 10)
    return path


def _not_excel(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4 a scanned roster\x00\x01")
    return path


def _encrypted(path: Path) -> Path:
    # An encrypted OOXML package is a CFB/OLE container, whatever its name says.
    path.write_bytes(OLE_MAGIC + b"\x00" * 1024)
    return path


def _huge(path: Path) -> Path:
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    return path


CASES = [
    ("wrong_header.xlsx", _wrong_header, "找不到表头", "名字叫"),
    ("header_only.xlsx", _header_only, "没有数据行", None),
    ("empty.xlsx", _empty, "文件是空的", None),
    ("empty.csv", _empty, "文件是空的", None),
    ("corrupt.xlsx", _corrupt, "损坏", None),
    ("scan.xls", _not_excel, "损坏", None),
    ("protected.xlsx", _encrypted, "文件有密码保护,请先取消密码再导入", None),
    ("huge.xlsx", _huge, "文件太大(100 MB)", None),
]


@pytest.mark.parametrize(("name", "build", "message", "detail"), CASES)
async def test_fatal_file_problems_change_nothing(
    tmp_path: Path, import_roster, counts, name, build, message, detail
) -> None:
    before = await counts()
    with pytest.raises(InvalidInput) as caught:
        await import_roster(build(tmp_path / name))
    assert message in caught.value.message
    if detail:
        assert detail in caught.value.message
    assert await counts() == before


async def test_an_unknown_group_option_is_refused(tmp_path: Path, import_roster, counts) -> None:
    before = await counts()
    with pytest.raises(InvalidInput, match="不认识的救助类别“低保户口”"):
        await import_roster(write_dibao_xlsx(tmp_path / "a.xlsx"), groups=["低保户口"])
    assert await counts() == before


async def test_a_roster_without_any_group_is_refused(tmp_path: Path, import_roster) -> None:
    with pytest.raises(InvalidInput, match="--group"):
        await import_roster(write_dibao_xlsx(tmp_path / "a.xlsx"), groups=[])


async def test_a_village_outside_the_township_is_refused_by_row(
    tmp_path: Path, import_roster
) -> None:
    from tests.rosters.rosterbooks import write_disabled_xlsx

    report = await import_roster(write_disabled_xlsx(tmp_path / "残疾.xlsx"), groups=["残疾"])
    # 石桥村 belongs to 新桥镇, not to 共和镇 the import was given
    assert [(r.line, "石桥村" in r.reason) for r in report.refused] == [(4, True)]
