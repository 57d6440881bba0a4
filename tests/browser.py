"""What every browser test shares: Debian's chromium through Playwright (never a downloaded
browser), the app under uvicorn in a thread, and a folder for screenshots.

The fixtures are re-exported by tests/conftest.py; a test module marks itself with
`pytestmark = needs_chromium` so it skips (with the reason) where chromium is not installed.
Screenshots go to $JIUZHU_SCREENSHOTS (e.g. benchmarks/out/console) or the test's tmp dir.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from backend.core.clock import FrozenClock
from backend.core.runtime import create_runtime
from backend.core.settings import Settings
from backend.web.app import create_app

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None  # type: ignore[assignment]

needs_chromium = pytest.mark.skipif(
    async_playwright is None or not CHROMIUM.exists(),
    reason="needs Debian's chromium (apt-get install chromium fonts-wqy-microhei) and playwright",
)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--lang=zh-CN"]  # fmt: skip
PASSWORD = "browser-test-2026"
DESKTOP = {"width": 1366, "height": 768}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(settings: Settings, clock: FrozenClock) -> Iterator[str]:
    """The app under uvicorn in a thread, on its own runtime (own event loop), same database."""
    port = _free_port()
    app = create_app(create_runtime(settings, clock=clock))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("JIUZHU_SCREENSHOTS", "") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> Page:
    """A desktop page (1366×768, the console's target screen) that accepts downloads."""
    context = await browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    return await context.new_page()
