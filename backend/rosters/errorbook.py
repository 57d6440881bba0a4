"""The error workbook: refused rows with the roster's own columns and a 错误原因 column.

A clerk fixes the cells in place and imports the same file again; the reason column is ignored
on import. Every cell is written as text, so an ID number stays an ID number this time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from backend.rosters.records import Refusal

REASON_HEADER = "错误原因"


def write(path: Path, *, labels: Sequence[str], refused: Sequence[Refusal]) -> Path:
    """Write the workbook (write-only mode: small in memory however many rows)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("未导入的行")
    bold = Font(bold=True)
    header = []
    for label in (*labels, REASON_HEADER, "原行号"):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for refusal in sorted(refused, key=lambda r: r.line):
        row = []
        for value in (*refusal.cells[: len(labels)], refusal.reason, str(refusal.line)):
            cell = WriteOnlyCell(sheet, value=value or None)
            cell.number_format = "@"
            row.append(cell)
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
