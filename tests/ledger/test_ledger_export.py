"""The township ledger: title, columns, text cells, 合计 and 填表人 rows, masking by role,
formula neutralisation, CSV, and the audit entry for full numbers."""

from __future__ import annotations

import csv
import io

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.core.runtime import Runtime
from backend.ledger import export
from backend.ledger import service as ledger_service
from tests.cases.helpers import submit
from tests.web.kit import issue, new_case
from tests.world import VALID_IDS, World


async def _ledger(runtime: Runtime, world: World, key: str) -> ledger_service.Ledger:
    async with runtime.sessions() as session, session.begin():
        return await ledger_service.build(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=world.actors[key],
            township_id=world.township.id,
            year=2026,
            month=3,
        )


async def test_xlsx_layout_and_text_cells(runtime: Runtime, world: World) -> None:
    await submit(runtime, world, text='=HYPERLINK("http://x")想要送饭')
    await new_case(runtime, world, "sibling")  # another township: not in this ledger
    ledger = await _ledger(runtime, world, "township")
    sheet = load_workbook(io.BytesIO(export.to_xlsx(ledger))).active
    assert sheet is not None
    assert sheet["A1"].value == "共和镇 2026年3月 服务类社会救助需求台账"
    assert [c.value for c in sheet[2]] == list(ledger_service.COLUMNS)
    row = {h: sheet.cell(row=3, column=i + 1) for i, h in enumerate(ledger_service.COLUMNS)}
    assert row["姓名"].value == "李大爷" and row["村(社区)"].value == "北屯村"
    assert row["身份证号"].value == VALID_IDS[0] and row["身份证号"].data_type == "s"
    assert row["联系电话"].value == "13812345678" and row["联系电话"].data_type == "s"
    assert row["性别"].value == "男" and row["年龄"].value == "77"
    assert row["服务需求"].value.startswith("'=")  # neutralised, never a formula
    assert [sheet.cell(row=4, column=c).value for c in (1, 2)] == ["合计", "共1件"]
    assert sheet.cell(row=5, column=1).value.startswith("填表人: township-staff")


async def test_masked_for_roles_without_full_numbers_and_audited_for_others(
    runtime: Runtime, world: World
) -> None:
    await submit(runtime, world)
    masked = await _ledger(runtime, world, "admin")
    id_column = ledger_service.COLUMNS.index("身份证号")
    assert masked.rows[0][id_column] == "5323**********001X" and not masked.full_numbers
    full = await _ledger(runtime, world, "county")
    assert full.rows[0][id_column] == VALID_IDS[0]
    async with runtime.sessions() as session:
        entries = (
            (await session.execute(select(AuditEntry).where(AuditEntry.action == "view_full_id")))
            .scalars()
            .all()
        )
    assert [(e.actor_label, e.entity_type, e.reason) for e in entries] == [
        ("county-staff", "ledger", "导出台账")
    ]


def test_neutralise_and_csv() -> None:
    assert [export.neutralise(v) for v in ("=1+1", "+86", "-3", "@x", "正常")] == [
        "'=1+1",
        "'+86",
        "'-3",
        "'@x",
        "正常",
    ]
    ledger = ledger_service.Ledger(
        "共和镇",
        2026,
        3,
        [tuple(["1", "=cmd", *[""] * 14])],
        "张三",
        __import__("datetime").date(2026, 3, 2),
        False,
    )
    text = export.to_csv(ledger).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["共和镇 2026年3月 服务类社会救助需求台账"] and rows[1][0] == "序号"
    assert (
        rows[2][1] == "'=cmd"
        and rows[3][:2] == ["合计", "共1件"]
        and rows[4][0].startswith("填表人: 张三")
    )


async def test_ledger_download_over_http(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    await submit(runtime, world)
    h = {"Authorization": f"Bearer {await issue(runtime, world.actors['township'].staff_id or 0)}"}
    params = {"township_id": world.township.id, "year": 2026, "month": 3}
    xlsx = await client.get("/api/ledger", params=params, headers=h)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "attachment" in xlsx.headers["content-disposition"]
    as_csv = await client.get("/api/ledger", params={**params, "format": "csv"}, headers=h)
    assert as_csv.content.startswith("\ufeff".encode()) and "李大爷" in as_csv.text
    foreign = await client.get(
        "/api/ledger", params={**params, "township_id": world.other_township.id}, headers=h
    )
    assert foreign.status_code == 404
