"""Attachments of a case (photos, voice notes, documents, consent scans), stored as files under the
var directory, named by content hash; the database keeps metadata only.

Images are recognised by their first bytes, not by the name or the declared type, so a renamed
file that is not an image is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import Attachment, Case, CaseEvent
from backend.core.clock import Clock
from backend.core.errors import InvalidInput
from backend.staff.actor import Actor

MAX_BYTES = 20 * 1024 * 1024
KINDS = frozenset({"photo", "voice", "document", "consent_scan"})
_MAGIC = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"RIFF": "image/webp",
    b"%PDF": "application/pdf",
    b"OggS": "audio/ogg",
}


def sniff(data: bytes) -> str | None:
    for magic, content_type in _MAGIC.items():
        if data.startswith(magic):
            if magic == b"RIFF" and data[8:12] != b"WEBP":
                continue
            return content_type
    return None


def _store(path: Path, data: bytes) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


async def add(
    session: AsyncSession,
    *,
    clock: Clock,
    storage_dir: Path,
    actor: Actor,
    case: Case,
    kind: str,
    filename: str,
    data: bytes,
    note: str | None = None,
) -> Attachment:
    if kind not in KINDS:
        raise InvalidInput(f"未知的附件类型: {kind}", code="attachment_kind")
    if not data:
        raise InvalidInput("文件是空的", code="attachment_empty")
    if len(data) > MAX_BYTES:
        raise InvalidInput("文件太大了,请不超过20MB", code="attachment_large")
    content_type = sniff(data)
    if content_type is None or (kind == "photo" and not content_type.startswith("image/")):
        raise InvalidInput("这个文件不是照片或支持的文档格式", code="attachment_type")
    digest = hashlib.sha256(data).hexdigest()
    key = f"{digest[:2]}/{digest}"
    path = storage_dir / key
    await asyncio.to_thread(_store, path, data)
    attachment = Attachment(
        case_id=case.id,
        kind=kind,
        filename=Path(filename).name[:200] or "file",
        content_type=content_type,
        size=len(data),
        sha256=digest,
        storage_key=key,
        note=note,
        created_at=clock.now(),
        uploaded_by_label=actor.label,
    )
    session.add(attachment)
    session.add(
        CaseEvent(
            case_id=case.id,
            at=clock.now(),
            kind="attachment",
            actor_staff_id=actor.staff_id,
            actor_person_id=actor.person_id,
            actor_label=actor.label,
            data={"kind": kind, "size": len(data)},
        )
    )
    await session.flush()
    return attachment


async def list_for_case(session: AsyncSession, *, case_id: int) -> list[Attachment]:
    result = await session.execute(
        select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)
    )
    return list(result.scalars())
