"""Messy rosters as offices keep them, built in the tests: title rows, merged headers, a 合计 row,
IDs that Excel turned into numbers, one household over several rows."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from backend.people.idnumbers import check_digit


def make_id(birth: str, seq: int = 1, *, area: str = "532323") -> str:
    """A valid 18-digit ID (birth as YYYYMMDD)."""
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + check_digit(first17)


def make_id_ending_x(birth: str, *, area: str = "532323") -> str:
    for seq in range(1, 999):
        value = make_id(birth, seq, area=area)
        if value.endswith("X"):
            return value
    raise AssertionError("no X check digit found")


def with_bad_checksum(value: str) -> str:
    last = "0" if value[-1] != "0" else "1"
    return value[:-1] + last


# The people of the 低保 roster.
ZHANG = make_id("19480312", 11)
LI = make_id_ending_x("19500607")  # written with a lowercase x in the roster
OLD_ID_15 = "532323850101123"  # 15-digit ID of 张小 (born 1985-01-01)
ZHANG_XIAO = "53232319850101123" + check_digit("53232319850101123")
WANG = make_id("19551111", 22)  # his ID cell became a number in Excel
ZHAO = make_id("19600101", 31)
QIAN = make_id("19700505", 41)
SUN = make_id("19620202", 51)
ZHOU = make_id("19390909", 61)


def dibao_rows() -> list[list[Any]]:
    """Rows 4.. (A..I): 序号 村 户主姓名 户主身份证 姓名 身份证 关系 出生 电话."""
    return [
        [1, "北屯村", "张三", ZHANG, "张三", ZHANG, "户主", "1948-03-12", "138 1234 5678"],
        [None, None, None, None, "李四", LI.lower(), "妻", "1950-06-07", None],
        [None, None, None, None, "张小", OLD_ID_15, "子", "1985.1.1", None],
        [2, "天台村", "王五", None, "王五", float(WANG), "户主", None, None],
        [3, "北屯村", "赵六", ZHAO, "赵六", ZHAO, "户主", "2015-02-31", None],
        [4, "不存在村", "钱七", QIAN, "钱七", QIAN, "户主", None, None],
        [5, "天台村", "孙八", None, "孙八", with_bad_checksum(SUN), "户主", None, None],
        [6, "北屯村", "张三", ZHANG, "张三", ZHANG, "户主", None, None],
        [7, "北屯村委会", "周九", ZHOU, "周九", ZHOU, "户主", "1939-09", "0878-5211234"],
    ]


REFUSED_LINES = {7: "数字", 8: "不存在", 9: "不存在村", 10: "校验位", 11: "重复"}


def write_dibao_xlsx(path: Path, rows: Sequence[Sequence[Any]] | None = None) -> Path:
    """Title row, a two-row header with merged cells, merged household cells, 合计 and footer."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "低保名册"
    sheet["A1"] = "牟定县共和镇2026年农村最低生活保障对象花名册"
    sheet.merge_cells("A1:J1")
    sheet.append(["序号", "村(社区)", "户主信息", None, "家庭成员信息", None, None, None,
                  "联系电话", "备注"])  # fmt: skip
    sheet.append([None, None, "姓名", "身份证号码", "姓名", "公民身份号码", "与户主关系",
                  "出生日期", None, None])  # fmt: skip
    for cells in ("A2:A3", "B2:B3", "C2:D2", "E2:H2", "I2:I3", "J2:J3"):
        sheet.merge_cells(cells)
    data = list(rows if rows is not None else dibao_rows())
    for row in data:
        sheet.append(list(row))
    first = 4
    if rows is None:  # the first household over three rows, with merged household cells
        for column in "ABCD":
            sheet.merge_cells(f"{column}4:{column}6")
        sheet["F7"].number_format = "0.00000E+00"
    total = first + len(data)
    sheet.cell(row=total, column=1, value="合计")
    sheet.cell(row=total, column=3, value=f"共{len(data)}户")
    sheet.cell(row=total + 2, column=1, value="制表人: 某某    审核人: 某某")
    book.save(path)
    return path


DISABLED_HEADER = ["姓名", "身份证号", "村", "残疾类别", "残疾等级", "自理能力", "监护人",
                   "监护人电话"]  # fmt: skip


def disabled_rows() -> list[list[Any]]:
    return [
        ["张三", ZHANG, "北屯村", "肢体", "二级", "部分丧失", "张小", "13900001111"],
        ["吴十", make_id("20150820", 71), "石桥村", "智力残疾", "4", "完全丧失", "吴妈", None],
    ]


def write_disabled_xlsx(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年持证残疾人名册"])
    sheet.append(DISABLED_HEADER)
    for row in disabled_rows():
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "gb18030") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if c is None else c for c in row])
    return path
