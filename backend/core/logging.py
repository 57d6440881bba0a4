"""Logging set-up. Log lines carry ids and codes, never names, ID numbers or phone numbers."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic announces its context on every schema check; only problems matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
