"""One scripted application through the Telegram adapter (real aiogram against the fake Bot API)
and through the web chat: the same case and the same texts, in the same order."""

from __future__ import annotations

import re

from sqlalchemy import update

from backend.cases.models import Case, CaseStatus
from backend.core.runtime import Runtime
from dialogs.texts import render
from tests.bot.conftest import Tg
from tests.webchat.kit import Resident
from tests.webchat.test_webchat_http import cases
from tests.world import VALID_IDS, World

USER = 7001
# (action, argument): a tap on the button with this label, or a typed text.
SCRIPT = [
    ("tap", "申请帮助(为自己)"),
    ("say", "家里老人做不了饭,想要有人送饭"),
    ("tap", "对,就是这些"),
    ("say", "张桂兰"),
    ("tap", "牟定县"),
    ("tap", "共和镇"),
    ("tap", "北屯村"),
    ("say", "13987654321"),
    ("say", VALID_IDS[1]),
    ("tap", "提交"),
]
FIELDS = (
    *("item_ids", "township_id", "village_id", "region_path", "applicant_kind", "applicant_name"),
    *("beneficiary_id", "applicant_phone_hash", "applicant_phone_masked", "delegate_relation"),
    *("consent_method", "emergency", "original_text", "channel"),
)


def _same(texts: list[str]) -> list[str]:
    return [re.sub(r"\d{6}-\d{4}-\d{5}", "<number>", t) for t in texts]


async def test_telegram_and_web_chat_file_the_same_case_with_the_same_texts(
    tg: Tg, resident: Resident, world: World, runtime: Runtime
) -> None:
    or_button = render("or_button")
    telegram = [t for t in await tg.say(USER, "/start") if t != or_button]
    for action, arg in SCRIPT:
        sent = await (tg.tap(USER, arg) if action == "tap" else tg.say(USER, arg))
        telegram += [t for t in sent if t != or_button]
    (first,) = await cases(runtime)
    async with runtime.sessions() as session, session.begin():  # let the second one be new
        await session.execute(update(Case).values(status=CaseStatus.withdrawn))

    web = list((await resident.open()).messages)
    for action, arg in SCRIPT:
        screen = await (resident.tap(arg) if action == "tap" else resident.say(arg))
        web += screen.messages
    _, second = await cases(runtime)

    assert _same(web) == _same(telegram) and len(web) == len(SCRIPT) + 3
    expected = {f: getattr(first, f) for f in FIELDS if f != "channel"}
    assert {f: getattr(second, f) for f in FIELDS if f != "channel"} == expected
    assert (first.channel, second.channel) == ("telegram", "web_chat")
    assert second.number != first.number and second.number in web[-2]
