"""Every text of the clerk entry (代录) and its receipt (受理回执) a clerk or an applicant reads:
field names, choices, the problems a form can have, and the receipt's next steps."""

from __future__ import annotations

CHANNEL_CHOICES = {
    "window": "来访(窗口)",
    "phone": "来电",
    "hotline": "12345/12349 热线工单",
    "village_report": "村级上报",
    "online": "线上(其他)",
}
HOTLINES = ("12345", "12349")

# How the beneficiary's agreement to this application was obtained (stored on the case as
# `consent_method`; the chat uses "chat_confirmed" and "emergency_report").
CONSENT_METHODS = {
    "signed_form": "已当场签署一证一书(授权书)",
    "verbal_window": "本人(或监护人)在窗口当面口头同意",
    "verbal_phone": "本人(或监护人)在电话中口头同意",
    "worker_confirmed": "村(社区)工作人员已当面征得同意",
    "emergency_report": "紧急求助,先受理、后补同意",
}
CONSENT_NAMES = {**CONSENT_METHODS, "chat_confirmed": "申请人在聊天中确认已征得同意"}

FIELD_NAMES = {
    "channel": "申请渠道",
    "hotline": "热线",
    "work_order_no": "工单编号",
    "work_order_due": "工单办结时限",
    "person_id": "申请对象",
    "name": "姓名",
    "id_number": "身份证号",
    "region_id": "所在村(社区)",
    "phone": "联系电话",
    "applicant": "申请人",
    "applicant_name": "代办人姓名",
    "relation": "与申请对象关系",
    "consent": "同意方式",
    "text": "申请事项",
    "items": "服务项目",
    "q": "查找",
    "nonce": "表单",
}

CHANNEL_MISSING = "请选择申请渠道"
HOTLINE_MISSING = "请选择是 12345 还是 12349 工单"
WORK_ORDER_NO_MISSING = "请填写热线工单编号"
WORK_ORDER_NO_BAD = "工单编号只能是字母、数字和“-”,3到40位"
WORK_ORDER_DUE_MISSING = "请填写工单上的办结时限"
WORK_ORDER_DUE_PAST = "工单办结时限不能早于今天"
WORK_ORDER_DUE_FAR = "工单办结时限不能晚于一年以后,请核对"
PERSON_UNKNOWN = "找不到这个人,请重新查找或登记新对象"
REGION_MISSING = "请选择申请对象所在的村(社区)"
REGION_UNKNOWN = "所选村(社区)不存在,请重新选择"
PHONE_NEEDED = "来电和热线工单请留联系电话,便于回访"
DELEGATE_NAME_MISSING = "请填写代办人姓名"
RELATION_MISSING = "请填写代办人与申请对象的关系(如 儿子、邻居)"
RELATION_LONG = "关系最多20个字"
DELEGATE_PHONE_MISSING = "请留代办人的联系电话"
CONSENT_MISSING = "请选择如何征得申请对象(或监护人)同意"
CONSENT_EMERGENCY_ONLY = "“先受理、后补同意”只用于紧急求助"
TEXT_MISSING = "请记录申请人说的困难和需求"
ITEMS_MISSING = "请至少勾选一个服务项目(可先按“识别”)"
NONCE_BAD = "表单已失效,请刷新页面后重新填写"
SEARCH_SHORT = "请输入姓名(至少1个字)或18位身份证号"
NOT_A_CLERK = "只有乡镇经办人员或县级民政可以代录申请"

CHECK_SUGGESTION = "系统已根据申请事项识别出服务项目并预先勾选,请核对后再按“提交”"
CHECK_OK = "检查通过,可以提交"
FORM_HAS_ERRORS = "有{count}处需要修改({fields}),见标红的栏目"
FILED = "已登记,案件编号 {number}"
LINKED = "该对象已有办理中的同类申请(案件 {number}),本次申请已记入该案件,未重复立案"
REPEATED = "这份表已经提交过(案件 {number}),没有重复登记"

# The receipt (受理回执).
RECEIPT_TITLE = "服务类社会救助申请受理回执"
RECEIPT_LINKED_NOTE = "您本次反映的需求已记入正在办理的案件,不另立新案。"
NEXT_REGISTER = "乡镇(街道)民政办审查申请、办理受理登记"
NEXT_EMERGENCY = "紧急求助:工作人员将尽快与您联系"
NEXT_WORK_ORDER = "按热线工单要求答复"
NEXT_INVESTIGATE = "受理后,工作人员入户调查,核实困难情况"
NEXT_DECIDE = "审核确认后告知结果;不符合条件的,书面告知理由"
NEXT_CONSENT = "入户调查前,请家庭成员签署一证一书(核对授权书),已签署的除外"
RECEIPT_PHONE_MISSING = "请向所在村(社区)或乡镇(街道)民政办咨询"
RECEIPT_SELF = "本人"
RECEIPT_KEEP = "请妥善保管本回执,查询办理进度时请提供案件编号。"
