"""Reading a chat form, photo included, without trusting its size or its type.

The body is counted while it streams in and reading stops as soon as it passes the limit, so a
20 MB upload costs at most the limit in memory and disk. A photo is recognised by its first
bytes (`attachments.sniff`), never by its name or declared type. Accepted photos are stored
content-addressed in the attachments directory at once and named "web:<sha256>" in the dialog,
the way a Telegram photo is named by its file id; `attach_photos` turns them into case
attachments when the case is filed.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from backend.cases import attachments

MAX_PHOTO = 8 * 1024 * 1024
MAX_FIELD = 32 * 1024  # a text field: far above the dialog's 4,096 characters, far below abuse
_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields
PREFIX = "web:"


class TooLarge(Exception):
    """The body passed the limit; reading stopped there. `what`: "photo" or "text"."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class NotImage(Exception):
    """The uploaded file is not a picture (by its first bytes)."""


class BadForm(Exception):
    """The body is not a form this page could have sent (broken multipart, too many fields)."""


@dataclass(frozen=True)
class Form:
    fields: dict[str, str]
    photo: bytes | None = None


async def _counted(
    stream: AsyncIterator[bytes], limit: int, what: str
) -> AsyncGenerator[bytes, None]:
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > limit:
            raise TooLarge(what)
        yield chunk


async def read_form(request: Request) -> Form:
    """The fields of a url-encoded or multipart post; TooLarge or NotImage for a bad photo."""
    declared = request.headers.get("content-length", "")
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    limit = MAX_PHOTO + _OVERHEAD if multipart else 4 * MAX_FIELD
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge("photo" if multipart else "text")
    if not multipart:
        body = b"".join([c async for c in _counted(request.stream(), limit, "text")])
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        return Form(dict(pairs[:10]))
    parser = MultiPartParser(
        request.headers,
        _counted(request.stream(), limit, "photo"),
        max_files=1,
        max_fields=10,
        max_part_size=MAX_FIELD,
    )
    try:
        data = await parser.parse()
    except MultiPartException as exc:
        if "Part exceeded maximum size" in str(exc):
            raise TooLarge("text") from None
        raise BadForm(str(exc)) from None
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    photo = None
    upload = data.get("photo")
    if isinstance(upload, UploadFile) and upload.filename:
        photo = await upload.read(MAX_PHOTO + 1)
        await upload.close()
        if len(photo) > MAX_PHOTO:
            raise TooLarge("photo")
        if not photo:
            photo = None
        elif not (attachments.sniff(photo) or "").startswith("image/"):
            raise NotImage
    return Form(fields, photo)


def _write(path: Path, data: bytes) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)


async def keep_photo(storage_dir: Path, data: bytes) -> str:
    """Store the bytes where `attachments.add` keeps them; the dialog's file id for them."""
    digest = hashlib.sha256(data).hexdigest()
    await asyncio.to_thread(_write, storage_dir / digest[:2] / digest, data)
    return PREFIX + digest


def stored_photo(storage_dir: Path, file_id: str) -> Path | None:
    digest = file_id.removeprefix(PREFIX)
    if not file_id.startswith(PREFIX) or len(digest) != 64 or not digest.isalnum():
        return None
    return storage_dir / digest[:2] / digest
