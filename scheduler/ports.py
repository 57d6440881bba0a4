"""The transport port of the sender: plain data in, a `SendResult` out.

The sender renders the row (key + params → text and buttons, `scheduler.templates`) before
calling the port, because `bot/` may not import `scheduler/` (tests/architecture): the Telegram
implementation (`bot/transport.py`) only turns a `Rendered` into a Bot API call.
"""

from __future__ import annotations

from typing import Protocol

from backend.outbox.delivery import Rendered, SendResult

__all__ = ["Rendered", "SendResult", "Transport"]


class Transport(Protocol):
    async def send(self, chat_id: str, message: Rendered) -> SendResult: ...
