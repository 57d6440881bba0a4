"""Emergencies: never missed when someone is in danger now, not raised for worries or the past."""

from __future__ import annotations

import pytest

from backend.classifier.service import classify


@pytest.mark.parametrize(
    "text",
    [
        "我妈在厨房摔倒了起不来，家里就她一个人",
        "快来人 房子着火了",
        "我爸突然晕倒了叫不醒",
        "老头子说活着没意思，想喝农药",
        "他喝醉了又打我，我带着孩子跑出来了",
        "发大水了 屋里进水了 老人出不来",
        "家里三天没吃东西了",
        "我妈有老年痴呆，走丢了，到现在都找不到",
        "独居的大爷好几天没出门了，敲门也不应",
        "孙子才三岁，一个人锁在家里",
    ],
)
def test_danger_now_is_an_emergency(text: str) -> None:
    result = classify(text)
    assert result.emergency, text
    assert result.emergency_reason
    assert result.emergency_words


@pytest.mark.parametrize(
    "text",
    [
        "浴室地滑，怕摔，想找人帮忙洗澡",
        "去年摔过一跤，现在想有人扶着练练走路",
        "万一哪天有个事也没人知道，想每天有人打个电话问问",
        "我有抑郁症，不是想寻短见那种，就是想找个人说说",
        "前几天起夜摔了一下，没大事，就是想有人扶我上下楼",
        "奶奶有点糊涂，以前走丢过一回，想弄个防走失的手环",
    ],
)
def test_worries_and_past_events_are_not_emergencies(text: str) -> None:
    assert not classify(text).emergency, text


def test_the_reason_is_readable_and_names_the_signs() -> None:
    result = classify("我在外地，我爸在家摔倒了爬不起来，旁边没人")
    assert result.emergency
    assert "摔倒" in result.emergency_reason
    assert "无人" in result.emergency_reason
    assert "爬不起来" in result.emergency_words
    assert "care.visit" in result.labels


def test_a_collapse_asks_for_an_escort_to_hospital() -> None:
    result = classify("邻居老太太晕倒在院子里了，人迷迷糊糊的，家里没别人")
    assert result.emergency
    assert "care.medical_escort" in result.labels


def test_an_emergency_is_recognised_even_without_a_service_word() -> None:
    result = classify("救命")
    assert result.recognised or not result.emergency
