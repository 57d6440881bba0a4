"""`jiuzhu scheduler tick [--at ISO-TIME]` (every sweep once, for operators and tests) and
`jiuzhu scheduler run` (the recurring sweeps and the sender, one active process)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import typer

from backend.core.clock import BUSINESS_TZ, FrozenClock
from backend.core.runtime import Runtime
from jiuzhu.cli._common import run

app = typer.Typer(no_args_is_help=True)


def _parse(at: str | None) -> datetime | None:
    if at is None:
        return None
    try:
        value = datetime.fromisoformat(at)
    except ValueError:
        raise typer.BadParameter(
            "use an ISO time such as 2026-03-16T08:00 (Asia/Shanghai)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=BUSINESS_TZ)


@app.command("tick")
def tick(
    at: str | None = typer.Option(None, "--at", help="Run as of this time (default: now)"),
) -> None:
    """Run every sweep once as of the given time and print what each did."""
    from scheduler.runner import Runner

    when = _parse(at)

    async def work(runtime: Runtime) -> int:
        if when is not None:
            runtime.clock = FrozenClock(when)
        failed = 0
        for result in await Runner(runtime).tick():
            counts = " ".join(f"{k}={v}" for k, v in sorted(result.counts.items()))
            typer.echo(
                f"{result.job_id:<10} {'ok' if result.ok else 'FAILED'} "
                f"{result.seconds:.2f}s {counts}"
            )
            failed += not result.ok
        return failed

    if run(work):
        raise typer.Exit(1)


@app.command("run")
def run_scheduler() -> None:
    """Run the sweeps and the sender until interrupted (one process is active at a time)."""
    from backend.core.logging import configure_logging
    from jiuzhu.cli._common import settings_or_exit
    from scheduler.service import run_forever

    configure_logging(settings_or_exit().log_level)

    async def work(runtime: Runtime) -> None:
        stop = asyncio.Event()
        transport = _transport(runtime)
        try:
            await run_forever(runtime, stop=stop, transport=transport)
        finally:
            if transport is not None:
                await transport.close()

    run(work)


async def run_in_process(runtime: Runtime, *, stop: asyncio.Event, bot: Any) -> None:
    """The scheduler inside `jiuzhu serve`: sweeps always, the sender when the bot is on."""
    from scheduler.service import run_forever

    transport = None
    if bot is not None:
        from bot.transport import TelegramTransport

        transport = TelegramTransport(bot)
    await run_forever(runtime, stop=stop, transport=transport)


def _transport(runtime: Runtime) -> Any:
    if runtime.settings.bot_token is None:
        return None
    from bot.transport import TelegramTransport

    return TelegramTransport.create(runtime.settings)
