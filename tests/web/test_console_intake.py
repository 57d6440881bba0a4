"""Clerk entry (代录) through the real app: the console form (sign-in cookie + CSRF as a browser
sends them) and POST /api/cases. What a clerk notices: the classifier's suggestion and its words,
every problem beside its field with the form kept filled, one case per form however often it is
sent, only their own area, the receipt, and the hotline's due date in the deadline."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import timedelta
from typing import Any

import docx
import httpx
from sqlalchemy import func, select, update

from backend.audit.models import AuditEntry
from backend.cases.models import ApplicantKind, Case, CaseStatus, Channel, IntakeNonce
from backend.classifier import service as classifier_service
from backend.core.clock import FrozenClock
from backend.core.runtime import Runtime
from backend.identities import service as identities_service
from backend.outbox.models import Notification
from backend.people.models import Person
from backend.regions.models import Region
from backend.staff import auth
from tests.web.kit import issue, new_case
from tests.world import VALID_IDS, World

NEED = "老人瘫痪在床,子女在外打工,没人做饭,想申请送餐"


async def _console(runtime: Runtime, client: httpx.AsyncClient, world: World, who: str) -> str:
    token = await issue(runtime, world.actors[who].staff_id or 0, kind=auth.CONSOLE)
    client.cookies.set("jiuzhu_session", token)
    return "csrf-" + token[:10]


def _nonce(html: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', html)
    assert found, "the form carries a nonce"
    return found.group(1)


def _checked(html: str) -> str:
    found = re.search(r'name="checked" value="([^"]*)"', html)
    return found.group(1) if found else ""


def _ticked(html: str) -> set[str]:
    return set(re.findall(r'name="items" value="([^"]+)" checked', html))


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Case).order_by(Case.id))).scalars())


def _form(world: World, csrf: str, nonce: str, **extra: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf": csrf,
        "nonce": nonce,
        "channel": "phone",
        "name": "王秀英",
        "id_number": VALID_IDS[1],
        "region_id": str(world.village.id),
        "applicant": "self",
        "phone": "139 1234 5678",
        "consent": "verbal_phone",
        "text": NEED,
    }
    form.update(extra)
    return form


async def test_phone_application_suggested_corrected_filed_and_receipt(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    page = await client.get("/intake")
    assert page.status_code == 200 and "代录申请" in page.text
    assert page.headers["cache-control"] == "no-store"
    nonce = _nonce(page.text)

    # 识别: the items appear ticked, with the words that triggered them
    shown = await client.post("/intake", data=_form(world, csrf, nonce, action="classify"))
    assert shown.status_code == 200
    suggested = set(classifier_service.classify(NEED).labels)
    assert "living.meal" in suggested and _ticked(shown.text) == suggested
    assert "没人做饭" in shown.text and "送餐" in shown.text and "请核对" in shown.text
    assert 'value="王秀英"' in shown.text  # the form stays filled

    # the clerk corrects it: keeps 助餐 only and adds 住房救助, then files
    form = _form(world, csrf, nonce, action="submit", checked=_checked(shown.text))
    form["items"] = ["living.meal", "referral.housing"]
    done = await client.post("/intake", data=form)
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith("/cases/")
    [case] = await _cases(runtime)
    assert case.channel == Channel.phone and case.applicant_kind == ApplicantKind.clerk
    assert case.item_ids == ["living.meal", "referral.housing"]
    assert case.consent_method == "verbal_phone" and case.applicant_phone_masked == "139****5678"
    assert case.classification["clerk"]["added"] == ["referral.housing"]
    assert case.classification["clerk"]["removed"] == sorted(suggested - {"living.meal"})
    assert set(case.classification["scores"]) == {"living.meal"}  # words of the kept items
    assert case.due_step == "register" and case.status == CaseStatus.submitted

    receipt = await client.get(done.headers["location"])
    assert receipt.status_code == 200
    text = receipt.text
    assert case.number in text and "受理回执" in text and "住房救助" in text and "助餐" in text
    assert "2026年3月3日(周二)下班前" in text  # 受理登记: one working day, in absolute words
    assert "@page" in text and 'class="top"' not in text  # print sheet, no console chrome
    assert VALID_IDS[1] not in text and "13912345678" not in text

    # audited: the filing, with the case id; the new person is on the roll (masked ID)
    async with runtime.sessions() as session:
        entries = (
            (
                await session.execute(
                    select(AuditEntry).where(AuditEntry.action == "case.clerk_entry")
                )
            )
            .scalars()
            .all()
        )
        person = await session.get(Person, case.beneficiary_id)
    assert [(e.entity_id, e.actor_staff_id) for e in entries] == [
        (str(case.id), world.actors["township"].staff_id)
    ]
    assert person is not None and person.id_number_masked == "5323**********0029"


async def test_first_submit_shows_the_suggestion_before_filing(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    first = await client.post("/intake", data=_form(world, csrf, nonce, action="submit"))
    assert first.status_code == 200 and await _cases(runtime) == []
    suggested = set(classifier_service.classify(NEED).labels)
    assert _ticked(first.text) == suggested and "请核对" in first.text
    again = _form(world, csrf, nonce, action="submit", checked=_checked(first.text))
    again["items"] = sorted(_ticked(first.text))
    assert (await client.post("/intake", data=again)).status_code == 303
    assert len(await _cases(runtime)) == 1


async def test_every_problem_beside_its_field_form_kept(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    bad = _form(world, csrf, nonce, action="submit", channel="hotline", hotline="12345",
                work_order_no="", id_number="532323196001010028", phone="12345",
                consent="", applicant="delegate", relation="")  # fmt: skip
    bad["checked"] = _checked(
        (await client.post("/intake", data={**bad, "action": "classify"})).text
    )
    bad["items"] = ["living.meal"]
    answer = await client.post("/intake", data=bad)
    assert answer.status_code == 422
    html = answer.text
    for field, words in (
        ("id_number", "校验位"),
        ("phone", "手机号"),
        ("work_order_no", "工单编号"),
        ("work_order_due", "办结时限"),
        ("consent", "同意"),
        ("applicant_name", "代办人姓名"),
        ("relation", "关系"),
    ):
        found = re.search(f'id="err-{field}">([^<]+)<', html)
        assert found and words in found.group(1), (field, found)
    assert 'value="王秀英"' in html and NEED in html and 'value="12345"' in html
    assert await _cases(runtime) == []
    async with runtime.sessions() as session:  # a refused form leaves no nonce and no person
        assert await session.scalar(select(func.count()).select_from(IntakeNonce)) == 0
        assert await session.scalar(select(func.count()).where(Person.name == "王秀英")) == 0


async def test_double_submit_and_back_resubmit_give_one_case(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    shown = await client.post("/intake", data=_form(world, csrf, nonce, action="classify"))
    form = _form(world, csrf, nonce, action="submit", checked=_checked(shown.text))
    form["items"] = ["living.meal"]
    first = await client.post("/intake", data=form)
    second = await client.post("/intake", data=form)  # the second click, or back + resubmit
    assert first.status_code == second.status_code == 303
    assert first.headers["location"].split("?")[0] == second.headers["location"].split("?")[0]
    assert "没有重复登记" in (await client.get(second.headers["location"])).text
    assert len(await _cases(runtime)) == 1
    fresh = _nonce((await client.get("/intake")).text)  # a new form for the same need: linked
    other = {**form, "nonce": fresh}
    linked = await client.post("/intake", data=other)
    assert linked.status_code == 303 and "linked=1" in linked.headers["location"]
    assert "已记入该案件" in (await client.get(linked.headers["location"])).text
    assert len(await _cases(runtime)) == 1


async def test_two_clicks_at_once_give_one_case(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    shown = await client.post("/intake", data=_form(world, csrf, nonce, action="classify"))
    form = _form(world, csrf, nonce, action="submit", checked=_checked(shown.text))
    form["items"] = ["living.meal"]
    answers = await asyncio.gather(*(client.post("/intake", data=form) for _ in range(3)))
    assert [a.status_code for a in answers] == [303, 303, 303]
    assert len({a.headers["location"].split("?")[0] for a in answers}) == 1
    assert len(await _cases(runtime)) == 1


async def test_scope_forged_village_answers_like_a_missing_one(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    page = (await client.get("/intake")).text
    assert "北屯村" in page and "石桥村" not in page and "东河村" not in page
    messages = []
    for region_id in (world.sibling_village.id, world.other_village.id, 999_999):
        form = _form(world, csrf, _nonce(page), action="check", region_id=str(region_id))
        html = (await client.post("/intake", data=form)).text
        found = re.search(r'id="err-region_id">([^<]+)<', html)
        assert found, region_id
        messages.append(found.group(1))
    assert len(set(messages)) == 1 and "不存在" in messages[0]
    # a roster person of another township cannot be chosen either: like one that does not exist
    stranger = await new_case(runtime, world, "sibling")
    said = []
    for person_id in (stranger.beneficiary_id, 999_999):
        form = _form(world, csrf, _nonce(page), action="check", person_id=str(person_id))
        html = (await client.post("/intake", data=form)).text
        found = re.search(r'id="err-person_id">([^<]+)<', html)
        assert found, person_id
        said.append(found.group(1))
    assert said[0] == said[1] and "找不到" in said[0]
    # a village worker, a provider and an admin may not enter applications
    for who in ("worker", "provider", "admin"):
        csrf = await _console(runtime, client, world, who)
        assert (await client.get("/intake")).status_code == 403
        assert "代录申请" not in (await client.get("/")).text
    assert [c.id for c in await _cases(runtime)] == [stranger.id]


async def test_no_csrf_token_is_refused(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    form = _form(world, "wrong", nonce, action="submit", checked="x", items=["living.meal"])
    answer = await client.post("/intake", data=form)
    assert answer.status_code == 403 and "页面已过期" in answer.text
    assert await _cases(runtime) == [] and csrf != "wrong"


async def test_roster_search_by_name_and_id_hash_masked_and_audited(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    for query in ("李大", VALID_IDS[0]):
        html = (
            await client.post(
                "/intake", data={"csrf": csrf, "nonce": nonce, "action": "search", "q": query}
            )
        ).text
        assert "李大爷" in html and "5323**********001X" in html and "138****5678" in html
        assert VALID_IDS[0] not in html.replace(f'value="{VALID_IDS[0]}"', "")
    # the sibling township's officer does not find 李大爷 (北屯村 is not theirs)
    other = await _console(runtime, client, world, "sibling_township")
    search = {"csrf": other, "nonce": nonce, "action": "search", "q": "李大爷"}
    html = (await client.post("/intake", data=search)).text
    assert "名册中没有找到" in html
    async with runtime.sessions() as session:
        searches = await session.scalar(
            select(func.count()).where(AuditEntry.action == "people.search")
        )
        changes = await session.scalar(select(func.count()).where(AuditEntry.action == "change"))
    assert searches == 3 and changes == 0  # looking is audited as a search, not as a change

    # choosing 李大爷 files for the roster person (no new person, no ID typed)
    csrf = await _console(runtime, client, world, "township")
    form = _form(world, csrf, nonce, action="submit", person_id=str(world.resident.id),
                 name="", id_number="", region_id="", checked="x", phone="")  # fmt: skip
    form["items"] = ["living.cleaning"]
    form["text"] = "想请人帮忙打扫卫生"
    shown = await client.post("/intake", data=form)  # first submit: the suggestion is shown
    form["checked"] = _checked(shown.text)
    filed = await client.post("/intake", data=form)
    assert filed.status_code == 303, re.findall(r'id="err-[a-z_]*">[^<]*', filed.text)
    [case] = await _cases(runtime)
    assert case.beneficiary_id == world.resident.id and case.village_id == world.village.id
    assert case.applicant_phone_masked == "138****5678"  # the phone on the record


async def test_hotline_work_order_due_date_on_case_page_and_in_queue(
    runtime: Runtime, world: World, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    today = "2026-03-02"  # the fixture's Monday: the work order is due tonight, before 受理登记
    form = _form(world, csrf, nonce, action="submit", channel="hotline", hotline="12345",
                 work_order_no="GD20260302-0042", work_order_due=today, checked="x")  # fmt: skip
    form["items"] = ["living.meal"]
    form["checked"] = _checked((await client.post("/intake", data=form)).text)
    done = await client.post("/intake", data=form)
    assert done.status_code == 303
    [case] = await _cases(runtime)
    assert case.external_ref == "12345:GD20260302-0042" and case.due_step == "work_order"
    assert case.due_at == case.work_order_due_at
    page = (await client.get(f"/cases/{case.id}")).text
    assert "12345 工单 GD20260302-0042" in page and "2026-03-02" in page
    assert "热线工单时限" in page
    queue = (await client.get("/")).text
    assert "热线工单时限" in queue and "今天下班前" in queue
    receipt = (await client.get(done.headers["location"])).text
    assert "按热线工单要求答复" in receipt and "2026年3月2日(周一)下班前" in receipt

    # registering the next day: the work order's date has passed, the calendar applies again
    clock.advance(timedelta(days=1))
    csrf = await _console(runtime, client, world, "township")
    move = await client.post(f"/cases/{case.id}/move", data={"csrf": csrf, "to": "registered"})
    assert move.status_code == 303
    [case] = await _cases(runtime)
    assert case.due_step == "investigate"


async def test_emergency_by_phone_alerts_the_township(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    async with runtime.sessions() as session, session.begin():
        identity = await identities_service.get_or_create(
            session, clock=runtime.clock, channel="telegram", external_id="9001"
        )
        await identities_service.bind(
            session, clock=runtime.clock, identity=identity,
            staff_id=world.actors["township"].staff_id,
        )  # fmt: skip
        await session.execute(
            update(Region)
            .where(Region.id == world.township.id)
            .values(extra={"phone": "0878-5212345"})
        )
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    text = "我爸刚才摔倒了,昏迷不醒,家里没人"
    form = _form(world, csrf, nonce, action="classify", text=text, consent="emergency_report")
    shown = await client.post("/intake", data=form)
    assert 'name="emergency" value="1" checked' in shown.text and "系统判断紧急" in shown.text
    form |= {"action": "submit", "checked": _checked(shown.text), "emergency": "1"}
    done = await client.post("/intake", data=form)
    assert done.status_code == 303, done.text
    [case] = await _cases(runtime)
    assert case.emergency and case.due_step == "emergency_ack"
    async with runtime.sessions() as session:
        alerts = await session.scalar(
            select(func.count()).where(Notification.template_key == "emergency_alert")
        )
    assert alerts == 1
    receipt = (await client.get(done.headers["location"])).text
    assert "0878-5212345" in receipt and "紧急" in receipt


async def _api(runtime: Runtime, world: World, who: str = "township") -> dict[str, str]:
    return {"Authorization": f"Bearer {await issue(runtime, world.actors[who].staff_id or 0)}"}


async def test_api_entry_with_channel_fields_and_reasons(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    headers = await _api(runtime, world)
    body = {
        "channel": "hotline",
        "region_id": world.village2.id,
        "beneficiary": {"name": "赵四", "id_number": VALID_IDS[3]},
        "contact_phone": "13700001111",
        "consent": "verbal_phone",
        "text": "孩子放学没人管,想找人辅导作业和心理疏导",
        "work_order": {"hotline": "12349", "number": "A-77", "due_date": "2026-03-20"},
    }
    made = await client.post(
        "/api/cases", json=body, headers=headers | {"Idempotency-Key": "k" * 20}
    )
    assert made.status_code == 201, made.text
    got = made.json()
    assert got["created"] is True and got["items"] and got["suggested"] == got["items"]
    again = await client.post(
        "/api/cases", json=body, headers=headers | {"Idempotency-Key": "k" * 20}
    )
    assert again.status_code == 200 and again.json()["id"] == got["id"]
    assert again.json()["repeated"] is True

    wrong = {**body, "beneficiary": {"name": "", "id_number": "123"}, "contact_phone": "1",
             "work_order": {"hotline": "110", "number": "", "due_date": "2020-01-01"}}  # fmt: skip
    refused = await client.post("/api/cases", json=wrong, headers=headers)
    assert refused.status_code == 422
    fields = refused.json()["fields"]
    assert {"name", "id_number", "phone", "hotline", "work_order_no", "work_order_due"} <= set(
        fields
    )
    foreign = await client.post(
        "/api/cases", json={**body, "region_id": world.other_village.id}, headers=headers
    )
    missing = await client.post("/api/cases", json={**body, "region_id": 999_999}, headers=headers)
    assert foreign.status_code == missing.status_code == 422
    assert foreign.json() == missing.json()
    schema = await client.post("/api/cases", json={"channel": "phone"}, headers=headers)
    assert schema.status_code == 422 and schema.json()["error"] == "invalid_request"
    worker = await client.post(
        "/api/cases", json=body, headers=await _api(runtime, world, "worker")
    )
    assert worker.status_code == 403
    nul = {**body, "text": "想要有人\x00送饭", "beneficiary": {"name": "钱\x00五"},
           "work_order": {**body["work_order"], "number": "A-78"}}  # fmt: skip
    cleaned = await client.post("/api/cases", json=nul, headers=headers)
    assert cleaned.status_code == 201, cleaned.text  # never a 500 (PostgreSQL refuses NUL)
    assert [c.original_text for c in await _cases(runtime)][1:] == ["想要有人送饭"]


async def test_receipt_as_word_from_the_county_template(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    csrf = await _console(runtime, client, world, "township")
    nonce = _nonce((await client.get("/intake")).text)
    form = _form(world, csrf, nonce, action="submit", checked="x")
    shown = (await client.post("/intake", data=form)).text
    form |= {"checked": _checked(shown), "items": ["living.meal"]}
    done = await client.post("/intake", data=form)
    [case] = await _cases(runtime)
    receipt = (await client.get(done.headers["location"])).text
    assert f"/cases/{case.id}/receipt.docx" in receipt

    built_in = await client.get(f"/cases/{case.id}/receipt.docx")
    assert built_in.status_code == 200
    assert built_in.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(built_in.content)
    assert case.number in text and "助餐" in text and "王秀英(北屯村)" in text
    assert "{{" not in text and VALID_IDS[1] not in text

    # the county's own template: its wording, our values; an unknown placeholder stays visible
    folder = runtime.settings.var_dir / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    own = docx.Document()
    own.add_paragraph("牟定县民政局 回执 {{案件编号}} / {{服务项目}} / {{未知}}")
    own.save(str(folder / "receipt-532323.docx"))
    county = _docx_text((await client.get(f"/cases/{case.id}/receipt.docx")).content)
    assert f"牟定县民政局 回执 {case.number} / 助餐" in county and "{{未知}}" in county

    # another township's officer: the receipt answers like a missing case
    await _console(runtime, client, world, "sibling_township")
    assert (await client.get(f"/cases/{case.id}/receipt.docx")).status_code == 404
    assert (await client.get(f"/cases/{case.id}/receipt")).status_code == 404


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def test_api_emergency_hotline_keeps_its_two_hour_clock(
    runtime: Runtime, world: World, client: httpx.AsyncClient
) -> None:
    body = {
        "channel": "hotline",
        "region_id": world.village.id,
        "beneficiary": {"name": "孙六"},
        "contact_phone": "13700002222",
        "consent": "emergency_report",
        "text": "老人摔倒昏迷了",
        "emergency": True,
        "items": ["care.attendance"],
        "work_order": {"hotline": "12345", "number": "B-1", "due_date": "2026-03-02"},
    }
    made = await client.post("/api/cases", json=body, headers=await _api(runtime, world))
    assert made.status_code == 201, made.text
    assert made.json()["due_step"] == "emergency_ack"  # the work order never lengthens nor
    [case] = await _cases(runtime)  # replaces the emergency acknowledgement (2 hours)
    assert case.work_order_due_at is not None and case.due_at < case.work_order_due_at
    await _console(runtime, client, world, "county")  # printed by someone else: the clerk named
    receipt = (await client.get(f"/cases/{case.id}/receipt")).text
    assert "经办人: township-staff" in receipt
