"""Importing a county's region list from CSV (the official division-code list or an office's own).

Columns, found by header name: code (统计用区划代码 / 区划代码 / 代码 / code), name (名称 / name),
optional aliases (别名 / 曾用名, separated by 、 , ; |). Province and prefecture rows are skipped.
Every row is checked before anything is written: one bad row refuses the whole file with
line-numbered messages, so a file is either fully applied or not at all. Re-importing changes
nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import InvalidInput, JiuzhuError
from backend.regions import service as regions_service
from backend.regions.codes import ParsedCode, parse_code
from backend.regions.models import Region

_CODE_HEADERS = {"统计用区划代码", "区划代码", "代码", "code", "行政区划代码"}
_NAME_HEADERS = {"名称", "name", "区划名称", "单位名称"}
_ALIAS_HEADERS = {"别名", "曾用名", "aliases", "alias"}
_ALIAS_SPLIT = re.compile(r"[、,，;；|]")


@dataclass
class RegionImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    parsed: ParsedCode
    name: str
    aliases: tuple[str, ...]


def decode(data: bytes) -> str:
    """CSV from Excel in China is often GB18030; try UTF-8 first."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("文件编码无法识别,请另存为 UTF-8 或 GBK 编码的 CSV", code="encoding")


def _parse_rows(text: str, report: RegionImportReport) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    header: dict[str, int] | None = None
    rows: list[_Row] = []
    for line, cells in enumerate(reader, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if header is None:
            lowered = [c.lower() for c in cells]
            code_col = next((i for i, c in enumerate(lowered) if c in _CODE_HEADERS), None)
            name_col = next((i for i, c in enumerate(lowered) if c in _NAME_HEADERS), None)
            if code_col is None or name_col is None:
                continue  # a title row above the header
            alias_col = next((i for i, c in enumerate(lowered) if c in _ALIAS_HEADERS), -1)
            header = {"code": code_col, "name": name_col, "aliases": alias_col}
            continue
        try:
            parsed = parse_code(cells[header["code"]] if header["code"] < len(cells) else "")
        except JiuzhuError as exc:
            report.errors.append(f"第{line}行: {exc.message}")
            continue
        if parsed.level is None:
            report.skipped += 1
            continue
        name = cells[header["name"]] if header["name"] < len(cells) else ""
        if not name:
            report.errors.append(f"第{line}行: 名称为空")
            continue
        alias_cell = cells[header["aliases"]] if 0 <= header["aliases"] < len(cells) else ""
        aliases = tuple(a.strip() for a in _ALIAS_SPLIT.split(alias_cell) if a.strip())
        rows.append(_Row(line, parsed, name, aliases))
    if header is None:
        raise InvalidInput("找不到表头: 需要“区划代码”和“名称”两列", code="header")
    return rows


async def import_csv(
    session: AsyncSession, *, data: bytes, dry_run: bool = False
) -> RegionImportReport:
    """Apply a region list; raise InvalidInput listing every bad line and change nothing."""
    report = RegionImportReport()
    rows = _parse_rows(decode(data), report)
    seen: dict[str, int] = {}
    for row in rows:
        if row.parsed.code in seen:
            report.errors.append(f"第{row.line}行: 代码与第{seen[row.parsed.code]}行重复")
        seen[row.parsed.code] = row.line
    existing = {r.code: r for r in (await session.execute(select(Region))).scalars()}
    for row in rows:
        parent = row.parsed.parent_code
        if parent is not None and parent not in seen and parent not in existing:
            report.errors.append(f"第{row.line}行: 上级区划 {parent} 不在文件中,也未导入过")
    if report.errors:
        raise InvalidInput(
            "区划文件有错误,未做任何修改:\n" + "\n".join(report.errors), code="region_file"
        )
    # Parents before children: codes sort county < township < village < group.
    for row in sorted(rows, key=lambda r: (len(r.parsed.significant), r.parsed.code)):
        current = existing.get(row.parsed.code)
        if current is None:
            report.added.append(row.parsed.code)
            if not dry_run:
                existing[row.parsed.code] = await regions_service.create(
                    session,
                    code=row.parsed.code,
                    name=row.name,
                    aliases=row.aliases,
                    parent=existing.get(row.parsed.parent_code or ""),
                )
            continue
        aliases = sorted(set(current.aliases or []) | set(row.aliases))
        if current.name != row.name or aliases != sorted(current.aliases or []):
            report.updated.append(row.parsed.code)
            if not dry_run:
                if current.name != row.name and current.name not in aliases:
                    aliases.append(current.name)  # a renamed village keeps its old name
                current.name, current.aliases = row.name, sorted(aliases)
        else:
            report.unchanged += 1
    await session.flush()
    return report
