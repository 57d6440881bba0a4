"""Texts of the web chat page itself (title, forms, upload and lookup answers).

The dialog's own questions and answers come from the other modules of `dialogs/texts`, rendered
as they are; only what exists on the page and not in Telegram lives here.
"""

TEXTS: dict[str, str] = {
    "page_title": "救助服务 · 网上申请",
    "page_heading": "救助服务",
    "your_answer": "在这里输入:",
    "type_here": "请在这里打字",
    "send": "发送",
    "search_label": "或者打名字里的一两个字查找:",
    "search": "查找",
    "photo_label": "附一张照片(可以不附):",
    "photo_send": "上传照片",
    "photo_too_big": "照片太大了,请选一张不超过{limit}MB的照片。",
    "photo_not_image": "这个文件不是照片。请选一张照片(jpg、png)。",
    "photo_missing": "没有收到照片,请重新选择。",
    "too_long": "内容太长了,请简短一些。",
    "page_expired": "这一页已经过期了,请回答下面的问题:",
    "lookup_link": "用案件号查询进度",
    "news_label": "新消息",
    "lookup_title": "查询进度",
    "lookup_intro": "请输入案件号和申请时留的电话的后四位。",
    "lookup_number": "案件号:",
    "lookup_phone4": "电话后四位:",
    "lookup_submit": "查询",
    "lookup_none": "没有查到。请核对案件号和电话后四位;也可以打电话询问乡镇。",
    "lookup_bad_input": "请输入案件号和电话的后四位数字。",
    "lookup_limited": "查询次数太多了,请过一个小时再试,或直接打电话询问乡镇。",
    "back_to_chat": "回到申请页面",
    "start_over": "回到开始",
    # The scheduler's survey questions as the page's inbox shows them (the web layer does not import
    # scheduler/templates.py; same wording, but only the buttons answer on the page).
    "inbox.survey_ask": "您好!关于{name}正在接受的服务,您满意吗?请点下面的按钮回答。",
    "inbox.survey_remind": "您好,前两天请您评价{name}接受的服务,还没有收到您的回答。请点按钮回答:",
    "inbox.survey_task": (
        "【回访任务】{name}的满意度回访一周没有回答,请上门询问,再按对方的回答点下面的按钮录入。"
    ),
    "inbox.visit_digest": (
        "【走访提醒】{period_label}(到{end})请走访以下{count}户,走访后点按钮登记:\n{list}"
    ),
    "inbox.visit_nudge": "【走访提醒】离{period_label}结束还有3天,还有{count}户没有走访:\n{list}",
    "inbox.visit_missed": "【走访未完成】{period_label}有{count}户没有走访,请督促村里补上:\n{list}",
    "inbox.visit_missed_again": "【连续未走访】以下{count}户连续两个半月没有走访,请督办:\n{list}",
    "inbox.more": "……另有{more}户,请在网页上查看",
    "inbox.case_overdue": "【超期督办】案件{number}的“{step}”已超期(原定{due}),请督促办理。",
    "inbox.emergency_again": "【紧急·再次提醒】紧急求助{number}超过2小时无人响应,请马上处理!",
    "inbox.emergency_up": "【紧急·上报】乡镇2小时内未响应紧急求助{number},请县级督办。",
    "inbox.unreachable_task": ("【联系不上】系统给{name}的消息发不出去,请上门或打电话告知:{about}"),
    "bind_intro": "这是工作人员给您的绑定链接。绑定后,案件进展会显示在这个页面上;"
    "村、乡镇工作人员还可以在这里上报困难户。请点下面的按钮:",
    "bind_confirm": "确认绑定",
    "bind_bad_link": "这个绑定链接不完整。请向工作人员重新索取。",
    "bind_skip": "不绑定,直接办事",
}
