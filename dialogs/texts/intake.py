"""Texts of the application (intake) flow and the emergency path: one place for all of them."""

TEXTS: dict[str, str] = {
    "ask_need": "请用自己的话说说,需要什么帮助?(可以附一张照片)",
    "ask_need_delegate": "请说说您的家人或邻居需要什么帮助?(可以附一张照片)",
    "photo_kept": "照片收到了。请再打几个字,说说需要什么帮助。",
    "text_long": "内容太长了,请分几条发,或简短一些(不超过{limit}个字)。",
    "understood": "我理解您需要:{items}。对吗?",
    "not_understood": "没太看明白需要哪种帮助,请从下面选一类:",
    "yes_right": "对,就是这些",
    "pick_other": "不对,我自己选",
    "pick_category": "请选一类(已选:{items}):",
    "pick_item": "请点需要的项目(再点一次取消):",
    "item": "{mark}{label}",
    "done_picking": "选好了",
    "need_one_item": "请至少选一项。",
    "ask_relation": "您是对方的什么人?请点选,或直接打字:",
    "ask_ben_name": "请输入需要帮助的人的姓名:",
    "ask_ben_phone": "请输入对方的手机号(没有的话点“跳过”):",
    "ask_consent": "代别人申请,需要本人(或监护人)同意。您已经征得对方同意了吗?",
    "consent_yes": "已征得同意",
    "consent_no": "还没有",
    "consent_needed": "请先征得对方同意再申请。问好了请点“已征得同意”。",
    "ask_name": "请输入您的姓名:",
    "ask_county": "在哪个县(市、区)?",
    "ask_township": "在哪个乡镇?",
    "ask_village": "在哪个村(社区)?不清楚可以点“不清楚”。",
    "village_unknown": "不清楚",
    "location_kept": "位置收到了。为了转给对应的乡镇,还请点选一下:",
    "location_village": "位置收到了,您在{place}附近。如果不对,可以点“返回”重新选。",
    "no_regions": "系统里还没有地区数据,请直接打电话求助:{hotlines}",
    "ask_phone": "请留一个联系电话,直接输入号码:",
    "share_phone": "发送我的手机号",
    "ask_id": "如方便,请输入身份证号(可以跳过)。只用于核对身份,不会在聊天里显示全号。",
    "id_noted": "身份证号已记下:{masked}",
    "summary": (
        "请核对:\n需要:{items}\n对象:{who}\n地址:{place}\n电话:{phone}\n身份证:{id_masked}\n"
        "没问题请点“提交”。"
    ),
    "who_self": "本人 {name}",
    "who_delegate": "{name}(您是对方的{relation},已征得同意)",
    "none": "未填",
    "submit": "提交",
    "submitted": (
        "已提交!案件号:{number}\n由{township}办理。下一步:{next_step},"
        "{due}给您答复。可以随时点“查询进度”查看。"
    ),
    "linked": "{number} 这件事之前已经在办理了,这次说的情况已经补充进去,不会重复登记。",
    "already_submitted": "这份申请已经提交过了,案件号:{number},不会重复提交。",
    "next_register": "乡镇工作人员受理登记",
    "next_emergency": "乡镇马上联系您",
    "emergency": (
        "看起来情况紧急!有生命危险请马上打电话:\n急救 120 · 报警 110 · 火警 119{county}\n"
        "也可以点“立即上报”,我们马上通知乡镇。"
    ),
    "emergency_county": "\n本县:{numbers}",
    "report_now": "立即上报",
    "continue": "继续填写",
    "emergency_where": "为了马上通知到乡镇,请点一下在哪个乡镇:",
    "emergency_filed": (
        "已紧急上报!案件号:{number},已通知{township}马上处理。如有生命危险,请先打 120 或 110。"
    ),
}
TEXTS["share_location"] = "发送我的位置"
TEXTS["or_button"] = "也可以点下面的按钮:"
