"""`jiuzhu nlp …` — placeholder until the classifier lands."""

import typer

app = typer.Typer(no_args_is_help=True)
