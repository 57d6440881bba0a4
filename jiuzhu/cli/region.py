"""`jiuzhu region …`: a county's region list."""

from __future__ import annotations

from pathlib import Path

import typer

from backend.core.errors import InvalidInput
from backend.core.runtime import Runtime
from backend.regions import importer, service
from jiuzhu.cli._common import run

app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV with 区划代码 and 名称 columns (别名 optional)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change"),
) -> None:
    """Import or update regions from the official division-code list (all or nothing)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        typer.secho(f"无法读取文件 {file}: {exc.strerror}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None

    async def work(runtime: Runtime) -> importer.RegionImportReport:
        async with runtime.sessions() as session, session.begin():
            report = await importer.import_csv(session, data=data, dry_run=dry_run)
            if dry_run:
                await session.rollback()
            return report

    report = run(work)
    verb = "将" if dry_run else "已"
    typer.echo(
        f"{verb}新增 {len(report.added)} 个, {verb}更新 {len(report.updated)} 个, "
        f"未变 {report.unchanged} 个, 跳过省市级 {report.skipped} 行"
    )


@app.command("list")
def list_(code: str = typer.Argument("", help="A region code; empty: all counties")) -> None:
    """Show a region and its children."""

    async def work(runtime: Runtime) -> list[str]:
        async with runtime.sessions() as session:
            parent = await service.get_by_code(session, code=code) if code else None
            if code and parent is None:
                raise InvalidInput(f"找不到区划 {code}")
            return [
                f"{r.code}  {r.name}" + (f" (别名: {'、'.join(r.aliases)})" if r.aliases else "")
                for r in await service.list_children(session, region=parent)
            ]

    for line in run(work):
        typer.echo(line)
