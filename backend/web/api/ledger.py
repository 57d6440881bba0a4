"""The township ledger (台账) download: .xlsx or .csv for a township and month."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from backend.ledger import export
from backend.ledger import service as ledger_service
from backend.web.deps import ActorDep, RuntimeDep, SessionDep

router = APIRouter(prefix="/api", tags=["ledger"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX: {}, "text/csv": {}}, "description": "台账文件"},
    404: {"description": "找不到这个乡镇(或不在您的辖区)"},
}


def download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.get(
    "/ledger",
    summary="The township's monthly needs ledger",
    responses=FILES,
    response_class=Response,
)
async def ledger(
    actor: ActorDep,
    session: SessionDep,
    runtime: RuntimeDep,
    township_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
    year: Annotated[int, Query(ge=2000, le=2100)],
    month: Annotated[int, Query(ge=1, le=12)],
    format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",
) -> Response:
    built = await ledger_service.build(
        session,
        clock=runtime.clock,
        cipher=runtime.cipher,
        actor=actor,
        township_id=township_id,
        year=year,
        month=month,
    )
    if format == "csv":
        return download(export.to_csv(built), "text/csv; charset=utf-8", built.filename + ".csv")
    return download(export.to_xlsx(built), XLSX, built.filename + ".xlsx")
