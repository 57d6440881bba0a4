"""The default time limits, as data. A county changes any of them with `service.set_rule`.

Sources. The documents in /work/shared/policy/ name the steps and the emergency limits but give no
working-day counts for the ordinary steps; those numbers are the ones issue 10 asks for, and each
county should check them against its province's 审核确认办法 before going live:

- 000 楚雄州服务类社会救助试点工作实施方案 (2024): the steps 受理登记 → 入户调查 → 审核认定 →
  提供服务, done by the township (乡镇人民政府).
- 002 共和县"救急难"试点方案 (2014): 首问负责, 转办 "明确…办理时限" — an emergency is answered at
  once; 2 hours is the issue's figure for "at once".
- 004 a county plan for people in extreme poverty (2023): "严格落实急难对象24小时先行救助制度",
  help first within 24 hours, the paperwork (补办) afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.workcal.models import DeadlineUnit

WORKDAYS = DeadlineUnit.workdays
HOURS = DeadlineUnit.hours


@dataclass(frozen=True)
class Rule:
    step: str
    amount: int
    unit: DeadlineUnit
    label: str
    source: str  # where the default comes from (shown by `jiuzhu calendar rules`)


DEFAULT_RULES: dict[str, Rule] = {
    rule.step: rule
    for rule in (
        # 000: 受理登记 by the township; 1 working day is issue 10's figure.
        Rule("register", 1, WORKDAYS, "受理登记", "000 受理登记; 时限: issue 10"),
        # 000: 入户调查 (入户评估); not fixed anywhere, 10 leaves room inside the 25 below.
        Rule("investigate", 10, WORKDAYS, "入户调查", "000 入户评估; 时限: 本系统默认"),
        # 000: 审核认定; 25 working days from 受理, 40 in special cases (issue 10).
        Rule("review", 25, WORKDAYS, "审核确认", "000 审核认定; 时限: issue 10"),
        Rule("review_special", 40, WORKDAYS, "审核确认(特殊情况延长)", "issue 10"),
        # 001: 审核确认权限下放至街道(乡镇); where a county still approves, 5 days is our default.
        Rule("approve", 5, WORKDAYS, "审批", "001 审核确认权限下放; 时限: 本系统默认"),
        # Written notice of refusal with the reasons, 3 working days (issue 10; not in 000–004).
        Rule("refusal_notice", 3, WORKDAYS, "不予救助书面告知", "issue 10"),
        # 002: 首问负责, an emergency report is acknowledged by a person within 2 hours.
        Rule("emergency_ack", 2, HOURS, "急难求助响应", "002 首问负责; 时限: issue 10"),
        # 004: 急难对象24小时先行救助.
        Rule("emergency_relief", 24, HOURS, "先行救助", "004 24小时先行救助"),
        # 004: 经公示无异议; 5 working days of 公示 (issue 10).
        Rule("publicity", 5, WORKDAYS, "公示", "004 经公示无异议; 时限: issue 10"),
        # 004: help first, then the ordinary procedure (再依据规定程序进行审核审批).
        Rule("backfill", 10, WORKDAYS, "先行救助后补办手续", "004 先行救助后补办; 时限: issue 10"),
    )
}

STEPS = tuple(DEFAULT_RULES)
