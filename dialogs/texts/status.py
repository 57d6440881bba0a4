"""Texts of the progress query (/status)."""

TEXTS: dict[str, str] = {
    "status_none": "您还没有申请记录。需要帮助请点“申请帮助”。",
    "status_header": "您的申请({count}件):",
    "status_case": "案件号 {number}\n事项:{items}\n状态:{status}\n最近:{last}",
    "status_due": "\n{due_step}:{due}",
}
