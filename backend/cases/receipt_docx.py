"""The 受理回执 as a Word document, filled from a template a county can replace.

The template is `<var_dir>/templates/receipt-<county code>.docx`, else
`<var_dir>/templates/receipt.docx`, else the built-in A5 layout made here with the same
placeholders. A placeholder is `{{名称}}` anywhere in a paragraph or a table cell (headers and
footers included): 案件编号 申请时间 乡镇 村 申请对象 申请人 申请渠道 工单 服务项目 接下来 提示
咨询电话 经办人 — `PLACEHOLDERS` below. Multi-line values become line breaks. A placeholder the
template does not use is simply left out; an unknown one is left as typed, so a county sees it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from backend.cases import intake_texts as T
from backend.cases.receipt import Receipt

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def values(r: Receipt) -> dict[str, str]:
    items = "、".join(r.items) or "待工作人员核实"
    return {
        "案件编号": r.number,
        "申请时间": r.filed_at,
        "乡镇": r.township,
        "村": r.village,
        "申请对象": r.beneficiary + (f"({r.village})" if r.village else ""),
        "申请人": r.applicant or r.beneficiary,
        "申请渠道": r.channel + (f" · {r.work_order}" if r.work_order else ""),
        "工单": r.work_order,
        "服务项目": ("【紧急】" if r.emergency else "") + items,
        "接下来": "\n".join(f"{s.what}: {s.when or '—'}" for s in r.steps),
        "提示": "\n".join([*r.notes, T.RECEIPT_KEEP]),
        "咨询电话": r.phone,
        "经办人": r.clerk,
    }


PLACEHOLDERS = ("案件编号", "申请时间", "乡镇", "村", "申请对象", "申请人", "申请渠道", "工单",
                "服务项目", "接下来", "提示", "咨询电话", "经办人")  # fmt: skip


def template_for(var_dir: Path, county_code: str) -> Path | None:
    folder = var_dir / "templates"
    for name in (f"receipt-{county_code}.docx", "receipt.docx"):
        if (folder / name).is_file():
            return folder / name
    return None


def _paragraphs(document: DocumentType) -> Iterator[Paragraph]:
    def from_tables(tables: list[Table]) -> Iterator[Paragraph]:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
                    yield from from_tables(cell.tables)

    yield from document.paragraphs
    yield from from_tables(document.tables)
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from part.paragraphs
            yield from from_tables(part.tables)


def _fill(paragraph: Paragraph, data: dict[str, str]) -> None:
    """Replace the placeholders of one paragraph; Word often splits `{{…}}` over several runs,
    so the paragraph's text is replaced as a whole into its first run (keeping its format)."""
    text = paragraph.text
    if "{{" not in text:
        return
    filled = PLACEHOLDER.sub(lambda m: data.get(m.group(1), m.group(0)), text)
    if filled == text or not paragraph.runs:
        return
    first, *rest = paragraph.runs
    first.text = filled
    for run in rest:
        run.text = ""


def _built_in() -> DocumentType:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(148), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = "宋体"  # creates rFonts; Chinese text reads the eastAsia font
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(T.RECEIPT_TITLE)
    run.bold, run.font.size = True, Pt(15)
    org = document.add_paragraph("{{乡镇}}人民政府(街道办事处)民政办")
    org.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("案件编号: {{案件编号}}    申请时间: {{申请时间}}")
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, key in (("申请对象", "申请对象"), ("申请人", "申请人"), ("申请渠道", "申请渠道"),
                       ("服务项目", "服务项目")):  # fmt: skip
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, "{{" + key + "}}"
    document.add_paragraph().add_run("接下来怎么办").bold = True
    document.add_paragraph("{{接下来}}")
    document.add_paragraph("{{提示}}")
    document.add_paragraph("咨询电话: {{咨询电话}}    经办人: {{经办人}}")
    stamp = document.add_paragraph("{{乡镇}}民政办(盖章)")
    stamp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return document


def render(receipt: Receipt, *, template: Path | None) -> bytes:
    document = Document(str(template)) if template is not None else _built_in()
    data = values(receipt)
    for paragraph in _paragraphs(document):
        _fill(paragraph, data)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
