"""Odd input gives a result (maybe "nothing recognised"), never an exception, in linear time."""

from __future__ import annotations

import json
import time

import pytest

from backend.classifier.service import classify, get_classifier


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "😀😀🙏",
        "？？？！！！",
        "，。、；",
        "\x00\x01\x1b[31m",
        "abc def",
        "\u200b\ufeff",
        "送饭" + "\x00" * 50,
        "Hello 送饭 мир ١٢٣",
        "𠀀𠀁𪚥",
        "\n\n\t",
    ],
)
def test_bad_input_never_raises(text: str) -> None:
    result = classify(text)
    json.dumps(result.to_dict(), ensure_ascii=False)
    assert result.text == text


def test_empty_and_emoji_only_are_not_recognised() -> None:
    for text in ("", "😀😀", "？？？"):
        result = classify(text)
        assert not result.recognised
        assert result.labels == []
        assert not result.emergency


def test_mixed_scripts_still_match() -> None:
    assert classify("Hi, 我想 order 送饭 please").labels == ["living.meal"]


def _seconds(text: str, repeat: int = 3) -> float:
    classifier = get_classifier()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        classifier.classify(text)
        best = min(best, time.perf_counter() - started)
    return best


def test_ten_thousand_characters_are_handled_in_linear_time() -> None:
    unit = "老汉今年八十，儿女都在外头，灶上的活做不动了，盼着村里能每天送一顿饭来。"
    short = unit * 30
    long = unit * 300
    assert len(long) >= 10_000, len(long)
    result = classify(long)
    assert "living.meal" in result.labels
    ratio = _seconds(long) / _seconds(short)
    assert ratio < 20, ratio  # 10x the text: about 10x the time, never quadratic
    assert _seconds(long) < 0.5


def test_ten_thousand_characters_without_punctuation() -> None:
    text = "送饭洗澡打扫" * 1700
    started = time.perf_counter()
    result = classify(text)
    assert time.perf_counter() - started < 1.0
    assert {"living.meal", "living.bath", "living.cleaning"} <= set(result.labels)
