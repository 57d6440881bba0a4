"""Deadlines in plain Chinese for texts and screens (the words a clerk or an applicant reads)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from backend.core.clock import BUSINESS_TZ, as_utc, business_date
from backend.workcal.days import WEEKDAY_NAMES

# A working-day deadline is the last second of its day in Asia/Shanghai.
END_OF_DAY = time(23, 59, 59)


def describe(deadline: datetime, now: datetime) -> str:
    """Plain Chinese for a text or a screen: "3月5日(周四)下班前", "今天14:30前", "已超期(…)".

    A working-day deadline ends the day; it is shown as "下班前", because an office's deadline is
    its closing time (民法典 第二百零三条).
    """
    local = as_utc(deadline).astimezone(BUSINESS_TZ)
    today = business_date(now)
    day = local.date()
    if day == today:
        when = "今天"
    elif day == today + timedelta(days=1):
        when = "明天"
    else:
        year = f"{day.year}年" if day.year != today.year else ""
        when = f"{year}{day.month}月{day.day}日({WEEKDAY_NAMES[day.weekday()]})"
    text = when + ("下班前" if local.time() == END_OF_DAY else f"{local:%H:%M}前")
    if as_utc(deadline) < as_utc(now):
        return f"已超期(原定{text})"
    return text


def missing_years_warning(years: list[int]) -> str:
    """The one-line warning the CLI and the console show while a year has no holiday data."""
    listed = "、".join(str(year) for year in years)
    return (
        f"警告: 缺少{listed}年的节假日和调休安排,期限暂按周一至周五计算。"
        "国务院公布放假安排后,请升级 chinesecalendar 或在日历设置中逐日录入。"
    )
