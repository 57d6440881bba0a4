"""The ledger as files: .xlsx the way offices keep it (title row, header, rows, 合计, 填表人 and
date), and CSV (UTF-8 with BOM, so Excel opens it in Chinese).

Every cell is text; a value starting with = + - @ (or a tab/CR) is prefixed with an apostrophe,
so a spreadsheet never runs it as a formula. ID and phone numbers stay text (no 5.3E+17).
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from backend.ledger.service import COLUMNS, Ledger

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = (6, 12, 10, 6, 6, 22, 14, 15, 10, 36, 18, 18, 10, 12, 12, 12)


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_DANGEROUS) else value


def _footer(ledger: Ledger) -> tuple[tuple[str, ...], tuple[str, ...]]:
    total = ("合计", f"共{len(ledger.rows)}件", *([""] * (len(COLUMNS) - 2)))
    made = f"填表人: {ledger.made_by}    填表日期: {ledger.made_on:%Y年%m月%d日}"
    return total, (made, *([""] * (len(COLUMNS) - 1)))


def to_xlsx(ledger: Ledger) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{ledger.year}年{ledger.month}月"
    last = get_column_letter(len(COLUMNS))
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.append([ledger.title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(COLUMNS))
    total, made = _footer(ledger)
    for row in [*ledger.rows, total]:
        sheet.append([neutralise(v) for v in row])
    for cells in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in cells:
            cell.data_type = "s"
            cell.number_format = "@"
            cell.border = box
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.append([neutralise(made[0])])
    sheet.merge_cells(f"A{sheet.max_row}:{last}{sheet.max_row}")
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(ledger: Ledger) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([ledger.title])
    writer.writerow(COLUMNS)
    total, made = _footer(ledger)
    for row in [*ledger.rows, total, made[:1]]:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
