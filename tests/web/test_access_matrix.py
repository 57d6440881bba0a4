"""Every route × every role × three scopes gives the expected answer.

The routes come from the OpenAPI schema and from the console's routes: a route without an
expectation here fails the test, so a new route cannot skip access control. Scopes: a case in
共和镇 (own township of the `township` officer), one in 新桥镇 (a sibling township, same county)
and one in 金山镇 of another county. A foreign id must answer exactly like a missing one, and
every refusal must be in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from backend.cases import assignment
from backend.core.runtime import Runtime
from backend.resources import service as resources_service
from backend.resources.models import ResourceKind
from backend.staff import auth
from backend.web.console import admin_routes, case_routes, duty_routes, resource_routes, routes
from tests.web.kit import case_in_state, denials, issue, new_case, scope_village
from tests.world import World

ROLES = ["township", "sibling_township", "other_township", "county", "other_county", "worker",
         "provider", "admin"]  # fmt: skip
SCOPES = ["own", "sibling", "other"]
# Who sees a case (and its person) in each scope. The provider sees only what is assigned to it:
# in the matrix, the own-scope case is assigned to it, the others are not.
SEES = {
    "own": {"township", "county", "worker", "provider", "admin"},
    "sibling": {"sibling_township", "county", "admin"},
    "other": {"other_township", "other_county"},
}
TOWNSHIP_OF = {"own": "township", "sibling": "sibling_township", "other": "other_township"}
COUNTY_OF = {"own": "county", "sibling": "county", "other": "other_county"}
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@dataclass
class Ctx:
    runtime: Runtime
    world: World
    scope: str
    role: str
    case_id: int
    person_id: int
    resource_id: int
    township_id: int


def officer(ctx: Ctx) -> bool:
    return ctx.role in (TOWNSHIP_OF[ctx.scope], COUNTY_OF[ctx.scope])


def sees(ctx: Ctx) -> bool:
    return ctx.role in SEES[ctx.scope]


def visible(ok: int) -> Callable[[Ctx], int]:
    return lambda ctx: ok if sees(ctx) else 404


def guarded(ok: int, allowed: Callable[[Ctx], bool]) -> Callable[[Ctx], int]:
    return lambda ctx: 404 if not sees(ctx) else ok if allowed(ctx) else 403


def _resource_editor(ctx: Ctx) -> bool:
    if ctx.role == "admin":
        return ctx.scope in ("own", "sibling")
    return officer(ctx)


def _ledger(ctx: Ctx) -> int:
    area = {"own": {"township", "county", "worker", "provider", "admin"}}
    area["sibling"] = {"sibling_township", "county", "admin"}
    area["other"] = {"other_township", "other_county"}
    # The worker's grant is a village of 共和镇: it does not cover the township as a whole.
    area["own"].discard("worker")
    return 200 if ctx.role in area[ctx.scope] else 404


# (method, path) → (request builder, expected status)
Request = Callable[[Ctx], dict[str, Any]]
API: dict[tuple[str, str], tuple[Request, Callable[[Ctx], int]]] = {
    ("GET", "/api/auth/me"): (lambda c: {}, lambda c: 200),
    ("GET", "/api/queue"): (lambda c: {}, lambda c: 200),
    ("GET", "/api/overdue"): (lambda c: {}, lambda c: 200),
    ("GET", "/api/resources"): (lambda c: {}, lambda c: 200),
    ("GET", "/api/cases/{case_id}"): (lambda c: {}, visible(200)),
    ("GET", "/api/cases/{case_id}/resources"): (lambda c: {}, visible(200)),
    ("POST", "/api/cases/{case_id}/transitions"): (
        lambda c: {"json": {"to": "registered"}},
        guarded(200, lambda c: c.role == TOWNSHIP_OF[c.scope]),
    ),
    ("POST", "/api/cases/{case_id}/assign"): (
        lambda c: {"json": {"assignee_staff_id": c.world.actors["worker"].staff_id}},
        # the worker covers 北屯村 only: elsewhere the officer gets "cannot assign to them"
        guarded(200, officer),
    ),
    ("POST", "/api/cases/{case_id}/refer"): (
        lambda c: {"json": {"resource_id": c.resource_id, "reason": "需要专业康复"}},
        guarded(200, officer),
    ),
    ("POST", "/api/cases/{case_id}/attachments"): (
        lambda c: {"files": {"file": ("a.png", PNG, "image/png")}},
        visible(200),
    ),
    ("GET", "/api/people/{person_id}"): (lambda c: {}, visible(200)),
    ("POST", "/api/people/{person_id}/id-number"): (
        lambda c: {"json": {"reason": "核对身份"}},
        guarded(200, officer),
    ),
    ("POST", "/api/resources"): (
        lambda c: {
            "json": {
                "name": "志愿队",
                "kind": "volunteer",
                "items": ["living.meal"],
                "region_id": c.township_id,
            }
        },
        lambda c: 201 if _resource_editor(c) else 403,
    ),
    ("GET", "/api/ledger"): (
        lambda c: {"params": {"township_id": c.township_id, "year": 2026, "month": 3}},
        _ledger,
    ),
    ("POST", "/api/cases"): (  # 代录 in the scope's village: another area's = a missing village
        lambda c: {"json": _entry(c)},
        lambda c: 201 if officer(c) else 422 if c.role in CLERKS else 403,
    ),
    ("POST", "/api/cases/{case_id}/backfill"): (
        lambda c: {"json": {"step": "review", "note": "已核实"}},
        guarded(200, lambda c: c.role == TOWNSHIP_OF[c.scope]),
    ),
    ("POST", "/api/cases/{case_id}/objections"): (
        lambda c: {"json": {"text": "邻居反映有收入"}},
        guarded(200, officer),
    ),
    ("POST", "/api/cases/{case_id}/objections/resolve"): (
        lambda c: {"json": {"outcome": "dismissed", "note": "经核实不属实"}},
        guarded(200, officer),
    ),
    ("GET", "/api/publicity"): (lambda c: {"params": {"township_id": c.township_id}}, _ledger),
    ("POST", "/api/cases/{case_id}/referrals/{referral_id}/answer"): (
        lambda c: {"json": {"answer": "已安排康复训练"}},
        guarded(200, officer),  # the provider's own case, referred to a resource not its own: 403
    ),
}
# The state an API route's case is put in first (default: just submitted).
API_STATE = {
    ("POST", "/api/cases/{case_id}/backfill"): "relief_first",
    ("POST", "/api/cases/{case_id}/objections"): "publicity",
    ("POST", "/api/cases/{case_id}/objections/resolve"): "objection",
    ("POST", "/api/cases/{case_id}/referrals/{referral_id}/answer"): "referred",
}
CLERKS = {"township", "sibling_township", "other_township", "county", "other_county"}


def _entry(c: Ctx) -> dict[str, Any]:
    village = scope_village(c.world, c.scope)
    return {"channel": "window", "region_id": village.id, "beneficiary": {"name": "代录对象"},
            "consent": "verbal_window", "text": "想要有人送饭"}  # fmt: skip


PUBLIC = {("GET", "/health"), ("POST", "/api/auth/token")}
LAST = {("POST", "/api/auth/logout")}  # ends the token: checked separately
CONSOLE: dict[tuple[str, str], Callable[[Ctx], int]] = {
    ("GET", "/"): lambda c: 200,
    ("GET", "/overdue"): lambda c: 200,
    ("GET", "/ledger"): lambda c: 200,
    ("GET", "/resources"): lambda c: 200,
    ("GET", "/cases/{case_id}"): visible(200),
    ("GET", "/people/{person_id}"): visible(200),
    ("GET", "/publicity"): lambda c: 200,  # the township picker; the list itself: below
    ("GET", "/intake"): lambda c: 200 if c.role in CLERKS else 403,  # 代录: tests/web/
    ("GET", "/cases/{case_id}/receipt"): visible(200),  # test_console_intake.py for the posts
    ("GET", "/visits"): lambda c: 403 if c.role == "provider" else 200,  # own regions only
    ("GET", "/surveys"): lambda c: 403 if c.role == "provider" else 200,
    ("GET", "/admin/users"): lambda c: 200 if c.role == "admin" else 403,
    # the scope's township officer's account: the admin of 牟定县 manages own and sibling
    ("GET", "/admin/users/{staff_id}"): lambda c: (
        403 if c.role != "admin" else 200 if c.scope != "other" else 404
    ),
    ("GET", "/resources/new"): lambda c: 403 if c.role in ("worker", "provider") else 200,
    ("GET", "/resources/{resource_id}"): lambda c: _resource_page(c),
}


def _resource_page(c: Ctx) -> int:
    """The scope's resource serves the whole county (own, sibling) or the other county: seen by
    every role there, edited by its county officer and administrator only."""
    here = c.scope != "other"
    seen = ({"township", "sibling_township", "county", "worker", "provider", "admin"} if here
            else {"other_township", "other_county"})  # fmt: skip
    if c.role not in seen:
        return 404
    return 200 if c.role in ({"county", "admin"} if here else {"other_county"}) else 403


# Matrices of these posts: tests/web/test_console_admin.py (accounts and resources).
ADMIN_POSTS = {"/admin/users", "/admin/users/{staff_id}/roles",
               "/admin/users/{staff_id}/roles/remove", "/admin/users/{staff_id}/active",
               "/admin/users/{staff_id}/password", "/resources/new",
               "/resources/{resource_id}"}  # fmt: skip
# Console form posts: (state the case is put in first, form, expected status). Success is a
# redirect (303), or 200 for the full ID number (answered on the page, shown once).
CONSOLE_ACTIONS: dict[str, tuple[str, dict[str, str], Callable[[Ctx], int]]] = {
    "/cases/{case_id}/backfill": (
        "relief_first",
        {"step": "review", "note": "已核实"},
        guarded(303, lambda c: c.role == TOWNSHIP_OF[c.scope]),
    ),
    "/cases/{case_id}/objections": ("publicity", {"text": "邻居反映有收入"}, guarded(303, officer)),
    "/cases/{case_id}/objections/resolve": (
        "objection",
        {"outcome": "dismissed", "note": "经核实不属实"},
        guarded(303, officer),
    ),
    "/people/{person_id}/id-number": ("submitted", {"reason": "核对身份"}, guarded(200, officer)),
    "/cases/{case_id}/referrals/{referral_id}/answer": (
        "referred",
        {"answer": "已安排康复训练"},
        guarded(303, officer),
    ),
}
CONSOLE_POSTS = {"/cases/{case_id}/move", "/cases/{case_id}/assign", "/cases/{case_id}/refer",
                 "/cases/{case_id}/attachments", "/logout", *CONSOLE_ACTIONS}  # fmt: skip
CONSOLE_POSTS |= ADMIN_POSTS
CONSOLE_POSTS.add("/intake")  # 代录: scope and refusals in tests/web/test_console_intake.py
CONSOLE_OTHER = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/ledger/download"),
    ("GET", "/cases/{case_id}/receipt.docx"),
}  # fmt: skip  (test_console_intake)


CONSOLE_ROUTERS = (routes.router, case_routes.router, duty_routes.router, admin_routes.router,
                   resource_routes.router)  # fmt: skip
ANY_IDS = {"case_id": 1, "person_id": 1, "referral_id": 1, "staff_id": 1, "resource_id": 1}


def _fixes(app: FastAPI) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    schema = app.openapi()
    api = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    console = {
        (m, r.path)
        for router in CONSOLE_ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute)
        for m in r.methods
    }
    return api, console


def test_every_route_has_an_expectation(app: FastAPI) -> None:
    api, console = _fixes(app)
    assert api == set(API) | PUBLIC | LAST
    posts = {("POST", p) for p in CONSOLE_POSTS}
    assert console == set(CONSOLE) | posts | CONSOLE_OTHER


async def _world_cases(runtime: Runtime, world: World) -> dict[str, tuple[int, int]]:
    made = {}
    for scope in SCOPES:
        case = await new_case(runtime, world, scope)
        made[scope] = (case.id, case.beneficiary_id)
    return made


async def _setup(runtime: Runtime, world: World) -> dict[str, int]:
    resources = {}
    async with runtime.sessions() as session, session.begin():
        for scope, region in (("own", world.county), ("sibling", world.county),
                              ("other", world.other_county)):  # fmt: skip
            found = await resources_service.create(
                session, clock=runtime.clock, name=f"{region.name}康复中心",
                kind=ResourceKind.provider, items=["living.meal"], region=region,
            )  # fmt: skip
            resources[scope] = found.id
    return resources


async def _prepared(
    runtime: Runtime, world: World, scope: str, state: str, resource_id: int
) -> tuple[Any, int]:
    """A fresh case of a scope in `state` (the own-scope one assigned to the provider first);
    "referred": then referred by the scope's township officer, the referral's id returned."""
    first = "submitted" if state == "referred" else state
    case = await case_in_state(runtime, world, scope, first)
    if scope == "own":
        await _assign_to_provider(runtime, world, case.id)
    if state != "referred":
        return case, 0
    async with runtime.sessions() as session, session.begin():
        referral = await assignment.refer(
            session, clock=runtime.clock, actor=world.actors[TOWNSHIP_OF[scope]],
            case_id=case.id, resource_id=resource_id, reason="需要专业康复",
        )  # fmt: skip
    return case, referral.id


async def _assign_to_provider(runtime: Runtime, world: World, case_id: int) -> None:
    async with runtime.sessions() as session, session.begin():
        await assignment.assign(
            session, clock=runtime.clock, actor=world.actors["township"], case_id=case_id,
            assignee_staff_id=world.actors["provider"].staff_id or 0,
        )  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
async def test_api_matrix(
    runtime: Runtime, world: World, client: httpx.AsyncClient, role: str
) -> None:
    resources = await _setup(runtime, world)
    townships = {"own": world.township.id, "sibling": world.sibling_township.id,
                 "other": world.other_township.id}  # fmt: skip
    staff_id = world.actors[role].staff_id
    headers = {"Authorization": f"Bearer {await issue(runtime, staff_id or 0)}"}
    missing = {}
    for path in ("/api/cases/999999", "/api/people/999999"):
        answer = await client.get(path, headers=headers)
        missing[path.split("/")[2]] = (answer.status_code, answer.json())
    for scope in SCOPES:
        for (method, path), (build, expect) in API.items():
            state = API_STATE.get((method, path), "submitted")
            case, referral_id = await _prepared(runtime, world, scope, state, resources[scope])
            ctx = Ctx(runtime, world, scope, role, case.id, case.beneficiary_id,
                      resources[scope], townships[scope])  # fmt: skip
            url = path.format(
                case_id=case.id, person_id=case.beneficiary_id, referral_id=referral_id
            )
            before = await denials(runtime, staff_id)
            answer = await client.request(method, url, headers=headers, **build(ctx))
            want = expect(ctx)
            if path.endswith("/assign") and want == 200 and scope != "own":
                want = 422  # the 北屯村 worker does not cover the case
            assert answer.status_code == want, (role, scope, method, path, answer.text)
            if want in (403, 404):
                assert await denials(runtime, staff_id) == before + 1, (role, scope, path)
            if (want == 404 and "{case_id}" in path) or ("{person_id}" in path and want == 404):
                kind = "cases" if "{case_id}" in path else "people"
                if method == "GET":
                    assert (answer.status_code, answer.json()) == missing[kind]


async def test_queue_lists_exactly_what_each_role_sees(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    made = await _world_cases(runtime, world)
    await _assign_to_provider(runtime, world, made["own"][0])
    for role in ROLES:
        token = await issue(runtime, world.actors[role].staff_id or 0)
        answer = await client.get("/api/queue", headers={"Authorization": f"Bearer {token}"})
        listed = {item["id"] for item in answer.json()["items"]}
        assert listed == {made[s][0] for s in SCOPES if role in SEES[s]}, role


@pytest.mark.parametrize("role", ROLES)
async def test_console_matrix(
    runtime: Runtime, world: World, client: httpx.AsyncClient, role: str
) -> None:
    made = await _world_cases(runtime, world)
    await _assign_to_provider(runtime, world, made["own"][0])
    resources = await _setup(runtime, world)
    token = await issue(runtime, world.actors[role].staff_id or 0, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    for scope in SCOPES:
        case_id, person_id = made[scope]
        ctx = Ctx(runtime, world, scope, role, case_id, person_id, resources[scope], 0)
        officer_id = world.actors[TOWNSHIP_OF[scope]].staff_id
        for (method, path), expect in CONSOLE.items():
            url = path.format(case_id=case_id, person_id=person_id, staff_id=officer_id,
                              resource_id=resources[scope])  # fmt: skip
            answer = await client.request(method, url)
            assert answer.status_code == expect(ctx), (role, scope, path)
            assert answer.headers["content-type"].startswith("text/html")
    client.cookies.clear()


@pytest.mark.parametrize("role", ROLES)
async def test_console_actions_matrix(
    runtime: Runtime, world: World, client: httpx.AsyncClient, role: str
) -> None:
    staff_id = world.actors[role].staff_id or 0
    token = await issue(runtime, staff_id, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    csrf = "csrf-" + token[:10]
    missing = await client.post("/cases/999999/objections", data={"csrf": csrf, "text": "x"})
    resources = await _setup(runtime, world)
    for scope in SCOPES:
        for path, (state, form, expect) in CONSOLE_ACTIONS.items():
            case, referral_id = await _prepared(runtime, world, scope, state, resources[scope])
            ctx = Ctx(runtime, world, scope, role, case.id, case.beneficiary_id, 0, 0)
            url = path.format(
                case_id=case.id, person_id=case.beneficiary_id, referral_id=referral_id
            )
            before = await denials(runtime, staff_id)
            answer = await client.post(url, data={"csrf": csrf, **form})
            want = expect(ctx)
            assert answer.status_code == want, (role, scope, path, answer.text[-300:])
            if want == 303:
                assert "error=" not in answer.headers["location"], answer.headers["location"]
            if want in (403, 404):
                assert await denials(runtime, staff_id) == before + 1, (role, scope, path)
            if want == 404 and "{case_id}" in path:
                assert answer.text == missing.text
        refused = await client.post(f"/cases/{case.id}/objections", data={"text": "无令牌"})
        assert refused.status_code in (403, 404)  # no CSRF token: never accepted
    client.cookies.clear()


@pytest.mark.parametrize("role", ROLES)
async def test_publicity_list_matrix(
    runtime: Runtime, world: World, client: httpx.AsyncClient, role: str
) -> None:
    token = await issue(runtime, world.actors[role].staff_id or 0, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    townships = {"own": world.township.id, "sibling": world.sibling_township.id,
                 "other": world.other_township.id}  # fmt: skip
    missing = await client.get("/publicity", params={"township_id": 999999})
    assert missing.status_code == 404
    for scope in SCOPES:
        ctx = Ctx(runtime, world, scope, role, 0, 0, 0, townships[scope])
        answer = await client.get("/publicity", params={"township_id": townships[scope]})
        assert answer.status_code == _ledger(ctx), (role, scope)
        if answer.status_code == 404:
            assert answer.text == missing.text
    client.cookies.clear()


async def test_unauthenticated_requests_are_refused(
    runtime: Runtime, world: World, app: FastAPI, client: httpx.AsyncClient
) -> None:
    for method, path in API:
        answer = await client.request(method, path.format(**ANY_IDS))
        assert answer.status_code in (401, 422), (method, path)  # 422: the body is checked first
    for method, path in CONSOLE:
        answer = await client.request(method, path.format(**ANY_IDS))
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    api_token = await issue(runtime, world.actors["township"].staff_id or 0)
    client.cookies.set("jiuzhu_session", api_token)  # an API token is not a console session
    assert (await client.get("/")).status_code == 303


async def test_role_and_region_changes_apply_on_the_next_request(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    from backend.staff import service as staff_service

    made = await _world_cases(runtime, world)
    token = await issue(runtime, world.actors["township"].staff_id or 0)
    h = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"/api/cases/{made['own'][0]}", headers=h)).status_code == 200
    async with runtime.sessions() as session, session.begin():
        member = await staff_service.get_by_username_or_raise(session, username="township")
        await staff_service.revoke(session, member=member, role=auth_role(), region=world.township)
        await staff_service.grant(
            session, member=member, role=auth_role(), region=world.sibling_township
        )
    assert (await client.get(f"/api/cases/{made['own'][0]}", headers=h)).status_code == 404
    assert (await client.get(f"/api/cases/{made['sibling'][0]}", headers=h)).status_code == 200
    async with runtime.sessions() as session, session.begin():
        member = await staff_service.get_by_username_or_raise(session, username="township")
        await staff_service.set_active(session, member=member, active=False)
    assert (await client.get("/api/queue", headers=h)).status_code == 401


def auth_role() -> Any:
    from backend.staff.models import Role

    return Role.township_officer


async def test_logout_ends_the_token(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    token = await issue(runtime, world.actors["county"].staff_id or 0)
    h = {"Authorization": f"Bearer {token}"}
    assert (await client.post("/api/auth/logout", headers=h)).status_code == 204
    assert (await client.get("/api/auth/me", headers=h)).status_code == 401
