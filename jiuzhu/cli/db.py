"""`jiuzhu db …`: schema migrations."""

from __future__ import annotations

import typer

from backend.core import migrations
from backend.core.runtime import Runtime
from jiuzhu.cli._common import run

app = typer.Typer(no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Bring the database schema up to date (safe to repeat)."""

    async def work(runtime: Runtime) -> None:
        await migrations.upgrade(runtime.engine)
        current = await migrations.current_revisions(runtime.engine)
        typer.echo(f"数据库已是最新结构 (schema at {', '.join(sorted(current))})")

    run(work, migrate=False)


@app.command()
def current() -> None:
    """Show the schema revision of the database and of the code."""

    async def work(runtime: Runtime) -> None:
        have = await migrations.current_revisions(runtime.engine)
        typer.echo(f"database: {', '.join(sorted(have)) or 'empty'}")
        typer.echo(f"code:     {', '.join(sorted(migrations.head_revisions()))}")

    run(work, migrate=False)
