"""`GET /health`: is the process up and can it reach its database at the current schema."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from backend.core import migrations
from backend.web.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and database check")
async def health(runtime: RuntimeDep) -> JSONResponse:
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        schema_ok = await migrations.current_revisions(runtime.engine) == (
            migrations.head_revisions()
        )
    except Exception:  # the answer is the report: any database failure means "not ok"
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    body = {
        "status": "ok" if schema_ok else "degraded",
        "database": "sqlite" if runtime.settings.is_sqlite else "postgresql",
        "schema": "current" if schema_ok else "behind",
        "time": runtime.clock.now().isoformat(),
    }
    return JSONResponse(body, status_code=200 if schema_ok else 503)
