"""The web chat's glue: one form post is one dialog input, run in one transaction with its
step token recorded like a Telegram update id; the replies are kept for the page after the
redirect.

Invariants: a token is recorded (`processed_updates`, channel "web_chat") in the same transaction
as the input's effects, so a double tap or a replayed post changes nothing; the replies of the
last input are stored in the conversation state under "web" and re-rendered by every GET, so a
reload shows the same screen and writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import attachments
from backend.cases.models import Case
from backend.classifier.service import get_classifier
from backend.conversations import service as conversations
from backend.conversations.service import Snapshot
from backend.core.clock import business_date
from backend.core.errors import Conflict, JiuzhuError
from backend.core.runtime import Runtime
from backend.outbox import delivery
from backend.staff.actor import Actor
from backend.surveys import service as surveys_service
from backend.visits import service as visits_service
from backend.web.chat import inbox, upload
from dialogs.context import Turn
from dialogs.engine import Engine
from dialogs.flows import menu
from dialogs.flows import survey as survey_flow
from dialogs.flows import visit as visit_flow
from dialogs.types import Choice, Inbound, Reply

log = logging.getLogger(__name__)
CHANNEL = "web_chat"
RETRIES = 3
WEB_KEY = "web"
FILED = ("submitted", "emergency_filed", "report_submitted", "report_emergency_filed")
# Steps answered with the buttons only: no text box, so each screen asks one thing one way.
BUTTONS_ONLY = frozenset(
    {("menu", "start")}
    | {("intake", s) for s in ("items", "pick", "pick_item", "county", "township", "village")}
    | {("intake", s) for s in ("consent", "summary")}
    | {("report", s) for s in ("new_village", "items", "pick", "pick_item", "urgency")}
    | {("report", s) for s in ("photo", "location", "summary")}
    | {("visit", s) for s in ("photo", "location", "confirm")}
)
PHONE_STEPS = frozenset({("intake", "phone"), ("intake", "ben_phone"), ("report", "new_phone")})
NEED_STEPS = frozenset({("intake", "need"), ("report", "need")})  # words, a photo allowed
PHOTO_STEPS = NEED_STEPS | {("report", "photo"), ("visit", "photo")}
Outcome = Literal["done", "replayed", "error", "busy"]


@dataclass(frozen=True)
class View:
    """What one screen shows: the replies of the last input and the way to answer."""

    replies: list[Reply]
    flow: str
    step: str
    news: list[Reply] = field(default_factory=list)  # unread notifications, newest first

    @property
    def step_token(self) -> str:
        return f"{self.flow}:{self.step}"

    @property
    def wants_text(self) -> bool:
        return (self.flow, self.step) not in BUTTONS_ONLY

    @property
    def wants_photo(self) -> bool:
        return (self.flow, self.step) in PHOTO_STEPS

    @property
    def searches(self) -> bool:
        """The household list: typed characters search it (the box must say so)."""
        return (self.flow, self.step) == ("report", "household")

    @property
    def wants_words(self) -> bool:
        """A few sentences (a larger box) rather than a name or a number."""
        return (self.flow, self.step) in NEED_STEPS

    @property
    def wants_phone(self) -> bool:
        return (self.flow, self.step) in PHONE_STEPS


def _dump(reply: Reply) -> dict[str, Any]:
    return {
        "key": reply.key,
        "params": reply.params,
        "choices": [[[c.value, c.key, c.params] for c in row] for row in reply.choices],
        "contact": reply.ask_contact,
        "location": reply.ask_location,
    }


def _load(raw: dict[str, Any]) -> Reply:
    rows = tuple(tuple(Choice(v, k, p) for v, k, p in row) for row in raw.get("choices", []))
    return Reply(raw["key"], raw.get("params", {}), rows, raw.get("contact", False),
                 raw.get("location", False))  # fmt: skip


def menu_replies(device_id: str) -> list[Reply]:
    turn = Turn(Snapshot(channel=CHANNEL, external_id=device_id))
    menu.show(turn)
    return turn.replies


@dataclass
class ChatService:
    runtime: Runtime
    _engine: Engine | None = None
    # SQLite has one writer: queue the writers here rather than in SQLite's sleeping busy handler.
    _sqlite_writer: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def engine(self) -> Engine:
        if self._engine is None:  # built on first use: the classifier loads its dictionary
            settings = self.runtime.settings
            self._engine = Engine.create(
                clock=self.runtime.clock,
                cipher=self.runtime.cipher,
                classifier=get_classifier(settings.classifier_keywords),
                hotlines=settings.county_hotlines,
            )
        return self._engine

    def _writer(self) -> contextlib.AbstractAsyncContextManager[object]:
        if self.runtime.settings.is_sqlite:
            return self._sqlite_writer
        return contextlib.nullcontext()

    async def view(self, device_id: str) -> View:
        # On SQLite every transaction takes the write lock at BEGIN (backend/core/db.py), reads
        # too: queue the page with the writers rather than in SQLite's sleeping busy handler.
        async with self._writer(), self.runtime.sessions() as session:
            snap = await conversations.load(session, channel=CHANNEL, external_id=device_id)
            if snap.cached:  # another replica may have saved since: check the version
                try:
                    await conversations.confirm(session)
                except Conflict:
                    snap = await conversations.load(session, channel=CHANNEL, external_id=device_id)
            rows = await delivery.inbox_rows(
                session,
                external_id=device_id,
                kept=(*surveys_service.SHOWN_KEYS, *visits_service.LISTED_KEYS),
            )
            # The inbox: notifications are delivered by showing them once; a key the dialogs do
            # not own (a scheduler text) is not a resident's message on the web: left unread.
            news = [
                (r.id, reply)
                for r in rows
                if not r.shown and (reply := inbox.news(r.key, r.params))
            ]
            if news:
                ids = [i for i, _ in news]
                await delivery.mark_read(session, ids=ids, now=self.runtime.clock.now())
                await session.commit()
            news += await self._waiting(session, snap, rows, [r for _, r in news])
        stored = snap.state.get(WEB_KEY)
        replies = [_load(r) for r in stored] if stored else menu_replies(device_id)
        return View(replies, snap.flow, snap.step, [r for _, r in news])

    async def _waiting(
        self,
        session: AsyncSession,
        snap: Snapshot,
        rows: list[delivery.InboxRow],
        shown: list[Reply],
    ) -> list[tuple[int, Reply]]:
        """Rows shown before that still wait for an answer, offered again with their buttons:
        an unanswered survey (unless it is being answered right now: its comment step is on
        the screen) and this period's 走访 list cut to the households not visited yet (not
        while a visit is being recorded, nor when an unread list of the period is shown)."""
        fresh = {reply.params.get("survey") for reply in shown}
        if snap.flow == survey_flow.FLOW:
            fresh.add(snap.state.get("data", {}).get("survey"))
        again = await surveys_service.still_open(session, rows)
        again = [r for r in again if r.params.get("survey") not in fresh]
        listed = {r.params.get("period") for r in shown if "households" in r.params}
        if snap.flow != visit_flow.FLOW:
            today = business_date(self.runtime.clock.now())
            due = await visits_service.still_due_in_inbox(session, rows, today=today)
            again += [r for r in due if r.params.get("period") not in listed]
        return [(r.id, reply) for r in again if (reply := inbox.news(r.key, r.params))]

    async def step(
        self, device_id: str, *, token: str, shown_step: str, inbound: Inbound
    ) -> Outcome:
        """Run one input; "replayed" when this page's token was used already."""
        for attempt in range(RETRIES):
            try:
                async with self._writer(), self.runtime.sessions() as session:
                    async with session.begin():
                        outcome = await self._step(session, device_id, token, shown_step, inbound)
                        await conversations.confirm(session)
                    conversations.remember(session)  # committed: the next step needs no SELECT
                    return outcome
            except Conflict:
                log.info("web chat: conversation changed meanwhile (attempt %d)", attempt)
            except JiuzhuError as exc:
                log.warning("web chat input failed: %s", exc.code)
                return "error"
        return "busy"

    async def _step(
        self, session: AsyncSession, device_id: str, token: str, shown: str, inbound: Inbound
    ) -> Outcome:
        clock = self.runtime.clock
        fresh = await conversations.mark_processed(
            session, clock=clock, channel=CHANNEL, update_id=f"{device_id}:{token}"
        )
        if not fresh:
            return "replayed"
        # Served from the process cache after this device's last step (no SELECT); a stale entry
        # (another replica saved since) fails the engine's save with Conflict and is retried.
        snap = await conversations.load(session, channel=CHANNEL, external_id=device_id)
        # A filed case gets attachments only from photos of this conversation: without any
        # (none before this step, none in it) the case is not read back.
        photos = inbound.kind == "photo" or bool(snap.state.get("data", {}).get("photos"))
        run = self.engine.handle
        if snap.version == 0 and inbound.kind == "choice":
            # The first screen's menu was shown without storing anything; offer it now.
            await run(session, channel=CHANNEL, external_id=device_id,
                      inbound=Inbound("command", command="start"), snapshot=snap)  # fmt: skip
        expired = inbound.kind in ("text", "photo") and shown != f"{snap.flow}:{snap.step}"
        if expired:
            # A text typed on an old page (back button, second tab) would answer another
            # question: say so and ask the current one again.
            inbound = Inbound("command", command="start")

        def keep(state: Snapshot, replies: list[Reply]) -> list[Reply]:
            """The screen is kept in the engine's own save (one write per step)."""
            if expired:
                replies = [Reply("page_expired"), *(r for r in replies if r.key != "resumed")]
            state.state[WEB_KEY] = [_dump(r) for r in replies]
            return replies

        # reask: Telegram keeps the last question on the screen above; a page shows only this
        # answer ("too long", "invalid phone"…), so the engine asks the current question again.
        replies = await run(session, channel=CHANNEL, external_id=device_id, inbound=inbound,
                            reask=True, keep=keep, snapshot=snap)  # fmt: skip
        for reply in replies if photos else ():
            if reply.key in FILED and reply.params.get("number"):
                await self._attach_photos(session, str(reply.params["number"]))
        return "done"

    async def _attach_photos(self, session: AsyncSession, number: str) -> None:
        """Photos uploaded during the application become attachments of the filed case."""
        case = (await session.execute(select(Case).where(Case.number == number))).scalar_one()
        storage = self.runtime.settings.attachments_dir
        label = "上报人(网上)" if case.applicant_staff_id else "申请人(网上申请)"
        for file_id in case.classification.get("chat", {}).get("photos", []):
            path = upload.stored_photo(storage, str(file_id))
            if path is None or not path.exists():
                continue
            data = await asyncio.to_thread(path.read_bytes)
            kind = (attachments.sniff(data) or "image/jpeg").split("/")[1]
            await attachments.add(
                session,
                clock=self.runtime.clock,
                storage_dir=storage,
                actor=Actor.person(case.applicant_person_id, label),
                case=case,
                kind="photo",
                filename=f"照片-{path.name[:8]}.{kind.replace('jpeg', 'jpg')}",
                data=data,
                note="网上申请时上传",
            )
