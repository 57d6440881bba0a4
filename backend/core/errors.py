"""One error tree for the whole system.

Every error carries a stable machine `code` and a `message` written for a township clerk (Simplified
Chinese). Each edge (HTTP, console, bot, CLI) maps this tree once; services never raise transport
errors.
"""

from __future__ import annotations

from typing import Any


class JiuzhuError(Exception):
    """Base of every expected, explainable failure."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def __str__(self) -> str:
        return self.message


class InvalidInput(JiuzhuError):
    """The input is malformed (an ID number, a phone number, a file row)."""

    code = "invalid_input"


class NotFound(JiuzhuError):
    """The thing does not exist — or the actor may not know that it exists."""

    code = "not_found"


class Conflict(JiuzhuError):
    """The request contradicts the current state (an illegal transition, a duplicate)."""

    code = "conflict"


class Forbidden(JiuzhuError):
    """The actor's role or region does not allow this."""

    code = "forbidden"


class ConfigurationError(JiuzhuError):
    """A setting is missing or malformed; start-up stops with one clear line."""

    code = "configuration"
