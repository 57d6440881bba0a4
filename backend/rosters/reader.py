"""Reading a roster file into numbered rows of raw cell values, whatever the office saved.

.xlsx is streamed with openpyxl in read-only mode (a 50,000-row file stays small in memory), .xls
goes through xlrd, .csv is decoded as UTF-8 or GB18030. The kind is decided by the file's first
bytes, not its name, so a .xls that is really an .xlsx still opens. Fatal problems — empty, too
large, password-protected, corrupt — raise `RosterFileError` before any row is read.

Cells keep their type (str, int, float, datetime) because an ID number that Excel turned into a
number must be recognised and refused, not silently "repaired".
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from backend.core.errors import InvalidInput

Cell = str | int | float | datetime | date | None
MAX_BYTES = 50 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class RosterFileError(InvalidInput):
    """The file as a whole cannot be imported; nothing was changed."""

    code = "roster_file"


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1-based, as Excel shows it
    cells: list[Cell]


@dataclass
class RosterSheet:
    name: str
    total_rows: int | None  # from the sheet's dimension when known: for a progress bar
    rows: Iterator[Row]
    other_sheets: list[str]  # further sheets with content (only the first is imported)


def open_roster(path: Path) -> RosterSheet:
    """Open the first sheet of a roster file; raise RosterFileError saying what is wrong."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise RosterFileError(f"无法读取文件: {exc.strerror}", code="file_unreadable") from None
    if size == 0:
        raise RosterFileError("文件是空的(0字节),请确认选对了文件", code="file_empty")
    if size > MAX_BYTES:
        raise RosterFileError(
            f"文件太大({size / 1024 / 1024:.0f} MB),最大 {MAX_BYTES // 1024 // 1024} MB;"
            "请删去无关的工作表和图片,或按乡镇拆分后分别导入",
            code="file_too_large",
        )
    suffix = path.suffix.lower()
    if head.startswith(OLE_MAGIC):
        if suffix in (".xlsx", ".xlsm"):
            # An encrypted .xlsx is an OLE container holding the encrypted package.
            raise RosterFileError("文件有密码保护,请先取消密码再导入", code="file_encrypted")
        return _open_xls(path)
    if head.startswith(ZIP_MAGIC):
        return _open_xlsx(path)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise RosterFileError(
            "文件已损坏或不是Excel文件,请在Excel中打开后另存为 .xlsx 再导入", code="file_corrupt"
        )
    return _open_csv(path)


def _open_xlsx(path: Path) -> RosterSheet:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise RosterFileError(
            "文件已损坏,无法打开;请在Excel中打开后另存为 .xlsx 再导入", code="file_corrupt"
        ) from exc
    sheets = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not sheets:
        book.close()
        raise RosterFileError("文件里没有可见的工作表", code="file_empty")
    first = sheets[0]
    others = [ws.title for ws in sheets[1:] if (ws.max_row or 0) > 1]
    total = first.max_row

    def rows() -> Iterator[Row]:
        try:
            for number, values in enumerate(first.iter_rows(values_only=True), start=1):
                yield Row(number, [_xlsx_cell(v) for v in values])
        finally:
            book.close()

    return RosterSheet(first.title, total, rows(), others)


def _xlsx_cell(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | datetime | date):
        return value
    return str(value)


def _open_xls(path: Path) -> RosterSheet:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise RosterFileError(
                "文件有密码保护,请先取消密码再导入", code="file_encrypted"
            ) from exc
        raise RosterFileError(
            "文件已损坏或格式不支持,请在Excel中打开后另存为 .xlsx 再导入", code="file_corrupt"
        ) from exc
    except Exception as exc:  # xlrd raises assorted errors on a damaged file
        raise RosterFileError(
            "文件已损坏,无法打开;请在Excel中打开后另存为 .xlsx 再导入", code="file_corrupt"
        ) from exc
    sheet = book.sheet_by_index(0)
    others = [book.sheet_by_index(i).name for i in range(1, book.nsheets)]

    def rows() -> Iterator[Row]:
        try:
            for index in range(sheet.nrows):
                yield Row(index + 1, [_xls_cell(cell, book.datemode) for cell in sheet.row(index)])
        finally:
            book.release_resources()

    return RosterSheet(sheet.name, sheet.nrows, rows(), others)


def _xls_cell(cell: Any, datemode: int) -> Cell:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            converted: datetime = xlrd.xldate.xldate_as_datetime(cell.value, datemode)
            return converted
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return str(cell.value)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        value = float(cell.value)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return str(cell.value)
    return str(cell.value)


def decode_text(data: bytes) -> str:
    """CSV saved by Excel in China is often GB18030; try UTF-8 first."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError("文件编码无法识别,请另存为 UTF-8 或 GBK 编码的 CSV", code="encoding")


def _open_csv(path: Path) -> RosterSheet:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise RosterFileError(
            "这不是CSV文本文件,请在Excel中另存为 .xlsx 或 .csv 再导入", code="file_corrupt"
        )
    text = decode_text(data)
    del data
    lines = text.splitlines()

    def rows() -> Iterator[Row]:
        reader = csv.reader(io.StringIO(text))
        for number, cells in enumerate(reader, start=1):
            yield Row(number, [c if c.strip() else None for c in cells])

    return RosterSheet(path.stem, len(lines), rows(), [])
