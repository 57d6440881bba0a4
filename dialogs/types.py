"""The vocabulary between a transport and the dialogs: one `Inbound`, a list of `Reply`.

Everything here is plain data. Choice values are short stable strings (a transport may put them
in Telegram's 64-byte callback data as they are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

InputKind = Literal["text", "choice", "photo", "voice", "location", "contact", "command", "other"]
MAX_CHOICE_BYTES = 64


@dataclass(frozen=True, slots=True)
class Inbound:
    """One input from a user: a message, a button press or a command."""

    kind: InputKind
    text: str = ""  # text, a photo's caption, or a command's argument
    value: str = ""  # the value of a pressed choice
    command: str = ""  # "start", "status", "cancel", "help" … without the slash
    file_id: str = ""  # a transport's reference to a photo or voice note
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""  # a shared contact's number
    own_contact: bool = True  # False when the user shared somebody else's contact


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    key: str  # a text key; `params` fill it
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.value.encode()) > MAX_CHOICE_BYTES:
            raise ValueError(f"choice value longer than {MAX_CHOICE_BYTES} bytes: {self.value!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    choices: tuple[tuple[Choice, ...], ...] = ()  # rows of buttons
    ask_contact: bool = False  # offer the transport's "share my phone number" button
    ask_location: bool = False  # offer the transport's "share my location" button
