"""`import_roster`: read a roster file, check every row, and merge it into households and persons.

Fatal problems (the file, its header, the options) raise InvalidInput before anything is written.
Row problems refuse that row only: it is reported with its row number and reason, and the caller
can write it to an error workbook. The service only flushes: the edge commits once at the end, or
rolls back for a dry run. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit_service
from backend.core.clock import Clock, business_date
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import InvalidInput
from backend.people import groups as vocab
from backend.regions.models import Region
from backend.rosters import apply as roster_apply
from backend.rosters.apply import PersonChange, Progress
from backend.rosters.headers import HEADER_SEARCH_ROWS, detect
from backend.rosters.reader import open_roster
from backend.rosters.records import GroupEntry, Refusal, parse_rows
from backend.rosters.villages import build_matcher

log = logging.getLogger(__name__)


@dataclass
class RosterReport:
    sheet: str
    header_row: int
    labels: list[str]
    added: list[PersonChange] = field(default_factory=list)
    changed: list[PersonChange] = field(default_factory=list)
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    households_added: int = 0


def parse_group_options(options: Sequence[str]) -> list[GroupEntry]:
    """`--group 低保`, `--group 特困(分散)`, `--group 残疾`: the groups every row is on."""
    entries: dict[str, GroupEntry] = {}
    for option in options:
        for word in option.replace(",", "、").replace("，", "、").split("、"):
            if not word.strip():
                continue
            code = vocab.parse_group(word)
            sub = vocab.sub_type_in(code, word) if vocab.BY_CODE[code].sub_types else None
            entries[code] = GroupEntry(code, sub)
    return list(entries.values())


async def import_roster(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    path: Path,
    area: Region,
    groups: Sequence[str] = (),
    actor_label: str = "名册导入",
    progress: Progress | None = None,
) -> RosterReport:
    """Import one roster file into `area` (a county, township or village)."""
    base_groups = parse_group_options(groups)
    matcher = await build_matcher(session, area=area)
    sheet = open_roster(path)
    first = list(itertools.islice(sheet.rows, HEADER_SEARCH_ROWS))
    header = detect([(row.number, row.cells) for row in first])
    if not base_groups and "group" not in header.columns:
        raise InvalidInput(
            "请用 --group 指明这份名册的救助类别(如 --group 低保),或在表中加“救助类别”列",
            code="group_missing",
        )
    report = RosterReport(sheet.name, header.row_number, header.labels)
    if sheet.other_sheets:
        report.warnings.append(
            f"只导入了第一个工作表“{sheet.name}”;工作表"
            f"{'、'.join(sheet.other_sheets)}没有导入,如需导入请另存为单独的文件"
        )
    total = sheet.total_rows or 0
    parsed = parse_rows(
        itertools.chain(first, sheet.rows),
        header=header,
        matcher=matcher,
        groups=base_groups,
        today=business_date(clock.now()),
        progress=(lambda n: progress("读取", n, total)) if progress else None,
    )
    if not parsed.records and not parsed.refused:
        raise InvalidInput("名册里没有数据行(表头下面是空的)", code="roster_empty")
    log.info("roster parsed: %d rows ok, %d refused", len(parsed.records), len(parsed.refused))
    result = await roster_apply.apply(
        session,
        now=clock.now(),
        cipher=cipher,
        records=parsed.records,
        source=path.name,
        progress=progress,
    )
    report.added, report.changed, report.unchanged = result.added, result.changed, result.unchanged
    report.refused = sorted(parsed.refused + result.refused, key=lambda r: r.line)
    report.households_added = result.households_added
    for record in parsed.records:
        report.warnings.extend(record.warnings)
    await audit_service.record(
        session,
        clock=clock,
        actor_staff_id=None,
        actor_label=actor_label,
        action="roster.import",
        entity_type="region",
        entity_id=area.id,
        region_id=area.id,
        detail={
            "groups": [g.code for g in base_groups],
            "added": len(report.added),
            "changed": len(report.changed),
            "unchanged": report.unchanged,
            "refused": len(report.refused),
        },
    )
    log.info(
        "roster applied: %d added, %d changed, %d unchanged, %d refused",
        len(report.added), len(report.changed), report.unchanged, len(report.refused),
    )  # fmt: skip
    return report
