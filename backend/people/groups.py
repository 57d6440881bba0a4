"""The target-group vocabulary: codes, the Chinese names a clerk reads, and the synonyms rosters
use. Data, not logic: a county adds a spelling by adding a string here.

Codes are stable (stored in `person_target_groups.group`); names may be reworded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.core.errors import InvalidInput
from backend.people.models import SelfCare


@dataclass(frozen=True, slots=True)
class GroupSpec:
    code: str
    name: str
    synonyms: tuple[str, ...]
    # Accepted sub-types (集中/分散 for 特困; the disability categories for 残疾), name → synonyms.
    sub_types: tuple[tuple[str, tuple[str, ...]], ...] = ()


TEKUN = "tekun"
DIBAO = "dibao"
DISABLED = "disabled"

GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(
        TEKUN,
        "特困",
        ("特困人员", "特困供养", "特困供养人员", "特困对象", "五保", "五保户", "五保对象"),
        (("集中", ("集中供养", "集中", "机构供养")), ("分散", ("分散供养", "分散", "居家供养"))),
    ),
    GroupSpec(
        DIBAO,
        "低保",
        ("低保对象", "低保户", "最低生活保障", "城市低保", "农村低保", "城乡低保", "城镇低保"),
    ),
    GroupSpec("dibao_edge", "低保边缘", ("低保边缘家庭", "低保边缘户", "低边", "低边户")),
    GroupSpec(
        "expense_hardship",
        "支出型困难",
        ("支出型困难家庭", "支出型贫困", "支出型困难户", "刚性支出困难家庭"),
    ),
    GroupSpec(
        "poverty_watch",
        "防返贫监测",
        (
            "防返贫监测对象",
            "防止返贫监测对象",
            "监测对象",
            "脱贫不稳定户",
            "边缘易致贫户",
            "突发严重困难户",
        ),
    ),
    GroupSpec("left_behind_elderly", "留守老人", ("农村留守老人",)),
    GroupSpec("children_in_difficulty", "困境儿童", ("困境未成年人",)),
    GroupSpec("left_behind_children", "留守儿童", ("农村留守儿童",)),
    GroupSpec(
        DISABLED,
        "残疾",
        ("残疾人", "持证残疾人", "残疾人员", "残疾对象"),
        (
            ("视力", ("视力残疾", "视力", "视残")),
            ("听力", ("听力残疾", "听力", "听残")),
            ("言语", ("言语残疾", "言语")),
            ("肢体", ("肢体残疾", "肢体", "肢残")),
            ("智力", ("智力残疾", "智力", "智残")),
            ("精神", ("精神残疾", "精神", "精残")),
            ("多重", ("多重残疾", "多重")),
        ),
    ),
)

BY_CODE = {spec.code: spec for spec in GROUPS}
GROUP_NAMES = {spec.code: spec.name for spec in GROUPS}
# Groups whose members need no economic-check consent: they are already on the roll.
CONSENT_EXEMPT = frozenset({DIBAO, TEKUN})

_SPACE = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACE.sub("", text).strip()


_LOOKUP: dict[str, str] = {}
for _spec in GROUPS:
    for _word in (_spec.code, _spec.name, *_spec.synonyms):
        _LOOKUP[_key(_word)] = _spec.code
# 特困 with its care mode written into the group cell: "特困(分散)", "分散供养特困人员".
for _word in ("集中供养", "分散供养"):
    _LOOKUP[_word + "特困人员"] = TEKUN


def find_group(text: str) -> str | None:
    """The group code a roster cell or an option names, or None."""
    key = _key(text)
    if key in _LOOKUP:
        return _LOOKUP[key]
    bare = re.sub(r"[(（].*?[)）]", "", key)
    return _LOOKUP.get(bare)


def parse_group(text: str) -> str:
    code = find_group(text)
    if code is None:
        known = "、".join(spec.name for spec in GROUPS)
        raise InvalidInput(f"不认识的救助类别“{text}”,可用: {known}", code="group_unknown")
    return code


def parse_sub_type(code: str, text: str) -> str:
    """集中/分散 for 特困, a category for 残疾; raise InvalidInput naming the accepted words."""
    spec = BY_CODE[code]
    key = _key(text)
    for name, synonyms in spec.sub_types:
        if key == name or key in synonyms:
            return name
    accepted = "、".join(name for name, _ in spec.sub_types)
    raise InvalidInput(f"{spec.name}的类型“{text}”不认识,应为: {accepted}", code="sub_type")


def sub_type_in(code: str, text: str) -> str | None:
    """A sub-type written inside a group cell, e.g. "特困(分散供养)" → 分散."""
    for name, synonyms in BY_CODE[code].sub_types:
        if any(word in text for word in (*synonyms, name)):
            return name
    return None


_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_disability_grade(text: str) -> int:
    """一级…四级 (also 1–4, "1级", "三级残疾")."""
    key = _key(text).removesuffix("残疾").removesuffix("级").removesuffix(".0")
    if key in _GRADES:
        return _GRADES[key]
    raise InvalidInput(f"残疾等级“{text}”不认识,应为一级到四级", code="disability_grade")


GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

_SELF_CARE: dict[str, SelfCare] = {}
for _care, _words in (
    (SelfCare.able, ("具备", "能自理", "自理", "全自理", "完全自理", "具备自理能力", "生活能自理")),
    (SelfCare.partial, ("部分丧失", "半自理", "部分自理", "部分丧失自理能力", "半失能")),
    (
        SelfCare.none,
        ("完全丧失", "不能自理", "完全不能自理", "全失能", "失能", "完全丧失自理能力"),
    ),
):
    for _word in _words:
        _SELF_CARE[_word] = _care


def parse_self_care(text: str) -> SelfCare:
    care = _SELF_CARE.get(_key(text))
    if care is None:
        raise InvalidInput(
            f"自理能力“{text}”不认识,应为: 具备、部分丧失、完全丧失", code="self_care"
        )
    return care


HEAD_RELATIONS = frozenset({"户主", "本人", "户主本人"})


def clean_relation(text: str) -> str:
    """与户主关系 as written, trimmed; 本人 counts as 户主."""
    value = _key(text)
    return "户主" if value in HEAD_RELATIONS else value[:20]
