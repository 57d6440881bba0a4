"""The device cookie: a random id, signed with the app secret, that keeps a resident's
half-finished application across reloads and restarts without any login.

The id is the conversation's external id (channel "web_chat"). The cookie is HttpOnly and
SameSite=Lax, so a form on another site cannot post as this device.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

COOKIE = "jz_device"
MAX_AGE = 180 * 24 * 3600  # half a year: a slow application may take weeks
_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _signature(secret: bytes, device_id: str) -> str:
    return hmac.new(secret, b"web-chat-device:" + device_id.encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def new_id() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, 192 bits


def sign(secret: bytes, device_id: str) -> str:
    return f"{device_id}.{_signature(secret, device_id)}"


def verify(secret: bytes, cookie: str | None) -> str | None:
    """The device id of a well-formed, correctly signed cookie; None otherwise."""
    if not cookie or "." not in cookie:
        return None
    device_id, signature = cookie.rsplit(".", 1)
    if not _ID.match(device_id):
        return None
    if not hmac.compare_digest(signature, _signature(secret, device_id)):
        return None
    return device_id
