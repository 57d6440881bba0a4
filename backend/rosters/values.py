"""Turning one roster cell into a clean value, with a message a clerk understands when it fails.

An ID number must arrive as text: Excel keeps only 15 significant digits of a number, so an
18-digit ID that became a number (5.32323E+17) has lost its last digits and cannot be repaired.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from backend.core.errors import InvalidInput
from backend.people.idnumbers import IdNumber, parse_id_number
from backend.rosters.reader import Cell

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_DATE_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$|^(\d{4})(\d{2})$")
_EXCEL_SERIAL_MIN, _EXCEL_SERIAL_MAX = 1, 80000


def text(cell: Cell) -> str:
    """The cell as the clerk sees it (a whole number without ".0")."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def id_number(cell: Cell, *, today: date) -> IdNumber:
    """Validate an ID cell; refuse one that Excel stored as a number and so cut short."""
    if isinstance(cell, float) or (isinstance(cell, int) and len(str(abs(cell))) > 15):
        shown = f"{float(cell):.5E}"
        raise InvalidInput(
            f"身份证号被Excel存成了数字({shown}),后几位已丢失。"
            "请把这一列设为“文本”格式,重新填写完整号码",
            code="id_as_number",
        )
    raw = text(cell)
    if _SCIENTIFIC.match(raw):
        raise InvalidInput(
            f"身份证号被Excel存成了数字({raw}),后几位已丢失。"
            "请把这一列设为“文本”格式,重新填写完整号码",
            code="id_as_number",
        )
    try:
        return parse_id_number(raw, today=today)
    except InvalidInput as exc:
        if exc.code == "id_checksum" and raw.endswith("000"):
            raise InvalidInput(
                exc.message + "(末尾是000,可能被Excel转成数字后丢了后几位)", code=exc.code
            ) from None
        raise


def parse_date(cell: Cell, *, what: str) -> tuple[int, int, int | None]:
    """(year, month, day or None for 年月 only); raise InvalidInput for an impossible date."""
    if isinstance(cell, datetime):
        return cell.year, cell.month, cell.day
    if isinstance(cell, date):
        return cell.year, cell.month, cell.day
    raw = text(cell)
    if isinstance(cell, int | float) and _EXCEL_SERIAL_MIN <= cell <= _EXCEL_SERIAL_MAX:
        serial = date.fromordinal(date(1899, 12, 30).toordinal() + int(cell))
        return serial.year, serial.month, serial.day
    match = _DATE_YMD.match(raw) or _DATE_COMPACT.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            date(year, month, day)
        except ValueError:
            raise InvalidInput(f"{what}“{raw}”不存在,请核对", code="date_impossible") from None
        return year, month, day
    match = _DATE_YM.match(raw)
    if match:
        groups = [g for g in match.groups() if g is not None]
        year, month = int(groups[0]), int(groups[1])
        if not 1 <= month <= 12:
            raise InvalidInput(f"{what}“{raw}”不存在,请核对", code="date_impossible")
        return year, month, None
    raise InvalidInput(f"{what}“{raw}”看不懂,请写成 2015-02-03 这样的格式", code="date_format")


def full_date(cell: Cell, *, what: str) -> date:
    year, month, day = parse_date(cell, what=what)
    return date(year, month, day or 1)
