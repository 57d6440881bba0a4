"""Fixtures of the web chat tests: a resident's browser (cookie jar) on the test app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.bot.conftest import fake, tg  # noqa: F401  (the Telegram side of the parity test)
from tests.webchat.kit import Resident


@pytest.fixture
async def resident(app: FastAPI) -> AsyncIterator[Resident]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
        base_url="http://test",
    ) as http:
        yield Resident(http)
