"""Texts of the progress query (/status)."""

TEXTS: dict[str, str] = {
    "status_none": "您还没有申请记录。需要帮助请点“申请帮助”。",
    "status_header": "您的申请({count}件):",
    "status_case": "案件号 {number}\n事项:{items}\n状态:{status}\n最近:{last}",
}

# Words inside the status lines: what the last event was, which deadline is running.
EVENT_WORDS: dict[str, str] = {
    "submitted": "提交申请",
    "repeat_request": "补充情况",
    "escalated": "标为紧急",
}
DUE_WORDS: dict[str, str] = {
    "register": "受理期限",
    "emergency_ack": "紧急响应期限",
    "investigate": "入户调查期限",
    "review": "审核期限",
    "approve": "审批期限",
    "publicity": "公示截止",
    "backfill": "补办期限",
}
