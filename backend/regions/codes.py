"""Parsing the official statistical division codes (统计用区划代码).

A 12-digit code is county (6 significant digits) + township (3) + village (3); a fourth level
(村民小组/网格) extends a village code with 2–3 more digits. Province and prefecture rows, which
the official lists also carry, are recognised so an importer can skip them.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.core.errors import InvalidInput
from backend.regions.models import RegionLevel


@dataclass(frozen=True, slots=True)
class ParsedCode:
    code: str  # canonical: 12 digits, or 14-15 for a group
    level: RegionLevel | None  # None: province or prefecture (above a county)
    significant: str  # the digits that identify it: 6, 9, 12 or more
    parent_code: str | None


def parse_code(raw: str) -> ParsedCode:
    text = str(raw).strip().replace(" ", "")
    if text.endswith(".0"):  # a code that went through a float in Excel
        text = text[:-2]
    if not text.isdigit():
        raise InvalidInput(f"区划代码只能是数字: {raw!r}", code="region_code")
    if len(text) in (6, 9):
        text = text.ljust(12, "0")
    if len(text) in (14, 15):
        village = text[:12]
        return ParsedCode(text, RegionLevel.group, text, village)
    if len(text) != 12:
        raise InvalidInput(f"区划代码应为12位: {raw!r}", code="region_code")
    if text[6:] == "000000":
        if text[2:6] == "0000" or text[4:6] == "00":
            return ParsedCode(text, None, text[:6], None)
        return ParsedCode(text, RegionLevel.county, text[:6], None)
    if text[9:] == "000":
        return ParsedCode(text, RegionLevel.township, text[:9], text[:6] + "000000")
    return ParsedCode(text, RegionLevel.village, text, text[:9] + "000")
