"""Telegram message or button press → one dialog `Inbound` (or None for nothing to do)."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from dialogs.types import Inbound


def from_message(message: Message) -> Inbound:
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, _, rest = text[1:].partition(" ")
            return Inbound("command", command=head.split("@", 1)[0].lower(), text=rest.strip())
        return Inbound("text", text=text)
    if message.photo:
        return Inbound("photo", file_id=message.photo[-1].file_id, text=message.caption or "")
    if message.voice is not None:
        return Inbound("voice", file_id=message.voice.file_id)
    if message.location is not None:
        loc = message.location
        return Inbound("location", latitude=loc.latitude, longitude=loc.longitude)
    if message.contact is not None:
        own = message.from_user is not None and message.contact.user_id == message.from_user.id
        return Inbound("contact", phone=message.contact.phone_number, own_contact=own)
    return Inbound("other")  # stickers, video, documents, polls …


def from_callback(query: CallbackQuery) -> Inbound:
    return Inbound("choice", value=(query.data or "")[:64])
