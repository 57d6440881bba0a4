"""Every text the scheduler sends, by template key, in plain Simplified Chinese; one place.

Rendering turns an outbox row (key + params) into a `Rendered` message. Keys the dialogs own
(case_status, emergency_alert …) are rendered with `dialogs.texts`, so one sender serves all rows.
Button callback data: `visit:{plan}:{period}:{outcome}`, `survey:{id}:{score}` (the bot's
callback router turns them into `visits.service.record_visit` / `surveys.service.answer`).
"""

from __future__ import annotations

from typing import Any

from backend.outbox.delivery import Rendered
from backend.surveys.models import SCORES
from dialogs.texts import TEXTS as DIALOG_TEXTS
from dialogs.texts import render as render_dialog

MAX_LISTED = 30  # households listed with buttons in one message (Telegram allows 100 buttons)

TEXTS: dict[str, str] = {
    "visit_digest": "【走访提醒】{period_label}(到{end})请走访以下{count}户,走访后点按钮登记:",
    "visit_nudge": "【走访提醒】离{period_label}结束还有3天,还有{count}户没有走访:",
    "visit_missed": "【走访未完成】{period_label}有{count}户没有走访,请督促村里补上:",
    "visit_missed_again": "【连续未走访】以下{count}户连续两个半月没有走访,请督办:",
    "survey_ask": "您好!关于{name}正在接受的服务,您满意吗?请点下面的按钮回答,也可以直接回复意见。",
    "survey_remind": "您好,前两天请您评价{name}接受的服务,还没有收到您的回答。请点按钮回答:",
    "survey_task": (
        "【回访任务】{name}的满意度回访一周没有回答,请上门询问,再按对方的回答点下面的按钮录入。"
    ),
    "case_overdue": "【超期督办】案件{number}的“{step}”已超期(原定{due}),请督促办理。",
    "emergency_again": "【紧急·再次提醒】紧急求助{number}超过2小时无人响应,请马上处理!",
    "emergency_up": "【紧急·上报】乡镇2小时内未响应紧急求助{number},请县级督办。",
    "unreachable_task": (
        "【联系不上】系统给{name}的消息发不出去(可能屏蔽了机器人),请上门或打电话告知:{about}"
    ),
}
ABOUT: dict[str, str] = {
    "survey_ask": "请对方评价所接受的服务",
    "survey_remind": "请对方评价所接受的服务",
    "case_status": "案件有新进展",
}
OUTCOME_BUTTONS = (("已走访", "visited"), ("未遇到", "not_met"), ("需要帮助", "needs_help"))


def _household_lines(households: list[dict[str, Any]]) -> str:
    shown = households[:MAX_LISTED]
    lines = [f"{n}. {h['name']}({h['village']})" for n, h in enumerate(shown, 1)]
    if len(households) > MAX_LISTED:
        lines.append(f"……另有{len(households) - MAX_LISTED}户,请在网页上查看")
    return "\n".join(lines)


def render(key: str, params: dict[str, Any]) -> Rendered:
    """The message of an outbox row; an unknown key is a programming error (KeyError)."""
    if key not in TEXTS:
        if key in DIALOG_TEXTS:
            return Rendered(render_dialog(key, params))
        raise KeyError(key)
    households: list[dict[str, Any]] = params.get("households", [])
    text = TEXTS[key].format(**{**params, "count": len(households)})
    buttons: list[tuple[tuple[str, str], ...]] = []
    if households:
        text += "\n" + _household_lines(households)
    if key in ("visit_digest", "visit_nudge"):
        for h in households[:MAX_LISTED]:
            buttons.append(
                tuple(
                    (
                        f"{h['name']} {label}" if value == "visited" else label,
                        f"visit:{h['plan']}:{params['period']}:{value}",
                    )
                    for label, value in OUTCOME_BUTTONS
                )
            )
    if key in ("survey_ask", "survey_remind", "survey_task"):
        words = list(SCORES.items())
        buttons = [
            tuple((w, f"survey:{params['survey']}:{s}") for w, s in words[:3]),
            tuple((w, f"survey:{params['survey']}:{s}") for w, s in words[3:]),
        ]
    if key == "unreachable_task":
        text = TEXTS[key].format(name=params["name"], about=ABOUT.get(params["about"], "有通知"))
    return Rendered(text, tuple(buttons))
