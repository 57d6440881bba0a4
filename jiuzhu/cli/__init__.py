"""The `jiuzhu` console command: one Typer app, one sub-module per group of sub-commands.

Sub-modules import their heavy dependencies inside the commands, so `jiuzhu --help` and the
classifier's cold start stay fast.
"""

from __future__ import annotations

import typer

from jiuzhu.cli import bot, calendar, chat, db, demo, nlp, region, roster, scheduler, serve, user

app = typer.Typer(
    name="jiuzhu",
    help="jiuzhu 救助 — service-type social assistance: intake, work queue, visits, surveys.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.command("bot")(bot.run_bot)
app.command("bind-code")(bot.bind_code)
app.add_typer(db.app, name="db", help="Database migrations.")
app.add_typer(demo.app, name="demo", help="Demo data for a first look.")
app.add_typer(region.app, name="region", help="Region (division code) lists.")
app.add_typer(nlp.app, name="nlp", help="The intake classifier.")
app.add_typer(roster.app, name="roster", help="Import rosters (低保, 特困, 残疾人 … lists).")
app.add_typer(calendar.app, name="calendar", help="Working days, holidays and deadline rules.")
app.add_typer(user.app, name="user", help="Staff accounts, passwords and roles.")
app.add_typer(scheduler.app, name="scheduler", help="Recurring sweeps and the outbox sender.")
app.add_typer(chat.app, name="chat", help="The residents' web chat (/chat): QR code.")


def main() -> None:
    app()
