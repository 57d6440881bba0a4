"""`jiuzhu bot` (Telegram polling) and `jiuzhu bind-code` (deep-link codes).

Messages the system sends on its own go out through the scheduler's sender
(`jiuzhu scheduler run`, or `jiuzhu serve` which runs everything).
"""

from __future__ import annotations

import asyncio
import signal

import typer

from backend.core.logging import configure_logging
from backend.core.runtime import Runtime
from jiuzhu.cli._common import run, settings_or_exit


def run_bot(
    set_webhook: str = typer.Option(
        "", help="Instead of polling: register this https URL (…/telegram/webhook) and exit"
    ),
) -> None:
    """Run the Telegram bot by polling (BOT_TOKEN; TELEGRAM_API_BASE for another API server)."""
    from bot import runner
    from bot.app import create_bot, webhook_secret

    settings = settings_or_exit()
    configure_logging(settings.log_level)
    if settings.bot_token is None:
        typer.secho("配置错误: BOT_TOKEN is not set", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)

    async def register(runtime: Runtime) -> None:
        bot = create_bot(runtime.settings)
        try:
            secret = webhook_secret(runtime.settings)
            await bot.set_webhook(set_webhook, secret_token=secret, drop_pending_updates=False)
        finally:
            await bot.session.close()

    if set_webhook:
        run(register)
        typer.echo(f"webhook set: {set_webhook} (run `jiuzhu serve --webhook`)")
        return

    async def work(runtime: Runtime) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await runner.run(runtime, stop=stop)

    run(work)


def bind_code(
    person_id: int = typer.Option(None, "--person-id", help="Bind to this person"),
    staff: str = typer.Option(None, "--staff", help="Bind to this staff username"),
    hours: int = typer.Option(72, help="Valid for this many hours"),
    bot_name: str = typer.Option("", "--bot", help="The bot's username, for the deep link"),
    chat_url: str = typer.Option(
        "", "--chat-url", help="The web chat's public address, e.g. https://jiuzhu.example.cn/chat"
    ),
) -> None:
    """Issue a single-use code that binds a Telegram account (t.me/<bot>?start=CODE) or a web
    chat (<chat-url>?start=CODE; the page asks 确认绑定 first, so a link preview uses nothing)."""
    from backend.core.errors import InvalidInput
    from backend.identities import bindcodes
    from backend.staff import service as staff_service

    if (person_id is None) == (staff is None):
        typer.secho("请给出 --person-id 或 --staff 之一", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)

    async def work(runtime: Runtime) -> str:
        async with runtime.sessions() as session, session.begin():
            staff_id = None
            if staff is not None:
                member = await staff_service.get_by_username(session, username=staff)
                if member is None:
                    raise InvalidInput(f"没有用户名为 {staff} 的工作人员", code="staff_not_found")
                staff_id = member.id
            return await bindcodes.issue(
                session, clock=runtime.clock, person_id=person_id, staff_id=staff_id, hours=hours
            )

    code = run(work)
    typer.echo(f"绑定码 (code): {code}")
    typer.echo(f"链接 (deep link): https://t.me/{bot_name or '<bot>'}?start={code}")
    typer.echo(f"网页链接 (web chat): {chat_url.rstrip('/') or '/chat'}?start={code}")
    typer.echo(f"有效期 {hours} 小时,只能用一次。")
