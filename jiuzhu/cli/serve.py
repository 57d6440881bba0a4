"""`jiuzhu serve`: the whole system in one process (API now; scheduler and bot as they land)."""

from __future__ import annotations

import asyncio
import logging

import typer

from backend.core.errors import JiuzhuError
from backend.core.logging import configure_logging
from backend.core.migrations import ensure_current
from backend.core.runtime import create_runtime
from jiuzhu.cli import scheduler
from jiuzhu.cli._common import settings_or_exit

log = logging.getLogger(__name__)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    webhook: bool = typer.Option(
        False, help="Telegram by webhook (/telegram/webhook), not polling"
    ),
) -> None:
    """Start jiuzhu on the configured database (default: SQLite under ./var/)."""
    import uvicorn

    from backend.web.app import create_app

    settings = settings_or_exit()
    configure_logging(settings.log_level)
    runtime = create_runtime(settings)

    async def prepare() -> None:
        await ensure_current(runtime.engine, auto_upgrade=settings.is_sqlite)
        await runtime.engine.dispose()  # the server's own event loop opens fresh connections

    try:
        asyncio.run(prepare())
    except JiuzhuError as exc:
        typer.secho(exc.message, fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    parts = None
    if settings.bot_token is not None:  # the bot runs in this process too
        from bot.runner import BotParts

        parts = BotParts.create(runtime)
    app = create_app(runtime, routers=[parts.webhook_router()] if parts and webhook else [])
    where = (
        "SQLite " + settings.database_url.split("///", 1)[-1]
        if settings.is_sqlite
        else ("PostgreSQL")
    )
    log.info("jiuzhu starting on http://%s:%d (%s)", host, port, where)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level=settings.log_level.lower())
    )

    async def main() -> None:
        stop = asyncio.Event()

        async def web() -> None:
            try:
                await server.serve()
            finally:
                stop.set()

        bot = parts.bot if parts else None
        await asyncio.gather(
            web(),
            *([parts.run(stop=stop, polling=not webhook)] if parts else []),
            scheduler.run_in_process(runtime, stop=stop, bot=bot),
        )

    asyncio.run(main())
