"""`jiuzhu demo seed`: a demo county so the first start has something to show."""

from __future__ import annotations

import typer

from backend.core.runtime import Runtime
from backend.demo import seed as demo_seed
from jiuzhu.cli._common import run

app = typer.Typer(no_args_is_help=True)


@app.command()
def seed() -> None:
    """Create the demo county 牟定县 with staff of every role (safe to repeat)."""

    async def work(runtime: Runtime) -> demo_seed.DemoReport:
        async with runtime.sessions() as session, session.begin():
            return await demo_seed.seed(session, runtime)

    report = run(work)
    if not report.created:
        typer.echo("演示数据已存在,未做修改 (demo data already present).")
    else:
        typer.echo(f"已创建演示县 牟定县,{len(report.cases)} 个演示案件: {', '.join(report.cases)}")
    typer.echo(f"演示账号 (demo accounts), 密码 password: {demo_seed.DEMO_PASSWORD}")
    for username, role, region in demo_seed.seed_accounts():
        typer.echo(f"  {username:<10} {role:<18} {region}")
