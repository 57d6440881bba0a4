"""`jiuzhu user …`: staff accounts — add, password, roles, disable, list.

A role or region change applies from the user's next request; a new password or a disabled
account also ends every open session of that account.
"""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.runtime import Runtime
from backend.regions import service as regions_service
from backend.regions.models import Region
from backend.staff import auth
from backend.staff import service as staff_service
from backend.staff.models import ROLE_NAMES, Role
from jiuzhu.cli._common import run

app = typer.Typer(no_args_is_help=True)
_ROLES = ", ".join(r.value for r in Role)


def _role(value: str) -> Role:
    try:
        return Role(value.strip())
    except ValueError:
        typer.secho(f"没有角色 {value} (可用: {_ROLES})", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


async def _region(session: AsyncSession, code: str) -> Region:
    region = await regions_service.get_by_code(session, code=code.strip())
    if region is None:
        typer.secho(f"没有区划代码 {code}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    return region


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Login name"),
    name: str = typer.Option(..., "--name", help="Display name, e.g. 共和镇 张经办"),
    role: str = typer.Option(..., "--role", help=f"One of: {_ROLES}"),
    region: str = typer.Option(..., "--region", help="12-digit division code of the scope"),
    password: str = typer.Option(
        ..., "--password", prompt=True, hide_input=True, confirmation_prompt=True
    ),
) -> None:
    """Create a staff account with one role on a region subtree."""
    chosen = _role(role)

    async def work(runtime: Runtime) -> None:
        async with runtime.sessions() as session, session.begin():
            where = await _region(session, region)
            await staff_service.create(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                username=username,
                name=name,
                password=password,
                roles=[(chosen, where)],
            )

    run(work)
    typer.echo(f"已创建用户 {username} ({ROLE_NAMES[chosen]})")


@app.command("passwd")
def passwd(
    username: str = typer.Argument(...),
    password: str = typer.Option(
        ..., "--password", prompt=True, hide_input=True, confirmation_prompt=True
    ),
) -> None:
    """Set a new password and end the account's open sessions."""

    async def work(runtime: Runtime) -> None:
        async with runtime.sessions() as session, session.begin():
            member = await staff_service.get_by_username_or_raise(session, username=username)
            await staff_service.set_password(session, member=member, password=password)
            await auth.revoke_all(session, clock=runtime.clock, staff_id=member.id)

    run(work)
    typer.echo(f"已为 {username} 设置新密码")


@app.command("grant")
def grant(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., "--role"),
    region: str = typer.Option(..., "--region"),
    remove: bool = typer.Option(False, "--remove", help="Take the role away instead"),
) -> None:
    """Add (or with --remove take away) a role on a region."""
    chosen = _role(role)

    async def work(runtime: Runtime) -> None:
        async with runtime.sessions() as session, session.begin():
            member = await staff_service.get_by_username_or_raise(session, username=username)
            where = await _region(session, region)
            change = staff_service.revoke if remove else staff_service.grant
            await change(session, member=member, role=chosen, region=where)

    run(work)
    typer.echo(f"已{'取消' if remove else '授予'} {username} 的角色 {ROLE_NAMES[chosen]}")


@app.command("disable")
def disable(
    username: str = typer.Argument(...),
    enable: bool = typer.Option(False, "--enable", help="Re-enable instead"),
) -> None:
    """Disable an account (its sessions end at once) or re-enable it."""

    async def work(runtime: Runtime) -> None:
        async with runtime.sessions() as session, session.begin():
            member = await staff_service.get_by_username_or_raise(session, username=username)
            await staff_service.set_active(session, member=member, active=enable)
            if not enable:
                await auth.revoke_all(session, clock=runtime.clock, staff_id=member.id)

    run(work)
    typer.echo(f"已{'启用' if enable else '停用'}用户 {username}")


@app.command("list")
def list_() -> None:
    """Every account with its roles."""

    async def work(runtime: Runtime) -> list[str]:
        async with runtime.sessions() as session:
            members = await staff_service.list_staff(session)
            return [
                f"{m.username}\t{m.name}\t{'启用' if m.active else '停用'}\t"
                + ",".join(r.role.value for r in m.roles)
                for m in members
            ]

    for line in run(work):
        typer.echo(line)
