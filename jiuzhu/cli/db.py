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


@app.command()
def revision(
    message: str = typer.Option(..., "-m", "--message", help="What the migration does"),
    rev_id: str = typer.Option(..., "--rev-id", help="Revision id, e.g. 0003"),
    head: str = typer.Option("heads", help="The revision this one follows"),
) -> None:
    """(Developers) autogenerate a migration from the models against an up-to-date database.

    Review the generated file: drop operations that belong to other branches of work.
    """
    from alembic import command
    from sqlalchemy.engine import Connection

    async def work(runtime: Runtime) -> None:
        await migrations.upgrade(runtime.engine)

        def generate(connection: Connection) -> None:
            config = migrations.alembic_config()
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True, rev_id=rev_id, head=head)

        async with runtime.engine.begin() as connection:
            await connection.run_sync(generate)

    run(work, migrate=False)
