"""Negation, past needs and words in another sense are scoped to their own clause."""

from __future__ import annotations

import pytest

from backend.classifier.service import classify


def test_can_cook_but_cannot_bathe_is_bathing_only() -> None:
    result = classify("饭我自己能做, 就是洗澡洗不了")
    assert result.labels == ["living.bath"]
    assert "洗澡" in result.words("living.bath")


def test_not_money_just_company_is_not_a_money_referral() -> None:
    result = classify("不要钱, 就想有人陪")
    assert not any(label.startswith("referral.") for label in result.labels)
    assert {"support.counseling", "care.visit"} & set(result.labels)


def test_not_money_just_someone_to_talk_to() -> None:
    result = classify("俺不是要补助，就是想有人隔几天来看看俺，说说话")
    assert "referral.basic_living" not in result.labels
    assert set(result.labels) == {"care.visit", "support.counseling"}


def test_a_keyword_in_another_sense_does_not_fire() -> None:
    result = classify("已经买了代步车")
    assert "living.transport" not in result.labels
    assert not result.recognised


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("不用送饭，帮我打扫一下卫生就行", "living.meal", "living.cleaning"),
        ("我不需要人照顾，就是想有人陪我去医院复查", "care.attendance", "care.medical_escort"),
        ("没必要派车，我想学学用智能手机", "living.transport", "support.capacity"),
        ("轮椅用不着，麻烦帮我买点米和油", "living.mobility", "living.shopping"),
        ("我自己能走，不用人扶，就是想有人帮我理个发", "living.mobility", "living.cleaning"),
    ],
)
def test_negation_stays_in_its_clause(text: str, absent: str, present: str) -> None:
    result = classify(text)
    assert absent not in result.labels
    assert present in result.labels


def test_a_past_need_alone_is_not_a_request() -> None:
    assert classify("以前要人送饭，现在女儿回来了，不用了").labels == []


def test_a_past_need_does_not_hide_a_present_one() -> None:
    result = classify("以前帮我打扫过卫生，现在想找人帮忙洗澡")
    assert result.labels == ["living.bath"]


def test_thanks_for_past_help_asks_for_nothing() -> None:
    assert not classify("感谢上回来帮俺打扫的小伙子，家里亮堂多了").recognised


def test_a_progress_question_asks_for_nothing_new() -> None:
    assert classify("前几天登记的那个助餐的事，现在有进展了吗").labels == []


def test_long_unpunctuated_message_scopes_negation_by_distance() -> None:
    text = "我今年七十多了身体还行饭也能自己做就是眼睛不好看不清想请人每个星期来帮我打扫一下卫生"
    result = classify(text)
    assert "living.cleaning" in result.labels
    assert "living.meal" not in result.labels
