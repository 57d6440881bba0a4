"""Texts of notifications sent from the outbox (rendered by the transport from key + params)."""

TEXTS: dict[str, str] = {
    "case_status": "您的案件 {number} 有新进展:现在是“{status}”。发送 /status 可查看详情。",
    "emergency_alert": "【紧急】新的紧急求助 {number}:{text}\n请马上处理。",
}
