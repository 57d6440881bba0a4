"""Console 账号管理 and resource editing: what an administrator and an officer can do, the scope
(another county's account or resource answers like a missing one), the audit, the sessions ended
by a reset or a stop, and every post × role × scope."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from backend.audit.models import AuditEntry
from backend.core.runtime import Runtime
from backend.regions.models import Region
from backend.resources import service as resources_service
from backend.resources.models import Resource, ResourceKind
from backend.staff import auth
from backend.staff import service as staff_service
from backend.staff.models import Role
from tests.web.kit import denials, issue
from tests.world import World

ROLES = ["township", "sibling_township", "other_township", "county", "other_county", "worker",
         "provider", "admin"]  # fmt: skip
SCOPES = ["own", "sibling", "other"]


async def _sign_in(runtime: Runtime, client: httpx.AsyncClient, world: World, who: str) -> str:
    token = await issue(runtime, world.actors[who].staff_id or 0, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    return "csrf-" + token[:10]


async def _account(runtime: Runtime, username: str, role: Role, region: Region) -> int:
    async with runtime.sessions() as session, session.begin():
        member = await staff_service.create(
            session, clock=runtime.clock, cipher=runtime.cipher, username=username,
            name=username + "名", password=None, roles=[(role, region)],
        )  # fmt: skip
        return member.id


async def _actions(runtime: Runtime) -> list[tuple[str, str | None]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.entity_id)
            .where(AuditEntry.entity_type == "staff")
            .order_by(AuditEntry.id)
        )
        return [(a, e) for a, e in rows]


async def test_admin_adds_changes_stops_and_resets_an_account(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    other = await _account(runtime, "jinshan2", Role.township_officer, world.other_township)
    csrf = await _sign_in(runtime, client, world, "admin")
    listing = (await client.get("/admin/users")).text
    assert "township-staff" in listing and "sibling_township-staff" in listing
    assert "jinshan2" not in listing and "other_county-staff" not in listing
    assert (await client.get(f"/admin/users/{other}")).status_code == 404

    form = {"csrf": csrf, "username": "zhang3", "name": "张三", "role": "village_worker",
            "region_id": str(world.village2.id), "password": "chushi-1234"}  # fmt: skip
    made = await client.post("/admin/users", data=form)
    assert made.status_code == 303 and "error" not in made.headers["location"]
    staff_id = int(made.headers["location"].split("/")[3].split("?")[0])
    page = (await client.get(f"/admin/users/{staff_id}")).text
    assert "张三" in page and "天台村" in page and "村级工作人员" in page
    wrong = await client.post("/admin/users", data={**form, "username": "li4",
                              "region_id": str(world.township.id)})  # fmt: skip
    assert wrong.status_code == 422  # a village worker is granted on a village

    # the new account signs in with the initial password, then moves to 北屯村
    async with runtime.sessions() as session, session.begin():
        issued = await auth.login(session, clock=runtime.clock, username="zhang3",
                                  password="chushi-1234", address="t", kind=auth.API)  # fmt: skip
    h = {"Authorization": f"Bearer {issued.token}"}
    assert (await client.get("/api/auth/me", headers=h)).status_code == 200
    grant = {"csrf": csrf, "role": "village_worker", "region_id": str(world.village.id)}
    assert (await client.post(f"/admin/users/{staff_id}/roles", data=grant)).status_code == 303
    old = {"csrf": csrf, "role": "village_worker", "region_id": str(world.village2.id)}
    removed = await client.post(f"/admin/users/{staff_id}/roles/remove", data=old)
    assert removed.status_code == 303
    me = (await client.get("/api/auth/me", headers=h)).json()  # applies on the next request
    assert [r["region_path"] for r in me["roles"]] == [world.village.path]
    last = {"csrf": csrf, "role": "village_worker", "region_id": str(world.village.id)}
    only = await client.post(f"/admin/users/{staff_id}/roles/remove", data=last)
    assert only.status_code == 422  # stop the account instead

    stop = await client.post(f"/admin/users/{staff_id}/active", data={"csrf": csrf, "active": "0"})
    assert stop.status_code == 303
    assert (await client.get("/api/auth/me", headers=h)).status_code == 401
    start = await client.post(f"/admin/users/{staff_id}/active", data={"csrf": csrf, "active": "1"})
    assert start.status_code == 303
    mismatch = {"csrf": csrf, "password": "xin-mima-5678", "confirm": "xin-mima-5679"}
    assert (
        await client.post(f"/admin/users/{staff_id}/password", data=mismatch)
    ).status_code == 422
    reset = {**mismatch, "confirm": "xin-mima-5678"}
    assert (await client.post(f"/admin/users/{staff_id}/password", data=reset)).status_code == 303
    async with runtime.sessions() as session, session.begin():
        with pytest.raises(auth.LoginFailed):
            await auth.login(session, clock=runtime.clock, username="zhang3",
                             password="chushi-1234", address="t", kind=auth.API)  # fmt: skip
    assert [a for a, e in await _actions(runtime) if e == str(staff_id)] == [
        "staff_add", "staff_grant", "staff_revoke", "staff_disable", "staff_enable",
        "staff_password",
    ]  # fmt: skip

    mine = world.actors["admin"].staff_id
    self_stop = await client.post(f"/admin/users/{mine}/active", data={"csrf": csrf, "active": "0"})
    assert self_stop.status_code == 403
    no_csrf = await client.post(f"/admin/users/{staff_id}/active", data={"active": "0"})
    assert no_csrf.status_code == 403


@pytest.mark.parametrize("role", ROLES)
async def test_account_posts_matrix(
    runtime: Runtime, world: World, client: httpx.AsyncClient, role: str
) -> None:
    """The administrator of 牟定县 manages the accounts of 共和镇 and 新桥镇; the other county's
    answers like a missing one; every other role is refused; every refusal is audited."""
    regions = {"own": world.township, "sibling": world.sibling_township,
               "other": world.other_township}  # fmt: skip
    csrf = await _sign_in(runtime, client, world, role)
    me = world.actors[role].staff_id
    reset = {"csrf": csrf, "password": "x" * 8, "confirm": "x" * 8}
    missing = await client.post("/admin/users/999999/password", data=reset)
    for scope in SCOPES:
        target = await _account(runtime, f"t-{role}-{scope}", Role.township_officer, regions[scope])
        posts = {
            "password": {"password": "neue-1234", "confirm": "neue-1234"},
            "roles": {"role": "provider", "region_id": str(regions[scope].id)},
            "active": {"active": "0"},
        }
        for action, form in posts.items():
            before = await denials(runtime, me)
            answer = await client.post(
                f"/admin/users/{target}/{action}", data={"csrf": csrf, **form}
            )
            want = 403 if role != "admin" else 303 if scope != "other" else 404
            assert answer.status_code == want, (role, scope, action, answer.text[-200:])
            if want != 303:
                assert await denials(runtime, me) == before + 1
            if want == 404:
                assert answer.text == missing.text
        add = {"csrf": csrf, "username": f"n-{role}-{scope}", "name": "新人",
               "role": "township_officer", "region_id": str(regions[scope].id),
               "password": "chushi-1234"}  # fmt: skip
        answer = await client.post("/admin/users", data=add)
        want = 403 if role != "admin" else 303 if scope != "other" else 422
        assert answer.status_code == want, (role, scope, "add")
    client.cookies.clear()


async def _county_resource(runtime: Runtime, region: Region, name: str) -> int:
    async with runtime.sessions() as session, session.begin():
        found = await resources_service.create(
            session, clock=runtime.clock, name=name, kind=ResourceKind.provider,
            items=["living.meal"], region=region,
        )  # fmt: skip
        return found.id


async def test_resource_added_edited_stopped_and_started(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _sign_in(runtime, client, world, "township")
    add = {"csrf": csrf, "name": "共和镇助浴队", "kind": "volunteer", "phone": "0878-1",
           "region_id": str(world.township.id), "item": ["living.bath"]}  # fmt: skip
    assert (await client.post("/resources/new", data=add)).status_code == 303
    bad_kind = await client.post("/resources/new", data={**add, "kind": "army"})
    assert bad_kind.status_code == 422
    county_wide = await client.post(
        "/resources/new", data={**add, "region_id": str(world.county.id)}
    )
    assert county_wide.status_code == 403  # a township officer keeps its township's directory
    async with runtime.sessions() as session:
        rid = (
            await session.execute(select(Resource.id).where(Resource.name == "共和镇助浴队"))
        ).scalar_one()
    edit = {"csrf": csrf, "name": "共和镇助浴志愿队", "item": ["living.bath", "living.cleaning"],
            "contact": "王队长", "phone": "0878-2", "active": "1"}  # fmt: skip
    assert (await client.post(f"/resources/{rid}", data=edit)).status_code == 303
    listing = (await client.get("/resources")).text
    assert "共和镇助浴志愿队" in listing and "王队长" in listing and "0878-2" in listing
    stop = {k: v for k, v in edit.items() if k != "active"}
    assert (await client.post(f"/resources/{rid}", data=stop)).status_code == 303
    async with runtime.sessions() as session:
        listed = await resources_service.list_for_actor(session, actor=world.actors["township"])
        assert rid not in [r.id for r in listed]  # no longer offered for referral
    assert "重新启用" in (await client.get("/resources")).text
    assert (await client.post(f"/resources/{rid}", data=edit)).status_code == 303
    async with runtime.sessions() as session:
        listed = await resources_service.list_for_actor(session, actor=world.actors["township"])
        assert rid in [r.id for r in listed]

    county_rid = await _county_resource(runtime, world.county, "县老年食堂")
    other_rid = await _county_resource(runtime, world.other_county, "别县食堂")
    assert (await client.post(f"/resources/{county_rid}", data=edit)).status_code == 403
    foreign = await client.post(f"/resources/{other_rid}", data=edit)
    missing = await client.post("/resources/999999", data=edit)
    assert foreign.status_code == missing.status_code == 404 and foreign.text == missing.text
    client.cookies.clear()


@pytest.mark.parametrize("role", ROLES)
async def test_resource_edit_matrix(
    runtime: Runtime, world: World, client: httpx.AsyncClient, role: str
) -> None:
    """Each scope's township resource: edited by that township's officer, its county officer and
    administrator; seen (403) by the other roles working there; anyone else: 404 as missing."""
    townships = {"own": world.township, "sibling": world.sibling_township,
                 "other": world.other_township}  # fmt: skip
    editors = {"own": {"township", "county", "admin"}, "sibling": {"sibling_township", "county",
               "admin"}, "other": {"other_township", "other_county"}}  # fmt: skip
    # a resource serves its township: seen by whoever works there or above
    seen = {"own": {"township", "county", "worker", "provider", "admin"},
            "sibling": {"sibling_township", "county", "admin"},
            "other": {"other_township", "other_county"}}  # fmt: skip
    csrf = await _sign_in(runtime, client, world, role)
    for scope in SCOPES:
        rid = await _county_resource(runtime, townships[scope], f"{scope}-{role}食堂")
        form = {"csrf": csrf, "name": f"{scope}-{role}食堂", "item": ["living.meal"], "active": "1"}
        answer = await client.post(f"/resources/{rid}", data=form)
        want = 303 if role in editors[scope] else 403 if role in seen[scope] else 404
        if role == "worker" and scope == "sibling":
            want = 404  # a village grant sees the resources above it, not a sibling township's
        if role == "provider" and scope == "sibling":
            want = 404
        assert answer.status_code == want, (role, scope, answer.text[-200:])
    client.cookies.clear()
