"""Texts of notifications sent from the outbox (rendered by the transport from key + params)."""

TEXTS: dict[str, str] = {
    # Shown by Telegram and in the web chat's inbox: no transport's own command, the menu's
    # 查询进度 exists on both.
    "case_status": (
        "您的案件 {number} 有新进展:现在是“{status}”。在菜单里点“查询进度”可查看详情。"
    ),
    "emergency_alert": "【紧急】新的紧急求助 {number}:{text}\n请马上处理。",
}
