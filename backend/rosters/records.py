"""Roster rows → person records, each checked, with the row number for every refusal.

Offices' habits handled here: a 合计/小计 row or a 制表人 footer ends the data; a merged village
cell (or a blank one) repeats the village above; a household spreads over several rows — it
starts at a 户主 row (or a new 户主身份证号 / 户编号) and the rows below belong to it, taking the
household's columns from its first row. A refused row never stops the others; it is returned with
its cells (blanks filled in) so the clerk gets a self-contained row to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from backend.core.errors import InvalidInput
from backend.people import groups as vocab
from backend.people.idnumbers import normalise_phone
from backend.people.models import SelfCare
from backend.people.service import clean_name
from backend.rosters import values
from backend.rosters.headers import Header
from backend.rosters.reader import Cell, Row
from backend.rosters.villages import VillageMatcher

_END_MARKERS = ("合计", "总计", "小计", "共计", "制表", "填表", "审核人", "负责人", "单位负责人")
_GROUP_SPLIT = re.compile(r"[、,，/;；\s]+")
FILL_DOWN = ("township", "village")
HOUSEHOLD_FIELDS = ("household_no", "head_name", "head_id_number", "address")


@dataclass(frozen=True, slots=True)
class GroupEntry:
    code: str
    sub_type: str | None = None
    grade: int | None = None
    since: date | None = None


@dataclass(slots=True)
class PersonRecord:
    line: int
    cells: list[str]
    name: str
    id_number: str
    birth_date: date
    gender: str
    region_id: int
    household_key: str | None  # None: the roster says nothing about the household
    head_id_number: str | None
    relation: str | None
    address: str | None
    phone: str | None
    self_care: SelfCare | None
    carer_name: str | None
    carer_phone: str | None
    groups: list[GroupEntry]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Refusal:
    line: int
    reason: str
    cells: list[str]


@dataclass
class Parsed:
    records: list[PersonRecord] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class RowParser:
    """Stateful over the rows of one sheet: fill-down and the current household."""

    def __init__(
        self, header: Header, *, matcher: VillageMatcher, groups: list[GroupEntry], today: date
    ) -> None:
        self.header, self.matcher, self.base_groups, self.today = header, matcher, groups, today
        cols = header.columns
        self.has_household_info = any(f in cols for f in ("head_id_number", "household_no"))
        self.has_relation = "relation" in cols
        self._last: dict[str, str] = {}
        self._household: dict[str, str] = {}
        self._group_key: str | None = None
        self._seen: dict[str, int] = {}
        self.ended = False

    def get(self, cells: list[Cell], name: str) -> Cell:
        index = self.header.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def feed(self, row: Row, out: Parsed) -> None:
        cells = list(row.cells[: self.header.width])
        cells += [None] * (self.header.width - len(cells))
        shown = [values.text(c) for c in cells]
        if not any(shown) or self.ended:
            return
        if any(s.startswith(_END_MARKERS) for s in shown[:4] if s):
            self.ended = True
            return
        self._fill(cells, shown)
        try:
            record = self._record(row.number, cells, shown)
        except InvalidInput as exc:
            out.refused.append(Refusal(row.number, exc.message, shown))
            return
        first = self._seen.setdefault(record.id_number, row.number)
        if first != row.number:
            out.refused.append(
                Refusal(row.number, f"与第{first}行是同一人(身份证号相同),重复的行未导入", shown)
            )
            return
        out.records.append(record)

    def _fill(self, cells: list[Cell], shown: list[str]) -> None:
        """Blank village/township cells repeat the row above (merged cells read that way)."""
        relation = (
            vocab.clean_relation(shown[self.header.columns["relation"]])
            if (self.has_relation)
            else ""
        )
        starts = (self.has_relation and relation == "户主") or any(
            shown[self.header.columns[f]]
            for f in ("head_id_number", "household_no")
            if f in self.header.columns
        )
        for name in FILL_DOWN + HOUSEHOLD_FIELDS:
            index = self.header.columns.get(name)
            if index is None:
                continue
            if shown[index]:
                self._last[name] = shown[index]
            elif (name in FILL_DOWN or not starts) and name in self._last:
                shown[index] = self._last[name]
                cells[index] = self._last[name]
        if starts:
            for name in HOUSEHOLD_FIELDS:  # a new household does not inherit the last one's
                index = self.header.columns.get(name)
                if index is not None and not values.text(cells[index]):
                    self._last.pop(name, None)

    def _record(self, line: int, cells: list[Cell], shown: list[str]) -> PersonRecord:
        raw_name = values.text(self.get(cells, "name"))
        raw_id = self.get(cells, "id_number")
        if not raw_name and not values.text(raw_id):
            raise InvalidInput("姓名和身份证号都为空", code="row_empty")
        name = clean_name(raw_name)
        ident = values.id_number(raw_id, today=self.today)
        birth = self.get(cells, "birth_date")
        if values.text(birth):
            year, month, day = values.parse_date(birth, what="出生日期")
            if (year, month, day or ident.birth_date.day) != (
                ident.birth_date.year, ident.birth_date.month, ident.birth_date.day,
            ):  # fmt: skip
                raise InvalidInput("出生日期与身份证号里的不一致,请核对", code="birth_mismatch")
        relation_text = values.text(self.get(cells, "relation"))
        relation = vocab.clean_relation(relation_text) if relation_text else None
        head_id = self._head_id(cells, ident.value, relation)
        if relation is None and head_id == ident.value:
            relation = "户主"
        key = self._household_key(
            line, relation, head_id, values.text(self.get(cells, "household_no"))
        )
        region_id = self.matcher.match(
            values.text(self.get(cells, "township")) or None,
            values.text(self.get(cells, "village")) or None,
        )
        record = PersonRecord(
            line=line, cells=shown, name=name, id_number=ident.value,
            birth_date=ident.birth_date, gender=ident.gender, region_id=region_id,
            household_key=key, head_id_number=head_id,
            relation=relation,
            address=values.text(self.get(cells, "address"))[:200] or None,
            phone=None, self_care=None,
            carer_name=values.text(self.get(cells, "guardian_name"))[:50] or None,
            carer_phone=None, groups=self._groups(cells),
        )  # fmt: skip
        record.phone = self._phone(cells, "phone", "联系电话", record)
        record.carer_phone = self._phone(cells, "guardian_phone", "监护人电话", record)
        care = values.text(self.get(cells, "self_care"))
        if care:
            try:
                record.self_care = vocab.parse_self_care(care)
            except InvalidInput as exc:
                record.warnings.append(f"第{line}行: {exc.message},未导入自理能力")
        return record

    def _head_id(self, cells: list[Cell], own: str, relation: str | None) -> str | None:
        raw = self.get(cells, "head_id_number")
        shown = values.text(raw)
        if not shown:
            return own if relation == "户主" else None
        if shown.upper() == own:  # the head's own row: already checked
            return own
        try:
            return values.id_number(raw, today=self.today).value
        except InvalidInput as exc:
            raise InvalidInput("户主" + exc.message, code=exc.code) from None

    def _household_key(
        self, line: int, relation: str | None, head_id: str | None, number: str
    ) -> str | None:
        if head_id is not None:
            return "id:" + head_id
        if number:
            return "no:" + number
        if not self.has_relation:
            return None
        if relation == "户主":
            self._group_key = f"row:{line}"
        return self._group_key

    def _phone(self, cells: list[Cell], name: str, what: str, record: PersonRecord) -> str | None:
        raw = values.text(self.get(cells, name))
        if not raw:
            return None
        try:
            return normalise_phone(raw)
        except InvalidInput as exc:
            record.warnings.append(f"第{record.line}行: {what}“{raw}”{exc.message},未导入{what}")
            return None

    def _groups(self, cells: list[Cell]) -> list[GroupEntry]:
        since_cell = self.get(cells, "since")
        since = values.full_date(since_cell, what="纳入时间") if values.text(since_cell) else None
        entries = {g.code: g for g in self.base_groups}
        cell = values.text(self.get(cells, "group"))
        for word in _GROUP_SPLIT.split(cell) if cell else ():
            code = vocab.parse_group(word)
            sub = vocab.sub_type_in(code, word) if vocab.BY_CODE[code].sub_types else None
            entries.setdefault(code, GroupEntry(code, sub))
        if not entries:
            raise InvalidInput("救助类别为空", code="group_empty")
        result = []
        for entry in entries.values():
            sub, grade = entry.sub_type, entry.grade
            if entry.code == vocab.TEKUN and values.text(self.get(cells, "care_mode")):
                sub = vocab.parse_sub_type(entry.code, values.text(self.get(cells, "care_mode")))
            if entry.code == vocab.DISABLED:
                category = values.text(self.get(cells, "disability_category"))
                sub = vocab.parse_sub_type(entry.code, category) if category else sub
                grade_text = values.text(self.get(cells, "disability_grade"))
                grade = vocab.parse_disability_grade(grade_text) if grade_text else grade
            result.append(GroupEntry(entry.code, sub, grade, since))
        return result


def parse_rows(
    rows: Iterable[Row],
    *,
    header: Header,
    matcher: VillageMatcher,
    groups: list[GroupEntry],
    today: date,
    progress: Callable[[int], None] | None = None,
) -> Parsed:
    """Every row below the header, parsed; `progress` hears the row number every 1,000 rows."""
    parser = RowParser(header, matcher=matcher, groups=groups, today=today)
    out = Parsed()
    for row in rows:
        if row.number <= header.row_number:
            continue
        parser.feed(row, out)
        if progress is not None and row.number % 1000 == 0:
            progress(row.number)
    return out
