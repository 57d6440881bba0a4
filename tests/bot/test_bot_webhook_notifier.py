"""Webhook mode (secret header, persisted before 200, redelivery a no-op), and status changes
pushed to the applicant through the outbox and the scheduler's sender over the real Bot API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from aiogram import Bot
from pydantic import SecretStr
from sqlalchemy import select

from backend.cases import workflow
from backend.cases.models import Case, CaseStatus
from backend.core.runtime import Runtime
from backend.outbox.models import Notification, NotificationStatus
from backend.web.app import create_app
from bot.app import create_bot, create_dispatcher, create_services, webhook_secret
from bot.transport import TelegramTransport
from bot.webhook import PATH, create_router
from scheduler.sender import Sender
from tests.fakebotapi import TOKEN, FakeTelegram
from tests.world import World

U = 8001


@pytest.fixture
async def bot(fake: FakeTelegram, runtime: Runtime) -> AsyncIterator[Bot]:
    base = f"http://127.0.0.1:{fake.port}"
    runtime.settings = runtime.settings.model_copy(
        update={"bot_token": SecretStr(TOKEN), "telegram_api_base": base}
    )
    made = create_bot(runtime.settings)
    yield made
    await made.session.close()


def _update(update_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": U, "type": "private"},
            "from": {"id": U, "is_bot": False, "first_name": "王"},
            "text": text,
        },
    }


async def test_webhook_checks_the_secret_and_ignores_redelivery(
    fake: FakeTelegram, bot: Bot, runtime: Runtime, world: World
) -> None:
    dispatcher = create_dispatcher(create_services(runtime))
    secret = webhook_secret(runtime.settings)
    app = create_app(runtime, routers=[create_router(dispatcher, bot, secret=secret)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bad = await client.post(PATH, json=_update(1, "/start"))
        assert bad.status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
        assert (
            await client.post(PATH, json=_update(1, "/start"), headers=wrong)
        ).status_code == 403
        assert fake.sent_to(U) == []
        good = {"X-Telegram-Bot-Api-Secret-Token": secret}
        first = await client.post(PATH, json=_update(1, "/start"), headers=good)
        assert first.status_code == 200 and len(fake.sent_to(U)) == 1  # done before the 200
        again = await client.post(PATH, json=_update(1, "/start"), headers=good)
        assert again.status_code == 200 and len(fake.sent_to(U)) == 1
        junk = await client.post(PATH, content=b"[]", headers=good)
        assert junk.status_code in (400, 422)


async def test_status_change_reaches_the_applicant_and_blocked_chats_are_marked(
    fake: FakeTelegram, bot: Bot, runtime: Runtime, world: World
) -> None:
    from backend.identities import bindcodes
    from backend.identities import service as identities_service
    from tests.cases.helpers import submit

    result = await submit(runtime, world)
    async with runtime.sessions() as session, session.begin():
        for uid in (U, U + 1):
            identity = await identities_service.get_or_create(
                session, clock=runtime.clock, channel="telegram", external_id=str(uid)
            )
            code = await bindcodes.issue(session, clock=runtime.clock, person_id=world.resident.id)
            await bindcodes.redeem(session, clock=runtime.clock, identity=identity, code=code)
    async with runtime.sessions() as session, session.begin():
        await workflow.transition(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            case_id=result.case.id,
            to=CaseStatus.registered,
        )
    fake.blocked.add(U + 1)
    sender = Sender(runtime, TelegramTransport(bot))
    await sender.run_once()
    (text,) = fake.texts_to(U)
    assert result.case.number in text and "已受理" in text
    async with runtime.sessions() as session:
        rows = list(
            (await session.execute(select(Notification).order_by(Notification.id))).scalars()
        )
        case = await session.get(Case, result.case.id)
    assert [r.status for r in rows] == [NotificationStatus.sent, NotificationStatus.unreachable]
    assert case is not None
    await sender.run_once()
    assert len(fake.texts_to(U)) == 1  # nothing twice
