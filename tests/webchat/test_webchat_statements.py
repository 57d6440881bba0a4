"""What one web chat step costs the database: the step token and the conversation's save, no
read (the conversation comes from the process cache, the screen is kept in the engine's save).
A page view reads the conversation's version and the device's unread news."""

from __future__ import annotations

from sqlalchemy import event

from backend.core.runtime import Runtime
from tests.webchat.kit import Resident
from tests.world import World


async def test_a_step_is_one_insert_and_one_update(
    resident: Resident, world: World, runtime: Runtime
) -> None:
    statements: list[str] = []

    def seen(conn: object, cursor: object, sql: str, *args: object) -> None:
        if sql.split()[0] in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            statements.append(" ".join(sql.split()[:3]))

    await resident.open()
    await resident.tap("申请帮助(为自己)")
    await resident.say("家里老人做不了饭,想要有人送饭")
    await resident.tap("对,就是这些")
    await resident.say("王秀英")
    await resident.tap("牟定县")
    await resident.tap("共和镇")
    event.listen(runtime.engine.sync_engine, "before_cursor_execute", seen)
    try:
        page = await resident.tap("北屯村")
        assert "联系电话" in page.text
        # POST: the token, the conversation; GET after the redirect: version + unread news.
        assert [s.split()[0] for s in statements] == ["INSERT", "UPDATE", "SELECT", "SELECT"]
        statements.clear()
        assert "身份证" in (await resident.say("139 1234 5678")).text
        assert [s.split()[0] for s in statements] == ["INSERT", "UPDATE", "SELECT", "SELECT"]
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", seen)
