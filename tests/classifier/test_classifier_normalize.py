"""Normalisation: traditional characters, full-width forms, emoji, fillers and input slips."""

from __future__ import annotations

from backend.classifier.normalize import normalize
from backend.classifier.service import classify


def test_traditional_characters_become_simplified() -> None:
    assert normalize("奶奶癱瘓了，想請人幫她洗頭") == "奶奶瘫痪了,想请人帮她洗头"


def test_full_width_becomes_half_width_and_lower_case() -> None:
    assert normalize("ＩＣＵ１２０，") == "icu120,"


def test_emoji_and_control_characters_are_dropped() -> None:
    assert "😢" not in normalize("天天哭😢\u200b\x07")
    assert normalize("a\x00b\tc") == "ab c"


def test_fillers_are_dropped_for_matching_only() -> None:
    assert normalize("那个就是说想送饭", fillers=["那个", "就是说"]) == "想送饭"
    text = "那个就是说能不能那个送饭"
    assert classify(text).text == text


def test_traditional_message_is_classified_like_simplified() -> None:
    traditional = classify("婆婆臥床兩年，請人來照顧一陣子")
    simplified = classify("婆婆卧床两年，请人来照顾一阵子")
    assert traditional.labels == simplified.labels == ["care.attendance"]


def test_full_width_and_emoji_do_not_change_the_result() -> None:
    assert classify("ｑｑ 送饭🍚🍚 ").labels == ["living.meal"]


def test_pinyin_slips_are_caught_and_shown() -> None:
    result = classify("老人想洗早，没人帮")
    assert result.labels == ["living.bath"]
    assert any("洗早" in word for word in result.words("living.bath"))
    assert "referral.basic_living" in classify("想申请个低宝").labels
