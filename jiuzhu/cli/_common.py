"""Shared plumbing of the CLI commands: settings, runtime, one session per command, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from backend.core.errors import ConfigurationError, JiuzhuError
from backend.core.migrations import ensure_current
from backend.core.runtime import Runtime, create_runtime
from backend.core.settings import Settings, load_settings

T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        typer.secho(exc.message, fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def run(work: Callable[[Runtime], Awaitable[T]], *, migrate: bool = True) -> T:
    """Build the runtime, make sure the schema is current, run `work`, report errors in one line."""
    settings = settings_or_exit()

    async def _main() -> T:
        runtime = create_runtime(settings)
        try:
            if migrate:
                await ensure_current(runtime.engine, auto_upgrade=settings.is_sqlite)
            return await work(runtime)
        finally:
            await runtime.close()

    try:
        return asyncio.run(_main())
    except JiuzhuError as exc:
        typer.secho(exc.message, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
