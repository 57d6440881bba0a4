"""Photos and voice notes sent inside a flow become attachments of the case filed from it.

The dialog keeps only Telegram's file ids (`classification.chat.photos`/`voices` on the case).
Once the update that filed the case is committed and answered, each file is fetched through
getFile and the Bot API's file download, outside any transaction, and stored with
`backend.cases.attachments` (content-addressed, type checked by its first bytes) so a clerk can
look at it or listen to it in the console. A file already attached (same SHA-256) is not added
twice. A file that cannot be fetched stays a file id on the case (logged by case id only).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiohttp import ClientError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import attachments
from backend.cases.models import Attachment, Case
from backend.core.errors import JiuzhuError
from backend.core.runtime import Runtime
from backend.staff.actor import Actor
from dialogs.types import Reply

FILED = frozenset({"submitted", "emergency_filed", "report_submitted", "report_emergency_filed"})
NOTES = {"photo": "聊天中发来的照片", "voice": "聊天中发来的语音,请收听"}
SUFFIX = {"photo": "jpg", "voice": "ogg"}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wanted:
    """The files a just-filed case was sent in the chat: (kind, Telegram file id)."""

    case_id: int
    files: tuple[tuple[str, str], ...]


def filed_numbers(replies: list[Reply]) -> list[str]:
    return [str(r.params["number"]) for r in replies if r.key in FILED and r.params.get("number")]


async def wanted(session: AsyncSession, replies: list[Reply]) -> list[Wanted]:
    """In the update's own transaction: the files of the cases these replies announce (no query
    unless a case was announced that this session has not loaded)."""
    numbers = filed_numbers(replies)
    if not numbers:
        return []
    # The case was filed in this very session: it is in the identity map, no query needed.
    known = {
        obj.number: (obj.id, obj.classification)
        for obj in session.identity_map.values()
        if isinstance(obj, Case) and obj.number in numbers
    }
    rows = list(known.values())
    if len(known) < len(set(numbers)):
        missing = [n for n in numbers if n not in known]
        result = await session.execute(
            select(Case.id, Case.classification).where(Case.number.in_(missing))
        )
        rows += [(case_id, classification) for case_id, classification in result.all()]
    found = []
    for case_id, classification in rows:
        chat = (classification or {}).get("chat", {})
        files = [("photo", str(f)) for f in chat.get("photos", [])]
        files += [("voice", str(f)) for f in chat.get("voices", [])]
        if files:
            found.append(Wanted(case_id, tuple(files)))
    return found


async def _fetch(bot: Bot, file_id: str) -> bytes | None:
    try:
        file = await bot.get_file(file_id)
        if not file.file_path or (file.file_size or 0) > attachments.MAX_BYTES:
            return None
        buffer = io.BytesIO()
        await bot.download_file(file.file_path, destination=buffer, timeout=60)
        return buffer.getvalue()
    except (TelegramAPIError, ClientError, TimeoutError) as exc:
        log.warning("file of a chat message not fetched: %s", type(exc).__name__)
        return None


async def attach_files(
    runtime: Runtime,
    bot: Bot,
    want: Wanted,
    writer: Callable[[], AbstractAsyncContextManager[object]] = contextlib.nullcontext,
) -> int:
    """Fetch the files (outside any transaction), then attach them; how many were added.
    `writer`: the bot's SQLite writer queue (see `bot.handling.Services.writer`)."""
    fetched = [(kind, await _fetch(bot, file_id)) for kind, file_id in want.files]
    added = 0
    async with writer(), runtime.sessions() as session, session.begin():
        case = await session.get(Case, want.case_id)
        if case is None:
            return 0
        have = set(
            (await session.execute(select(Attachment.sha256).where(Attachment.case_id == case.id)))
            .scalars()
            .all()
        )
        actor = Actor.person(case.applicant_person_id, "申请人(聊天)")
        for n, (kind, data) in enumerate(fetched, start=1):
            if not data or hashlib.sha256(data).hexdigest() in have:
                continue
            try:
                attachment = await attachments.add(
                    session,
                    clock=runtime.clock,
                    storage_dir=runtime.settings.attachments_dir,
                    actor=actor,
                    case=case,
                    kind=kind,
                    filename=f"{case.number}-{kind}-{n}.{SUFFIX[kind]}",
                    data=data,
                    note=NOTES[kind],
                )
            except JiuzhuError as exc:  # not a picture / not a supported sound, too large
                log.warning("case %s: chat file refused (%s)", case.id, exc.code)
                continue
            have.add(attachment.sha256)
            added += 1
    return added
