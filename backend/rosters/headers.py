"""Finding the header of a roster below its title rows, and naming each column by its synonyms.

Offices write the same column a dozen ways (身份证号 / 身份证号码 / 公民身份号码 / 证件号码 …) and
often put a merged group header above it ("户主信息" over 姓名 and 身份证号). The header is the
first row, within the first 20, that names both a person's name and an ID number column; the row
above it, when it is not the title, is read as the group header. The synonyms are data: add a
spelling to `FIELD_SYNONYMS`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from backend.rosters.reader import Cell, RosterFileError

HEADER_SEARCH_ROWS = 20

FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "成员姓名", "家庭成员姓名", "救助对象姓名", "对象姓名", "人员姓名", "名字"),
    "id_number": (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "公民身份证号码",
        "证件号码",
        "证件号",
        "身份证",
        "身份证件号码",
        "成员身份证号",
        "成员身份证号码",
        "居民身份证号码",
    ),
    "head_name": ("户主姓名", "户主"),
    "head_id_number": ("户主身份证号", "户主身份证号码", "户主证件号码", "户主公民身份号码"),
    "household_no": ("户编号", "户号", "家庭编号", "户序号"),
    "relation": ("与户主关系", "与户主的关系", "关系", "家庭关系", "与户主关系(本人)"),
    "township": ("乡镇", "乡镇(街道)", "乡(镇)", "乡(镇、街道)", "街道", "所属乡镇", "乡镇街道"),
    "village": (
        "村(社区)",
        "村",
        "村委会",
        "社区",
        "村居",
        "村(居)",
        "村(居)委会",
        "所属村",
        "行政村",
        "村(社区)名称",
        "所在村",
        "村社区",
        "村(居委会)",
    ),
    "address": ("家庭住址", "住址", "地址", "居住地址", "家庭地址", "现住址", "户籍地址"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "本人电话"),
    "birth_date": ("出生日期", "出生年月", "出生年月日"),
    "gender": ("性别",),
    "group": ("救助类别", "保障类别", "类别", "对象类别", "人员类别", "对象类型", "救助对象类别"),
    "care_mode": ("供养方式", "供养形式", "供养类型"),
    "disability_category": ("残疾类别", "残疾类型", "残疾种类"),
    "disability_grade": ("残疾等级", "残疾级别"),
    "self_care": ("自理能力", "生活自理能力", "自理情况", "生活自理情况"),
    "guardian_name": (
        "监护人",
        "监护人姓名",
        "照料人",
        "照料人姓名",
        "监护人或照料人",
        "监护人/照料人",
        "赡养人",
        "联系人",
        "联系人姓名",
    ),
    "guardian_phone": (
        "监护人电话",
        "监护人联系电话",
        "照料人电话",
        "照料人联系电话",
        "联系人电话",
        "监护人手机",
    ),
    "since": (
        "纳入时间",
        "纳入日期",
        "享受时间",
        "认定时间",
        "批准时间",
        "审批时间",
        "保障起始时间",
        "起始时间",
        "享受起始时间",
    ),
    "error_reason": ("错误原因",),  # our own error workbook, re-imported
}

FIELD_NAMES = {
    "name": "姓名", "id_number": "身份证号", "head_name": "户主姓名",
    "head_id_number": "户主身份证号", "household_no": "户编号", "relation": "与户主关系",
    "township": "乡镇", "village": "村(社区)", "address": "家庭住址", "phone": "联系电话",
    "birth_date": "出生日期", "group": "救助类别", "care_mode": "供养方式",
    "disability_category": "残疾类别", "disability_grade": "残疾等级", "self_care": "自理能力",
    "guardian_name": "监护人", "guardian_phone": "监护人电话", "since": "纳入时间",
}  # fmt: skip

_NOISE = re.compile(r"[\s*＊:：]+|[(（](必填|选填|18位|文本|可选)[)）]")
_PARENS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")"})


def normalise(label: object) -> str:
    return _NOISE.sub("", str(label).translate(_PARENS)) if label is not None else ""


_LOOKUP: dict[str, str] = {}
for _field, _words in FIELD_SYNONYMS.items():
    for _word in _words:
        _LOOKUP[normalise(_word)] = _field


def field_for(label: str) -> str | None:
    key = normalise(label)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    return _LOOKUP.get(re.sub(r"\(.*?\)", "", key))


@dataclass(frozen=True, slots=True)
class Header:
    row_number: int
    labels: list[str]  # as shown in the file (group header + column header), for the error book
    columns: dict[str, int]  # field → column index

    @property
    def width(self) -> int:
        return len(self.labels)


def _text(cells: Sequence[Cell]) -> list[str]:
    return [str(c).strip() if c is not None else "" for c in cells]


def _is_title(cells: list[str]) -> bool:
    return sum(1 for c in cells if c) <= 1


def detect(rows: Sequence[tuple[int, Sequence[Cell]]]) -> Header:
    """The header among the first rows; raise RosterFileError naming what was not recognised."""
    previous: list[str] = []
    best: tuple[int, int, list[str]] | None = None
    for number, raw in rows[:HEADER_SEARCH_ROWS]:
        cells = _text(raw)
        fields = {field_for(c) for c in cells if c}
        if "name" in fields and ("id_number" in fields or "head_id_number" in fields):
            return _build(number, cells, [] if _is_title(previous) else previous)
        filled = sum(1 for c in cells if c)
        if filled >= 3 and (best is None or filled > best[1]):
            best = (number, filled, cells)
        previous = cells
    if best is None:
        raise RosterFileError("名册里没有数据(找不到表头)", code="header_missing")
    unknown = "、".join(c for c in best[2] if c and field_for(c) is None)[:120]
    raise RosterFileError(
        f"找不到表头: 需要“姓名”和“身份证号”两列。第{best[0]}行像是表头,"
        f"但这些列名不认识: {unknown}。请改成常用列名(见导入说明)后重新导入",
        code="header_unknown",
    )


def _build(number: int, cells: list[str], parent_row: list[str]) -> Header:
    width = max((i + 1 for row in (cells, parent_row) for i, c in enumerate(row) if c), default=0)
    parent = (parent_row + [""] * width)[:width]
    for i in range(1, width):  # a merged group header sits in its first column only
        if not parent[i] and cells[i : i + 1] and cells[i] and parent[i - 1]:
            parent[i] = parent[i - 1]
    columns: dict[str, int] = {}
    labels: list[str] = []
    for i in range(width):
        child = cells[i] if i < len(cells) else ""
        group = parent[i]
        field = field_for(child) if child else field_for(group)
        if field in ("name", "id_number") and "户主" in group:
            field = "head_" + field
        elif field in ("name", "phone") and ("监护" in group or "照料" in group):
            field = "guardian_" + field
        elif field is None and child and group:
            field = field_for(group + child)
        label = child or group
        if field is not None and field.startswith(("head_", "guardian_")) and group:
            label = FIELD_NAMES[field]  # re-importable from the error workbook
        labels.append(label or f"第{i + 1}列")
        if field is not None and field not in columns:
            columns[field] = i
    return Header(number, labels, columns)
