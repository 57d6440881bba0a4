"""The target-group vocabulary: names and synonyms as offices write them."""

from __future__ import annotations

import pytest

from backend.core.errors import InvalidInput
from backend.people import groups
from backend.people.models import SelfCare


@pytest.mark.parametrize(
    ("text", "code"),
    [("低保", "dibao"), ("农村低保", "dibao"), ("五保户", "tekun"), ("特困(分散)", "tekun"),
     ("分散供养特困人员", "tekun"), ("低边", "dibao_edge"), ("监测对象", "poverty_watch"),
     ("农村留守老人", "left_behind_elderly"), ("困境儿童", "children_in_difficulty"),
     ("留守儿童", "left_behind_children"), ("持证残疾人", "disabled"),
     ("支出型困难家庭", "expense_hardship")],
)  # fmt: skip
def test_group_synonyms(text: str, code: str) -> None:
    assert groups.parse_group(text) == code


def test_sub_types_grades_and_self_care() -> None:
    assert groups.sub_type_in("tekun", "特困(集中供养)") == "集中"
    assert groups.parse_sub_type("disabled", "智力残疾") == "智力"
    assert [groups.parse_disability_grade(t) for t in ("一级", "2", "三级残疾", "4级")] == [
        1, 2, 3, 4,
    ]  # fmt: skip
    assert groups.parse_self_care("半自理") == SelfCare.partial
    assert groups.parse_self_care("不能自理") == SelfCare.none
    assert groups.clean_relation(" 本人 ") == "户主"
    with pytest.raises(InvalidInput, match="应为一级到四级"):
        groups.parse_disability_grade("五级")
    with pytest.raises(InvalidInput, match="不认识的救助类别"):
        groups.parse_group("富裕户")
