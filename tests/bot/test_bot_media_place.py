"""Files and places sent inside a flow: photos and voice notes become case attachments a clerk can
open (fetched with getFile from the Bot API); a shared location names the nearest village when
villages have coordinates, and is kept on the case either way."""

from __future__ import annotations

from sqlalchemy import select, update

from backend.cases.models import Attachment, Case
from backend.core.runtime import Runtime
from backend.regions.models import Region
from dialogs import lookups
from tests.bot.conftest import Tg
from tests.world import World

U = 6101
PHOTO = b"\xff\xd8\xff\xe0" + b"jpeg-bytes-of-the-kitchen" * 40
VOICE = b"OggS\x00\x02" + b"opus-voice-note" * 40


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Case).order_by(Case.id))).scalars())


async def _to_county(tg: Tg, uid: int) -> None:
    await tg.say(uid, "/start")
    await tg.tap(uid, "申请帮助(为自己)")
    caption = "家里老人做不了饭,想要有人送饭"
    sent = await tg.send(uid, **tg.fake.photo_content(PHOTO, caption=caption))
    assert "助餐" in sent[0]
    sent = await tg.send(uid, **tg.fake.voice_content(VOICE))
    assert "语音" in sent[0]
    await tg.tap(uid, "对,就是这些")
    await tg.say(uid, "王秀英")


async def test_photo_and_voice_become_attachments(tg: Tg, world: World, runtime: Runtime) -> None:
    await _to_county(tg, U)
    await tg.tap(U, "牟定县")
    await tg.tap(U, "共和镇")
    await tg.tap(U, "北屯村")
    await tg.say(U, "13912345678")
    await tg.tap(U, "跳过")
    sent = await tg.tap(U, "提交")
    (case,) = await _cases(runtime)
    assert case.number in sent[0]
    async with runtime.sessions() as session:
        found = list(
            (await session.execute(select(Attachment).where(Attachment.case_id == case.id)))
            .scalars()
            .all()
        )
    by_kind = {a.kind: a for a in found}
    assert sorted(by_kind) == ["photo", "voice"] and len(found) == 2
    assert by_kind["photo"].content_type == "image/jpeg"
    assert by_kind["voice"].content_type == "audio/ogg" and "收听" in (by_kind["voice"].note or "")
    storage = runtime.settings.attachments_dir
    assert (storage / by_kind["photo"].storage_key).read_bytes() == PHOTO
    assert (storage / by_kind["voice"].storage_key).read_bytes() == VOICE
    assert tg.fake.file_fetches == 2
    assert [c.params["file_id"] for c in tg.fake.calls if c.method == "getFile"] == [
        *case.classification["chat"]["photos"],
        *case.classification["chat"]["voices"],
    ]


async def test_location_names_the_nearest_village(tg: Tg, world: World, runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        for village, (lat, lon) in (
            (world.village, (25.312, 101.546)),
            (world.village2, (25.350, 101.600)),
        ):
            await session.execute(
                update(Region).where(Region.id == village.id).values(extra={"lat": lat, "lon": lon})
            )
    lookups.invalidate()
    await _to_county(tg, U)
    sent = await tg.send(U, location={"latitude": 25.3125, "longitude": 101.5455})
    assert "牟定县共和镇北屯村" in sent[0] and "联系电话" in sent[1]
    sent = await tg.tap(U, "返回")  # back shows the villages, the chosen one can be changed
    assert "村" in sent[0] and "天台村" in str(tg.fake.sent_to(U)[-1].params["reply_markup"])
    await tg.tap(U, "北屯村")
    await tg.say(U, "13912345678")
    await tg.tap(U, "跳过")
    await tg.tap(U, "提交")
    (case,) = await _cases(runtime)
    assert case.village_id == world.village.id and case.township_id == world.township.id
    assert case.classification["chat"]["location"] == [25.3125, 101.5455]


async def test_location_without_village_coordinates_is_kept(
    tg: Tg, world: World, runtime: Runtime
) -> None:
    lookups.invalidate()
    await _to_county(tg, U)
    sent = await tg.send(U, location={"latitude": 25.3125, "longitude": 101.5455})
    assert "位置收到了" in sent[0] and "点选" in sent[0]  # asked for the county as before
    await tg.tap(U, "牟定县")
    await tg.tap(U, "共和镇")
    await tg.tap(U, "北屯村")
    await tg.say(U, "13912345678")
    await tg.tap(U, "跳过")
    await tg.tap(U, "提交")
    (case,) = await _cases(runtime)
    assert case.classification["chat"]["location"] == [25.3125, 101.5455]
