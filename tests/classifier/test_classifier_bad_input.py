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


def _best_seconds(text: str, repeat: int = 5) -> float:
    """Best of `repeat` timings: the least disturbed by other work on a shared machine."""
    classifier = get_classifier()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        classifier.classify(text)
        best = min(best, time.perf_counter() - started)
    return best


def _growth(unit: str, small: int, factor: int = 10) -> float:
    """How much longer `factor` times the text takes: about `factor` when linear, about
    `factor`² when quadratic. Absolute speed belongs to `benchmarks/classifier_bench.py`."""
    return _best_seconds(unit * (small * factor)) / _best_seconds(unit * small)


def test_ten_thousand_characters_are_handled_in_linear_time() -> None:
    unit = "老汉今年八十，儿女都在外头，灶上的活做不动了，盼着村里能每天送一顿饭来。"
    long = unit * 300
    assert len(long) >= 10_000, len(long)
    assert "living.meal" in classify(long).labels
    ratio = _growth(unit, 30)
    assert ratio < 30, ratio  # 10x the text: about 10x the time; quadratic would be ~100x


def test_ten_thousand_characters_without_punctuation() -> None:
    unit = "送饭洗澡打扫"
    result = classify(unit * 1700)
    assert {"living.meal", "living.bath", "living.cleaning"} <= set(result.labels)
    ratio = _growth(unit, 170)
    assert ratio < 30, ratio  # one unpunctuated run: still linear
