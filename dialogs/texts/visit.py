"""Texts of recording a visit from the digest's buttons (read by village workers)."""

TEXTS: dict[str, str] = {
    "resumed_duty": "接着上次没做完的:",
    "visit_start": "登记走访:{name}({village}),结果:{outcome}。",
    "visit_ask_note": "请简单写几句走访情况(比如身体、吃住怎么样)。没有要写的就点“跳过”。",
    "visit_ask_help": "这户需要什么帮助?请用几句话说明,会交给乡镇办理。",
    "visit_ask_photo": "可以发一张走访照片。没有就点“跳过”。",
    "visit_ask_location": "可以发送您现在的位置(点下面的“发送我的位置”)。不方便就点“跳过”。",
    "visit_ask_date": "哪天去的?点下面的按钮,或者直接打日期,比如 3月5日。",
    "visit_today": "今天",
    "visit_yesterday": "昨天",
    "visit_day_before": "前天",
    "visit_confirm": (
        "请核对:\n户:{name}({village})\n结果:{outcome}\n日期:{day}\n情况:{note}\n"
        "照片:{photo}\n位置:{location}\n没问题请点“确认登记”。"
    ),
    "visit_confirm_button": "确认登记",
    "visit_has": "有",
    "visit_has_not": "无",
    "visit_note_long": "最多写{limit}个字,请写短一点再发。",
    "visit_help_needed": "请写几句说明需要什么帮助,这一步不能跳过。",
    "visit_photo_kept": "照片收到了。",
    "visit_location_kept": "位置收到了。",
    "visit_date_unknown": "没看懂这个日期。请点按钮,或者这样写:3月5日、2026-03-05。",
    "visit_date_future": "走访日期不能晚于今天,请再选一次。",
    "visit_date_range": "这条提醒管的是{first}到{last}的走访,日期要在这中间,请再选一次。",
    "visit_use_buttons": "请点上面的按钮继续,不想填了就点“取消”。",
    "visit_recorded": "已登记:{name},{outcome},{day}。谢谢!",
    "visit_case_opened": "已经为这户提交求助,案件号 {number},由{township}办理。",
    "visit_already": "{name}这半个月的走访已经登记过了({day},{outcome}),不用再点。",
    "visit_not_yours": "这户不是您负责走访的,没有登记。如有疑问请联系乡镇。",
    "visit_not_staff": "这个账号还没有绑定工作人员,不能登记走访。请找乡镇要绑定码。",
    "visit_stale": "这条走访提醒已经过期了,没有登记。请用最新的提醒消息。",
    "visit_failed": "没有登记成功:{reason}",
}
