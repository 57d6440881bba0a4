"""The HTTP edge: /health, and errors as 4xx JSON with a reason."""

from __future__ import annotations

import httpx

from backend.core.runtime import Runtime
from backend.web.app import create_app


async def test_health_reports_database_and_schema(runtime: Runtime) -> None:
    app = create_app(runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        response = await client.get("/health")
        missing = await client.get("/no-such-page")
        wrong_method = await client.post("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["schema"] == "current"
    assert body["database"] in {"sqlite", "postgresql"}
    assert missing.status_code == 404 and missing.json()["error"] == "http_error"
    assert wrong_method.status_code == 405
