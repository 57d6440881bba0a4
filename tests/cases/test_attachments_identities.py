"""Attachments (checked by content, size-limited) and chat identities (bound once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.cases import attachments
from backend.core.errors import Conflict, InvalidInput
from backend.core.runtime import Runtime
from backend.identities import service as identities_service
from tests.cases.helpers import submit
from tests.world import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


async def test_photo_is_stored_once_by_content(
    runtime: Runtime, world: World, tmp_path: Path
) -> None:
    case = (await submit(runtime, world)).case
    async with runtime.sessions() as session, session.begin():
        first = await attachments.add(
            session,
            clock=runtime.clock,
            storage_dir=tmp_path / "files",
            actor=world.actors["resident"],
            case=case,
            kind="photo",
            filename="../../etc/passwd.png",
            data=PNG,
        )
        await attachments.add(
            session,
            clock=runtime.clock,
            storage_dir=tmp_path / "files",
            actor=world.actors["resident"],
            case=case,
            kind="photo",
            filename="again.png",
            data=PNG,
        )
        listed = await attachments.list_for_case(session, case_id=case.id)
    assert first.filename == "passwd.png" and first.content_type == "image/png"
    assert (
        len(listed) == 2 and len(list((tmp_path / "files").rglob("*"))) == 2
    )  # one folder, one file
    assert (tmp_path / "files" / first.storage_key).read_bytes() == PNG


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "attachment_empty"),
        (b"MZ\x90\x00 not a picture", "attachment_type"),
        (b"%PDF-1.4 a document", "attachment_type"),  # a PDF is not a photo
        (b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024), "attachment_large"),
    ],
)
async def test_bad_files_are_refused(
    runtime: Runtime, world: World, tmp_path: Path, data: bytes, code: str
) -> None:
    case = (await submit(runtime, world)).case
    async with runtime.sessions() as session:
        with pytest.raises(InvalidInput) as refused:
            await attachments.add(
                session,
                clock=runtime.clock,
                storage_dir=tmp_path / "files",
                actor=world.actors["resident"],
                case=case,
                kind="photo",
                filename="x.jpg",
                data=data,
            )
    assert refused.value.code == code
    assert not any((tmp_path / "files").rglob("*"))


async def test_chat_identity_binds_once(runtime: Runtime, world: World) -> None:
    async with runtime.sessions() as session, session.begin():
        identity = await identities_service.get_or_create(
            session, clock=runtime.clock, channel="telegram", external_id="42"
        )
        same = await identities_service.get_or_create(
            session, clock=runtime.clock, channel="telegram", external_id="42"
        )
        assert same.id == identity.id
        await identities_service.bind(
            session, clock=runtime.clock, identity=identity, person_id=world.resident.id
        )
        with pytest.raises(Conflict):
            await identities_service.bind(
                session,
                clock=runtime.clock,
                identity=identity,
                staff_id=world.actors["township"].staff_id,
            )
        with pytest.raises(InvalidInput):
            await identities_service.get_or_create(
                session, clock=runtime.clock, channel="fax", external_id="1"
            )
