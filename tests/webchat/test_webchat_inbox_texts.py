"""Every text the scheduler sends can be shown in the web chat's inbox (a new scheduler text
without a page text would be left unread on the web), with the same wording where it is the same
message."""

from __future__ import annotations

from backend.web.chat import inbox
from dialogs.texts import render
from dialogs.texts.webchat import TEXTS as PAGE_TEXTS
from scheduler.templates import TEXTS as SCHEDULER_TEXTS
from scheduler.templates import render as scheduler_render

HOUSES = [{"name": f"户{n}", "village": "北屯村", "plan": n} for n in range(1, 33)]
PARAMS = {
    "name": "李大爷", "survey": 7, "round": 1, "period": "2026-03a", "period_label": "3月上半月",
    "end": "3月15日", "households": HOUSES, "number": "532323-2026-00001", "step": "受理登记",
    "due": "3月3日", "about": "case_status", "notification": 3,
}  # fmt: skip


def test_every_scheduler_text_has_a_page_text() -> None:
    assert {f"inbox.{k}" for k in SCHEDULER_TEXTS} <= set(PAGE_TEXTS)


def test_the_inbox_shows_what_telegram_shows() -> None:
    for key in SCHEDULER_TEXTS:
        reply = inbox.news(key, dict(PARAMS))
        assert reply is not None, key
        sent = scheduler_render(key, dict(PARAMS))
        shown = PAGE_TEXTS[reply.key].format(**reply.params)
        if key.startswith("visit_"):
            assert shown == sent.text, key  # the list of households, 30 and "另有2户"
        page = [[(c.value, render(c.key, c.params)) for c in row] for row in reply.choices]
        telegram = [[(value, label) for label, value in row] for row in sent.buttons]
        assert page == telegram, key
    assert inbox.news("visit_digest", {"households": [{"name": "x"}]}) is None  # broken row
    assert inbox.news("no_such_key", {}) is None
