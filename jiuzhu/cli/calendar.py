"""`jiuzhu calendar …`: working days, admin overrides and per-county deadline rules."""

from __future__ import annotations

from datetime import date, datetime

import typer

from backend.core.clock import BUSINESS_TZ, business_date
from backend.core.runtime import Runtime
from jiuzhu.cli._common import run

app = typer.Typer(no_args_is_help=True)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"日期格式应为 2026-03-05: {value}") from None


def _instant(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"时间格式应为 2026-03-05T09:30: {value}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BUSINESS_TZ)


@app.command()
def check(
    today: str = typer.Option("", help="Check as of this date (default: today)"),
    strict: bool = typer.Option(False, help="Exit with status 1 when a year is missing"),
) -> None:
    """Show which years have holiday data; warn when this or next year is missing."""
    from backend.workcal import days, service, texts

    given = _date(today) if today else None

    async def work(runtime: Runtime) -> list[int]:
        as_of = given or business_date(runtime.clock.now())
        async with runtime.sessions() as session, session.begin():
            years = days.package_years()
            typer.echo(
                f"chinesecalendar {days.package_version()}: {years.start}–{years.stop - 1} 年"
            )
            entered = await service.override_years(session)
            typer.echo(f"管理员录入: {'、'.join(map(str, entered)) + ' 年' if entered else '无'}")
            return await service.missing_years(session, today=as_of)

    missing = run(work)
    if missing:
        typer.secho(texts.missing_years_warning(missing), fg=typer.colors.YELLOW, err=True)
        if strict:
            raise typer.Exit(1)
    else:
        typer.echo("今年和明年的节假日安排齐全")


@app.command()
def workdays(
    first: str = typer.Argument(..., help="From date, e.g. 2026-02-01"),
    last: str = typer.Argument(..., help="To date (included)"),
    show_all: bool = typer.Option(False, "--all", help="Also list the days off"),
) -> None:
    """List the working days between two dates, with make-up days and holidays marked."""
    from backend.workcal import days, service

    start, end = _date(first), _date(last)
    if (end - start).days > 400:
        raise typer.BadParameter("一次最多列出400天")

    async def work(runtime: Runtime) -> list[service.DayInfo]:
        async with runtime.sessions() as session, session.begin():
            return await service.list_days(session, first=start, last=end)

    found = run(work)
    for info in found:
        if not (info.is_workday or show_all):
            continue
        weekday = days.WEEKDAY_NAMES[info.day.weekday()]
        status = "上班" if info.is_workday else "休息"
        if info.is_workday and info.day.weekday() >= 5:
            status = "调休上班"
        note = f"  {info.note}" if info.note else ""
        mark = "  (管理员设置)" if info.overridden else ""
        typer.echo(f"{info.day.isoformat()} {weekday} {status}{note}{mark}")
    typer.echo(f"共 {sum(1 for info in found if info.is_workday)} 个工作日")


@app.command("set")
def set_day(
    day: str = typer.Argument(..., help="The date, e.g. 2027-02-06"),
    workday: bool = typer.Option(..., "--workday/--holiday", help="Working day or day off"),
    note: str = typer.Option("", help="Why, e.g. 春节调休上班"),
) -> None:
    """Make one date a working day or a day off (wins over chinesecalendar)."""
    from backend.workcal import service

    target = _date(day)

    async def work(runtime: Runtime) -> None:
        async with runtime.sessions() as session, session.begin():
            await service.set_override(
                session, day=target, is_workday=workday, note=note, now=runtime.clock.now()
            )

    run(work)
    typer.echo(f"{target.isoformat()} 已设为{'工作日' if workday else '休息日'}")


@app.command()
def unset(day: str = typer.Argument(..., help="The date")) -> None:
    """Remove an override: the date follows chinesecalendar (or Monday–Friday) again."""
    from backend.workcal import service

    target = _date(day)

    async def work(runtime: Runtime) -> bool:
        async with runtime.sessions() as session, session.begin():
            return await service.clear_override(session, day=target)

    removed = run(work)
    typer.echo(f"{target.isoformat()} {'已恢复默认' if removed else '本来就没有设置'}")


@app.command()
def rules(county: str = typer.Option(..., help="County code, e.g. 532323")) -> None:
    """Show the deadline rules in effect in a county."""
    from backend.workcal import models, service

    async def work(runtime: Runtime) -> list[service.EffectiveRule]:
        async with runtime.sessions() as session, session.begin():
            return await service.rules(session, county_code=county)

    for rule in run(work):
        amount = f"{rule.amount}{models.UNIT_NAMES[rule.unit]}"
        typer.echo(f"{rule.step:<17} {rule.label:<14} {amount:<8} {rule.source}")


@app.command("set-rule")
def set_rule(
    county: str = typer.Option(..., help="County code, e.g. 532323"),
    step: str = typer.Option(..., help="Step key, e.g. review (see `rules`)"),
    workdays: int = typer.Option(0, help="Limit in working days"),
    hours: int = typer.Option(0, help="Limit in hours (holidays included)"),
    label: str = typer.Option("", help="The county's own name for the step"),
) -> None:
    """Set a county's own limit for one step: --workdays N or --hours N."""
    from backend.workcal import service

    if bool(workdays) == bool(hours):
        raise typer.BadParameter("请给出 --workdays 或 --hours 其中之一")

    async def work(runtime: Runtime) -> service.EffectiveRule:
        async with runtime.sessions() as session, session.begin():
            await service.set_rule(
                session,
                county_code=county,
                step=step,
                amount=workdays or hours,
                unit="workdays" if workdays else "hours",
                label=label,
                now=runtime.clock.now(),
            )
            return await service.get_rule(session, county_code=county, step=step)

    rule = run(work)
    typer.echo(
        f"{rule.county_code} {rule.label}: {workdays or hours}{'个工作日' if workdays else '小时'}"
    )


@app.command()
def deadline(
    county: str = typer.Option(..., help="County code, e.g. 532323"),
    step: str = typer.Option(..., help="Step key, e.g. register"),
    start: str = typer.Option("", "--from", help="Start, ISO (default: now; no zone: Beijing)"),
) -> None:
    """Compute when a step is due in a county."""
    from backend.workcal import service

    given = _instant(start) if start else None

    async def work(runtime: Runtime) -> tuple[datetime, str, str]:
        now = runtime.clock.now()
        began = given or now
        async with runtime.sessions() as session, session.begin():
            rule = await service.get_rule(session, county_code=county, step=step)
            due = await service.deadline(session, county_code=county, step=step, start=began)
        return due, rule.label, service.describe(due, now)

    due, label, text = run(work)
    local = due.astimezone(BUSINESS_TZ)
    typer.echo(f"{label}: {local:%Y-%m-%d %H:%M:%S} 北京时间 ({text})")
