"""`jiuzhu chat qr`: a printable QR code of the web chat's address (for village notice boards)."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("qr")
def qr(
    url: str = typer.Option(..., help="The public address of the chat page, e.g. https://…/chat"),
    out: Path = typer.Option(Path("chat-qr.png"), help="Output file: .png, .svg or .pdf"),
    scale: int = typer.Option(12, min=2, max=40, help="Pixels (PNG) per module"),
) -> None:
    """Write a QR code for the chat page (error correction H: survives a smudged printout)."""
    import segno

    if not url.startswith(("https://", "http://")):
        typer.secho("the URL must start with https:// (or http://)", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        typer.secho("the output must end in .png, .svg or .pdf", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    code = segno.make(url, error="h", micro=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    code.save(str(out), scale=scale, border=4, dark="#000000", light="#ffffff")
    typer.echo(f"{out} ({code.version}-{code.error}, {url})")
