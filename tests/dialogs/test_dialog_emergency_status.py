"""Emergencies at any step, /status, notifications on status changes, bind codes, the store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.cases import workflow
from backend.cases.models import Case, CaseStatus
from backend.conversations import service as conversations
from backend.core.errors import Conflict
from backend.core.runtime import Runtime
from backend.identities import bindcodes
from backend.identities import service as identities_service
from backend.outbox import service as outbox
from backend.outbox.models import Notification
from tests.dialogs.conftest import Chat, keys, shown
from tests.world import World


async def _bind(runtime: Runtime, user: str, **target: int) -> None:
    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(session, clock=runtime.clock, **target)
        identity = await identities_service.get_or_create(
            session, clock=runtime.clock, channel="telegram", external_id=user
        )
        await bindcodes.redeem(session, clock=runtime.clock, identity=identity, code=code)


async def _notifications(runtime: Runtime) -> list[Notification]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Notification))).scalars())


async def test_emergency_at_second_step_files_and_alerts(
    chat: Chat, world: World, runtime: Runtime
) -> None:
    await _bind(runtime, "9001", staff_id=world.actors["township"].staff_id or 0)
    await chat.command("start")
    await chat.tap("m:self")
    await chat.text("想要有人送饭")
    replies = await chat.text("我爸摔倒了起不来,家里没人")
    assert keys(replies) == ["emergency"]
    text = shown(replies)
    assert "120" in text and "110" in text and "119" in text and "0878-5211234" in text
    replies = await chat.tap("em:report")
    assert keys(replies) == ["emergency_where", "ask_county"]  # two counties in this world
    await chat.tap_label("牟定县")
    replies = await chat.tap_label("共和镇")
    assert keys(replies) == ["emergency_filed", "menu"]
    async with runtime.sessions() as session:
        (case,) = (await session.execute(select(Case))).scalars().all()
    assert case.emergency and case.township_id == world.township.id
    assert "摔倒" in case.original_text and case.due_step == "emergency_ack"
    (alert,) = await _notifications(runtime)
    assert alert.template_key == "emergency_alert" and alert.staff_id is not None


async def test_emergency_buttons_keep_the_step_buttons(chat: Chat, world: World) -> None:
    await chat.command("start")
    await chat.tap("m:self")
    await chat.text("想要有人送饭")
    await chat.text("家里着火了")
    assert keys(await chat.tap("ok")) == ["ask_name"]  # the step's own button still works


async def test_emergency_from_a_bound_person_needs_no_region(
    chat: Chat, world: World, runtime: Runtime
) -> None:
    await _bind(runtime, chat.user, person_id=world.resident.id)
    await chat.command("start")
    await chat.tap("m:emergency")
    assert keys(await chat.tap("em:report")) == ["emergency_filed", "menu"]
    async with runtime.sessions() as session:
        (case,) = (await session.execute(select(Case))).scalars().all()
    assert case.beneficiary_id == world.resident.id and case.emergency


async def test_status_lists_cases_and_status_changes_are_queued(
    chat: Chat, world: World, runtime: Runtime
) -> None:
    await chat.command("start")
    assert keys(await chat.command("status")) == ["status_none"]
    await chat.tap("m:self")
    await chat.text("想要有人送饭")
    await chat.tap("ok")
    await chat.text("王秀英")
    await chat.tap_label("牟定县")
    await chat.tap_label("共和镇")
    await chat.tap("rg:none")
    await chat.text("13912345678")
    await chat.tap("skip")
    await chat.tap("submit")
    async with runtime.sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    assert case.village_id is None
    async with runtime.sessions() as session, session.begin():
        await workflow.transition(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            case_id=case.id,
            to=CaseStatus.registered,
        )
    (note,) = await _notifications(runtime)
    assert note.template_key == "case_status" and note.params["status"] == "已受理"
    replies = await chat.command("status")
    assert keys(replies) == ["status_header", "status_case"]
    assert "已受理" in shown(replies) and "受理登记" in shown(replies)


async def test_bind_code_is_single_use_and_expires(chat: Chat, world: World, runtime: Runtime):
    async with runtime.sessions() as session, session.begin():
        code = await bindcodes.issue(session, clock=runtime.clock, person_id=world.resident.id)
        late = await bindcodes.issue(
            session, clock=runtime.clock, person_id=world.resident.id, hours=1
        )
    assert keys(await chat.command("start", code)) == ["bound_person", "menu"]
    other = Chat(chat.runtime, chat.engine, user="2002")
    assert keys(await other.command("start", code)) == ["bind_failed", "menu"]
    runtime.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    assert keys(await other.command("start", late)) == ["bind_failed", "menu"]
    assert keys(await other.command("start", "forged-code")) == ["bind_failed", "menu"]


async def test_store_version_check_and_processed_updates(runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        snap = await conversations.load(session, channel="web_chat", external_id="u1")
        await conversations.save(session, clock=runtime.clock, snapshot=snap)
    async with runtime.sessions() as session, session.begin():
        first = await conversations.load(session, channel="web_chat", external_id="u1")
    async with runtime.sessions() as session, session.begin():
        second = await conversations.load(session, channel="web_chat", external_id="u1")
        second.step = "x"
        await conversations.save(session, clock=runtime.clock, snapshot=second)
    with pytest.raises(Conflict):
        async with runtime.sessions() as session, session.begin():
            await conversations.save(session, clock=runtime.clock, snapshot=first)
    async with runtime.sessions() as session, session.begin():
        kw = {"clock": runtime.clock, "channel": "telegram", "update_id": "7"}
        assert await conversations.mark_processed(session, **kw) is True
        assert await conversations.mark_processed(session, **kw) is False


async def test_outbox_enqueue_is_idempotent(runtime: Runtime) -> None:
    async with runtime.sessions() as session, session.begin():
        kw = {"clock": runtime.clock, "channel": "telegram", "template_key": "case_status"}
        assert await outbox.enqueue(session, params={}, idempotency_key="k1", **kw)
        assert not await outbox.enqueue(session, params={}, idempotency_key="k1", **kw)
        (row,) = await outbox.list_due(session, clock=runtime.clock, channel="telegram")
        await outbox.mark_failed(session, clock=runtime.clock, notification=row, error="x")
        assert await outbox.list_due(session, clock=runtime.clock, channel="telegram") == []
