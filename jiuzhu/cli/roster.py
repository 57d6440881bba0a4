"""`jiuzhu roster import`: bring an office's Excel/CSV roster into households and persons."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from backend.core.errors import InvalidInput
from backend.core.runtime import Runtime
from jiuzhu.cli._common import run

app = typer.Typer(no_args_is_help=True)
SHOWN = 30


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help=".xlsx, .xls or .csv roster (the office's own layout)"),
    region: str = typer.Option(
        ...,
        "--region",
        "--county",
        "--township",
        "--village",
        help="Division code of the area the roster covers; villages are matched by name in it",
    ),
    group: list[str] = typer.Option(
        [],
        "--group",
        "-g",
        help="Target group of every row, e.g. 低保, 特困(分散), 残疾; repeatable",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; change nothing"),
    errors: Path | None = typer.Option(
        None, "--errors", help="Error workbook for refused rows (default: FILE_未导入.xlsx)"
    ),
) -> None:
    """Import a roster; refused rows go to an error workbook to fix and import again."""
    from backend.regions import service as regions_service
    from backend.rosters import errorbook
    from backend.rosters import service as roster_service

    async def work(runtime: Runtime) -> roster_service.RosterReport:
        async with runtime.sessions() as session, session.begin():
            area = await regions_service.get_by_code(session, code=region)
            if area is None:
                raise InvalidInput(f"找不到区划 {region},请先用 jiuzhu region import 导入区划")
            with _progress() as progress:
                report = await roster_service.import_roster(
                    session,
                    clock=runtime.clock,
                    cipher=runtime.cipher,
                    path=file,
                    area=area,
                    groups=group,
                    actor_label="命令行名册导入",
                    progress=progress,
                )
            if dry_run:
                await session.rollback()
            return report

    report = run(work)
    verb = "将" if dry_run else "已"
    if dry_run:
        _show("新增", [f"第{c.line}行 {c.name} {c.id_masked}" for c in report.added])
        _show(
            "修改",
            [f"第{c.line}行 {c.name} {c.id_masked}: {'、'.join(c.what)}" for c in report.changed],
        )
    _show("未导入", [f"第{r.line}行: {r.reason}" for r in report.refused], color="red")
    _show("提示", report.warnings, color="yellow")
    typer.echo(
        f"工作表“{report.sheet}”(表头在第{report.header_row}行): "
        f"{verb}新增 {len(report.added)} 人, "
        f"{verb}修改 {len(report.changed)} 人, 未变 {report.unchanged} 人, "
        f"未导入 {len(report.refused)} 行; 新建家庭 {report.households_added} 户"
        + (" (试运行,未做任何修改)" if dry_run else "")
    )
    if report.refused:
        target = errors or file.with_name(f"{file.stem}_未导入.xlsx")
        errorbook.write(target, labels=report.labels, refused=report.refused)
        typer.secho(
            f"未导入的行已写入 {target}: 按“错误原因”改正后,可直接再次导入该文件",
            fg=typer.colors.YELLOW,
        )


def _show(title: str, lines: list[str], *, color: str | None = None) -> None:
    if not lines:
        return
    typer.secho(f"{title} ({len(lines)}):", fg=color, bold=True)
    for line in lines[:SHOWN]:
        typer.secho(f"  {line}", fg=color)
    if len(lines) > SHOWN:
        typer.secho(f"  …另有 {len(lines) - SHOWN} 条", fg=color)


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not sys.stdout.isatty():
        yield None
        return
    from rich.progress import Progress, TaskID

    tasks: dict[str, TaskID] = {}
    with Progress(transient=True) as bar:

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=min(done, total) if total else done)

        yield update
