"""The web chat through HTTP, as a browser without JavaScript uses it: a whole application,
reloads and restarts, double taps, old pages, forged buttons, bad uploads, long texts."""

from __future__ import annotations

import struct
import zlib

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from backend.cases.models import ApplicantKind, Attachment, Case, Channel
from backend.core.runtime import Runtime, create_runtime
from backend.web.app import create_app
from tests.webchat.kit import Resident, Screen, read
from tests.world import World


def png(width: int = 2) -> bytes:
    """A tiny real PNG."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(width))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, width, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Case).order_by(Case.id))).scalars())


async def to_summary(r: Resident) -> None:
    await r.open()
    await r.tap("申请帮助(为自己)")
    await r.say("家里老人做不了饭,想要有人送饭")
    await r.tap("对,就是这些")
    await r.say("王秀英")
    await r.tap("牟定县")
    await r.tap("共和镇")
    await r.tap("北屯村")
    await r.say("13912345678")
    screen = await r.tap("跳过")
    assert "请核对" in screen.text and "提交" in screen.buttons


async def test_resident_completes_an_application(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    first = await resident.http.get("/chat")
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/chat" in cookie
    menu = await resident.open()
    assert "请点下面的按钮" in menu.text and "申请帮助(为自己)" in menu.buttons
    assert menu.inputs == []  # the menu is answered with the buttons only
    need = await resident.tap("申请帮助(为自己)")
    assert "用自己的话" in need.text and need.inputs == ["text", "photo"]
    assert "助餐" in (await resident.say("家里老人做不了饭,想要有人送饭")).text
    assert "姓名" in (await resident.tap("对,就是这些")).text
    await resident.say("王秀英")
    await resident.tap("牟定县")
    await resident.tap("共和镇")
    phone = await resident.tap("北屯村")
    assert "联系电话" in phone.text and phone.inputs == ["text"]
    # The dialog's own text names no button the page lacks, and the page adds nothing to it.
    assert "按钮" not in phone.text and "发送我的手机号" not in await _page_html(resident)
    assert "身份证" in (await resident.say("139 1234 5678")).text
    summary = await resident.tap("跳过")
    assert "139****5678" in summary.text and "王秀英" in summary.text
    done = await resident.tap("提交")
    (case,) = await cases(runtime)
    assert case.number in done.text and "共和镇" in done.text and "下班前" in done.text
    assert case.channel == Channel.web_chat and case.applicant_kind == ApplicantKind.self
    assert case.item_ids == ["living.meal"] and case.township_id == world.township.id
    assert case.applicant_phone_masked == "139****5678"
    assert "申请帮助(为自己)" in done.buttons  # back at the menu


async def _page_html(r: Resident) -> str:
    return (await r.http.get("/chat")).text


async def test_reload_and_restart_resume_the_application(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    await resident.open()
    await resident.tap("申请帮助(为自己)")
    await resident.say("家里老人做不了饭,想要有人送饭")
    asked = await resident.tap("对,就是这些")
    reloaded = await resident.open()
    assert reloaded.messages == asked.messages and reloaded.step == "intake:name"
    # The server restarts: a new app on a new runtime, the same database and the same cookie.
    again = create_runtime(runtime.settings, clock=runtime.clock)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(again)),
            base_url="http://test",
            cookies=resident.http.cookies,
        ) as http:
            after = Resident(http)
            screen = await after.open()
            assert screen.messages == asked.messages
            assert "牟定县" in (await after.say("王秀英")).buttons
    finally:
        await again.close()


async def test_a_double_tap_and_a_replayed_page_file_one_case(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    await to_summary(resident)
    summary = resident.screen
    assert summary is not None
    first = await resident.tap("提交", page=summary)
    second = await resident.tap("提交", page=summary)  # the same page posted twice
    assert len(await cases(runtime)) == 1
    assert second.messages == first.messages  # the second tap changed nothing
    # The back button: the summary page again, with a fresh token (no-store: it is reloaded).
    fresh = await resident.open()
    fresh.buttons = summary.buttons
    old = await resident.tap("提交", page=fresh)
    assert "已经提交过了" in old.text and len(await cases(runtime)) == 1


async def test_old_pages_and_forged_buttons_change_nothing(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    await resident.open()
    await resident.tap("申请帮助(为自己)")
    await resident.say("家里老人做不了饭,想要有人送饭")
    await resident.tap("对,就是这些")
    await resident.say("王秀英")
    forged = await resident.post({"choice": "rg:999999"})
    assert "过期" in forged.text and "哪个县" in forged.text and forged.step == "intake:county"
    huge = await resident.post({"choice": "x" * 5000})
    assert "过期" in huge.text and huge.step == "intake:county"
    # A text typed on the old name page now that the county is asked: it is not taken as a
    # county answer nor as a name.
    name_page = Screen(200, token=huge.token, step="intake:name")
    expired = await resident.say("王秀英", page=name_page)
    assert "这一页已经过期了" in expired.text and "哪个县" in expired.text
    broken = await resident.http.post(
        "/chat",
        content=b'--xx\r\nContent-Disposition: form-data; name="token"\r\n\r\nab',
        headers={"content-type": "multipart/form-data"},  # no boundary: not parseable
    )
    assert broken.status_code == 400 and "哪个县" in broken.text
    no_token = await resident.http.post("/chat", data={"choice": "m:self"})
    assert no_token.status_code == 400 and "过期" in no_token.text
    assert await cases(runtime) == []


async def test_long_text_is_refused_politely(resident: Resident, world: World) -> None:
    await resident.open()
    await resident.tap("申请帮助(为自己)")
    long = await resident.say("我需要帮助" * 1000)  # 5,000 characters
    assert long.status == 200 and "内容太长了" in long.text and long.step == "intake:need"
    abuse = await resident.http.post(
        "/chat", data={"token": "0" * 16, "step": "intake:need", "text": "字" * 200_000}
    )
    screen = read(abuse)
    assert (
        abuse.status_code == 413 and "请简短一些" in screen.text and "用自己的话" in screen.text
    ), screen


async def test_photo_upload_big_and_not_an_image(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    await resident.open()
    need = await resident.tap("申请帮助(为自己)")
    big = await resident.post(
        {"kind": "photo"},
        files={"photo": ("a.jpg", b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024), "image/jpeg")},
    )
    assert big.status == 413 and "照片太大了" in big.text and "8MB" in big.text
    fake = await resident.post(
        {"kind": "photo"},
        files={"photo": ("a.jpg", b"MZ\x90\x00 not an image", "image/jpeg")},
        page=need,
    )
    assert fake.status == 415 and "不是照片" in fake.text and fake.step == "intake:need"
    folder = runtime.settings.attachments_dir
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    kept = await resident.post(
        {"kind": "photo"}, files={"photo": ("p.png", png(), "image/png")}, page=need
    )
    assert "照片收到了" in kept.text
    await resident.say("家里老人做不了饭,想要有人送饭")
    await resident.tap("对,就是这些")
    await resident.say("王秀英")
    await resident.tap("牟定县")
    await resident.tap("共和镇")
    await resident.tap("北屯村")
    await resident.say("13912345678")
    await resident.tap("跳过")
    await resident.tap("提交")
    (case,) = await cases(runtime)
    async with runtime.sessions() as session:
        (attachment,) = (await session.execute(select(Attachment))).scalars()
    assert attachment.case_id == case.id and attachment.content_type == "image/png"
    assert attachment.kind == "photo" and attachment.filename.endswith(".png")
    assert (folder / attachment.storage_key).read_bytes() == png()


async def test_an_empty_photo_form_asks_again(resident: Resident, world: World) -> None:
    await resident.open()
    await resident.tap("申请帮助(为自己)")
    empty = await resident.post(
        {"kind": "photo"}, files={"photo": ("", b"", "application/octet-stream")}
    )
    assert "没有收到照片" in empty.text and empty.step == "intake:need"


async def test_counts(app: FastAPI, runtime: Runtime, world: World) -> None:
    """Nothing is written by merely looking at the page (crawlers, link previews)."""
    from backend.conversations.models import Conversation

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as h:
        for _ in range(3):
            assert (await h.get("/chat")).status_code == 200
    async with runtime.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Conversation))).scalar() == 0


async def test_an_emergency_is_reported_from_the_web(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    await resident.open()
    await resident.tap("申请帮助(为自己)")
    alert = await resident.say("我爸摔倒了起不来,家里没人")
    assert "120" in alert.text and "立即上报" in alert.buttons
    await resident.tap("立即上报")
    await resident.tap("牟定县")
    filed = await resident.tap("共和镇")
    (case,) = await cases(runtime)
    assert case.emergency and case.number in filed.text and "紧急" in filed.text
    assert case.channel == Channel.web_chat
