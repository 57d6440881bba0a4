"""Texts of answering a satisfaction survey by its buttons (read by residents and relatives)."""

TEXTS: dict[str, str] = {
    "survey_ask_comment": "您选的是“{word}”。还有什么意见或建议吗?请直接打字;没有就点“跳过”。",
    "survey_thanks": "谢谢您的评价!",
    "survey_entered": "已录入上门回访的结果,谢谢。",
    "survey_followup_entered": "评价偏低或有投诉,已在{township}的待办队列开了回访案件 {number}。",
    "survey_followup": "您的意见已经转给{township},会有工作人员联系您(案件号 {number})。",
    "survey_already": "这份问卷已经回答过了,谢谢您。",
    "survey_not_yours": "这个评价按钮不是发给您的,没有记录。",
    "survey_comment_long": "意见最多{limit}个字,请写短一点再发。",
    "survey_use_buttons": "请直接打字写意见,或点“跳过”。",
    "survey_failed": "没有记录成功:{reason}",
}
