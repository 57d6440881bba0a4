"""Texts of reporting a household in difficulty (上报困难户, read by village and township staff)."""

TEXTS: dict[str, str] = {
    "menu.report": "上报困难户",
    "report_not_staff": "只有村、乡镇工作人员绑定后才能上报困难户。请找乡镇要绑定码。",
    "report_ask_household": "上报哪一户?请点选(第{page}/{pages}页)。不在名单里的点“新的困难户”。",
    "report_ask_household_many": (
        "您负责的有{total}户。请打名字里的一两个字查找,或点选(第{page}/{pages}页)。"
        "不在名单里的点“新的困难户”。"
    ),
    "report_found": "找到{total}户(“{query}”,第{page}/{pages}页),请点选:",
    "report_none_found": "没有找到名字里有“{query}”的户。请换个字再打,或点“新的困难户”。",
    "report_no_households": "您负责的村里还没有登记的户。请点“新的困难户”。",
    "report_household": "{name}({village})",
    "report_household_phone": "{name}({village},{phone})",
    "report_prev": "上一页",
    "report_next": "下一页",
    "report_show_all": "显示全部",
    "report_new": "新的困难户",
    "report_ask_name": "请输入户主姓名:",
    "report_ask_village": "这户在哪个村?",
    "report_ask_village_same": "名单里已经有叫{name}的户。是同一户就点这户的名字;不是的话请点村名:",
    "report_no_villages": "您的账号没有负责的村,不能上报。请联系乡镇。",
    "report_ask_phone": "请输入这户的联系电话(没有就点“跳过”):",
    "report_ask_need": "{name}需要什么帮助?请用几句话说明(可以附一张照片)。",
    "report_ask_urgency": "情况急不急?",
    "report_urgent": "紧急",
    "report_normal": "一般",
    "report_urgent_noted": "文字里提到了紧急情况,会按紧急上报。",
    "report_ask_photo": "可以发一张照片。没有就点“跳过”。",
    "report_ask_location": "可以发送这户的位置(点下面的“发送我的位置”)。不方便就点“跳过”。",
    "report_photo_kept": "照片收到了。",
    "report_location_kept": "位置收到了。",
    "report_summary": (
        "请核对:\n户:{who}\n需要:{items}\n情况:{text}\n紧急程度:{urgency}\n"
        "照片:{photo}\n位置:{location}\n没问题请点“提交”。"
    ),
    "report_who_new": "{name}({village},新登记,电话:{phone})",
    "report_has": "有",
    "report_has_not": "无",
    "report_submitted": (
        "已上报!案件号:{number}\n由{township}办理。下一步:{next_step},期限:{due}。"
        "可以点“查询进度”查看。"
    ),
    "report_next_register": "乡镇受理登记",
    "report_emergency_filed": "已紧急上报!案件号:{number},已通知{township}马上处理。",
    "report_em_who_first": "请先选是哪一户,选好就马上上报。",
    "report_out_of_scope": "这一户不在您负责的村里,不能上报。",
    "report_failed": "没有上报成功:{reason}",
    "report_use_buttons": "请点上面的按钮继续,不想填了就点“取消”。",
}
