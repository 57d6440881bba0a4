"""What the page's inbox shows for an unread outbox row: the dialogs' own texts as they are, and
the scheduler's rows (surveys, 走访 lists, reminders to staff) with page texts of the same wording
(`inbox.<key>` in `dialogs/texts/webchat.py`; the web layer does not import `scheduler/`) and the
dialog's duty buttons (`survey:<id>:<score>`, `visit:<plan>:<period>:<outcome>`), which the engine
takes from any chat (`dialogs/flows/survey.py`, `visit.py`)."""

from __future__ import annotations

from typing import Any

from backend.surveys.models import SCORES
from backend.surveys.service import SHOWN_KEYS
from backend.visits.service import LISTED_KEYS
from dialogs.texts import TEXTS as DIALOG_TEXTS
from dialogs.texts.webchat import TEXTS as PAGE_TEXTS
from dialogs.types import Choice, Reply

MAX_LISTED = 30  # households listed (and given buttons) in one message, as on Telegram
OUTCOMES = (("已走访", "visited"), ("未遇到", "not_met"), ("需要帮助", "needs_help"))
ABOUT = {"survey_ask": "请对方评价所接受的服务", "survey_remind": "请对方评价所接受的服务",
         "case_status": "案件有新进展"}  # fmt: skip


def _button(value: str, label: str) -> Choice:
    return Choice(value, "plain", {"label": label})


def _households(params: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    households: list[dict[str, Any]] = list(params.get("households") or [])
    shown = households[:MAX_LISTED]
    lines = [f"{n}. {h.get('name', '')}({h.get('village', '')})" for n, h in enumerate(shown, 1)]
    if len(households) > MAX_LISTED:
        lines.append(PAGE_TEXTS["inbox.more"].format(more=len(households) - MAX_LISTED))
    return shown, "\n".join(lines)


def news(key: str, params: dict[str, Any]) -> Reply | None:
    """The row as the page shows it; None for a row the page cannot show (left unread)."""
    if key in DIALOG_TEXTS:
        return Reply(key, params)
    page_key = f"inbox.{key}"
    if page_key not in PAGE_TEXTS:
        return None
    try:
        if key in SHOWN_KEYS:
            survey = int(params["survey"])
            words = [_button(f"survey:{survey}:{s}", w) for w, s in SCORES.items()]
            return Reply(page_key, params, (tuple(words[:3]), tuple(words[3:])))
        if key == "unreachable_task":
            about = ABOUT.get(str(params.get("about")), "有通知")
            return Reply(page_key, {"name": params["name"], "about": about})
        shown, listed = _households(params)
        values = {**params, "count": len(params.get("households") or []), "list": listed}
        rows: tuple[tuple[Choice, ...], ...] = ()
        if key in LISTED_KEYS:
            rows = tuple(
                tuple(
                    _button(
                        f"visit:{int(h['plan'])}:{params['period']}:{value}",
                        f"{h['name']} {label}" if value == "visited" else label,
                    )
                    for label, value in OUTCOMES
                )
                for h in shown
            )
        PAGE_TEXTS[page_key].format(**values)  # a row with missing params is not shown
    except (KeyError, ValueError, TypeError, IndexError):
        return None
    return Reply(page_key, values, rows)
