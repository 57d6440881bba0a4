"""Texts of the menu, help, binding, cancelling and the answers to unusable input."""

TEXTS: dict[str, str] = {
    "menu": "您好!这里是救助服务。请点下面的按钮,选择您要办的事:",
    "menu.self": "申请帮助(为自己)",
    "menu.delegate": "帮家人或邻居申请",
    "menu.status": "查询进度",
    "menu.emergency": "紧急求助",
    "menu.help": "使用说明",
    "help": (
        "使用说明:\n"
        "1. 点“申请帮助”,用自己的话说需要什么帮助,可以附一张照片。\n"
        "2. 按提示选择地址、留下电话,最后确认提交。\n"
        "3. 提交后会告诉您案件号、哪个乡镇办理、什么时候前答复。\n"
        "4. 在菜单里点“查询进度”可以随时查看。\n"
        "填写中随时点“取消”可以取消,点“返回”回到上一步。"
    ),
    "back": "返回",
    "cancel": "取消",
    "skip": "跳过",
    "plain": "{label}",
    "cancelled": "已取消,填写的内容没有提交。需要时请再点“申请帮助”。",
    "resumed": "欢迎回来,您上次的申请还没填完,我们接着填:",
    "stale_choice": "这个按钮已经过期了,请用最新消息里的按钮。",
    "unknown_command": "没有这个命令。请点下面的按钮。",
    "only_text": "这种消息我看不了。请打字说明,或者直接打电话求助。",
    "voice_outside": "收到语音。语音我听不了,请打字说明;着急的话请直接打电话:{hotlines}",
    "voice_kept": "收到语音,已保存,会请工作人员听。为了办得更快,也请打几个字说明一下。",
    "edited": "修改过的消息我收不到,请重新发一条。",
    "group_chat": "为了保护个人信息,请私聊我办理,不要在群里发。",
    "too_fast": "您发得太快了,请稍等一下再发。",
    "busy": "系统有点忙,请再发一次。",
    "error": "出了点问题,您填写的内容都还在。请稍后再试,或直接打电话求助。",
    "bound_person": "绑定成功:{name}。以后案件有进展会在这里通知您。",
    "bound_staff": (
        "绑定成功:工作人员 {name}。本乡镇有紧急求助时,会在这个对话里提醒您,请常打开看看。"
    ),
    "bind_failed": "{reason}",
    "invalid": "{reason},请再输入一次。",
}
