"""Sign-in: passwords, throttling per account and per address, idle timeout, CSRF on forms."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.core.clock import FrozenClock
from backend.core.runtime import Runtime
from backend.staff import auth
from backend.staff import service as staff_service
from tests.web.kit import new_case
from tests.world import World

PASSWORD = "correct-horse-9"


async def _set_password(runtime: Runtime, username: str) -> None:
    async with runtime.sessions() as session, session.begin():
        member = await staff_service.get_by_username_or_raise(session, username=username)
        await staff_service.set_password(session, member=member, password=PASSWORD)


async def test_bearer_token_from_password(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    await _set_password(runtime, "township")
    wrong = await client.post(
        "/api/auth/token", json={"username": "township", "password": "nope-nope"}
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "login_failed"
    nobody = await client.post(
        "/api/auth/token", json={"username": "ghost", "password": "nope-nope"}
    )
    assert nobody.json() == wrong.json()  # never says which part was wrong
    good = await client.post("/api/auth/token", json={"username": "township", "password": PASSWORD})
    assert good.status_code == 200, good.text
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {good.json()['token']}"}
    )
    assert me.json()["roles"][0]["role"] == "township_officer"
    async with runtime.sessions() as session:
        hashes = (await session.execute(select(auth.StaffSession.token_hash))).scalars().all()
        assert good.json()["token"] not in hashes  # only a hash is stored
        failed = (
            (await session.execute(select(AuditEntry).where(AuditEntry.allowed.is_(False))))
            .scalars()
            .all()
        )
        assert [e.reason for e in failed] == ["login_failed", "login_failed"]


async def test_throttle_per_account_then_per_address(
    runtime: Runtime, world: World, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    await _set_password(runtime, "county")
    body = {"username": "county", "password": "wrong-password"}
    codes = [(await client.post("/api/auth/token", json=body)).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = {"username": "county", "password": PASSWORD}
    assert (await client.post("/api/auth/token", json=right)).status_code == 429  # even right
    clock.advance(timedelta(minutes=16))
    assert (await client.post("/api/auth/token", json=right)).status_code == 200
    async with runtime.sessions() as session, session.begin():
        for index in range(auth.MAX_FAILURES_PER_ADDRESS):  # many accounts from one address
            await auth.record_failure(
                session, clock=runtime.clock, username=f"u{index}", address="127.0.0.1"
            )
    assert (await client.post("/api/auth/token", json=right)).status_code == 429


async def test_console_login_idle_timeout_and_csrf(
    runtime: Runtime, world: World, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    await _set_password(runtime, "township")
    case = await new_case(runtime, world)
    assert (await client.get("/")).headers["location"] == "/login?next=/"
    bad = await client.post(
        "/login",
        data={"username": "township", "password": "x"},
        headers={"referer": "http://test/login"},
    )
    assert bad.status_code == 303 and "/login?error=" in bad.headers["location"]
    ok = await client.post(
        "/login", data={"username": "township", "password": PASSWORD, "next": "/"}
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    page = await client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and "受理登记" in page.text
    forged = await client.post(
        f"/cases/{case.id}/move",
        data={"to": "registered", "csrf": "forged"},
        headers={"referer": f"http://test/cases/{case.id}"},
    )
    assert forged.status_code == 303 and "error=" in forged.headers["location"]
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    moved = await client.post(f"/cases/{case.id}/move", data={"to": "registered", "csrf": csrf})
    assert moved.status_code == 303 and "msg=" in moved.headers["location"]
    clock.advance(auth.IDLE_TIMEOUT[auth.CONSOLE] - timedelta(minutes=1))
    assert (await client.get("/")).status_code == 200  # still active: the idle clock restarts
    clock.advance(auth.IDLE_TIMEOUT[auth.CONSOLE] + timedelta(minutes=1))
    assert (await client.get("/")).status_code == 303  # idle too long


async def test_next_never_leaves_the_site(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    await _set_password(runtime, "township")
    ok = await client.post(
        "/login", data={"username": "township", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert ok.headers["location"] == "/"
