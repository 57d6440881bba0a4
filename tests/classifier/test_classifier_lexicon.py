"""The keyword file: a county's extra file extends it; mistakes name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.classifier.classifier import Classifier
from backend.classifier.lexicon import LexiconError, load_lexicon
from backend.classifier.service import get_classifier, labels, labels_by_category


def _write(tmp_path: Path, text: str, name: str = "county.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_county_word_changes_the_result(tmp_path: Path) -> None:
    # a made-up local word with no hint of food: neither the lexicon nor the learned layer
    # knows it, so only the county's file can make it fire (through the keyword features)
    assert "living.meal" not in get_classifier().classify("打平伙").labels
    extra = _write(tmp_path, "labels:\n  living.meal:\n    regional: [打平伙]\n")
    result = get_classifier([extra]).classify("打平伙")
    assert result.labels == ["living.meal"]
    assert result.words("living.meal") == ("打平伙",)


def test_a_county_emergency_word_and_typo(tmp_path: Path) -> None:
    extra = _write(
        tmp_path,
        "typos: {送反: 送饭}\nemergency:\n  groups:\n    disaster: {words: {走蛟: 1.0}}\n",
    )
    classifier = get_classifier([extra])
    assert classifier.classify("后山走蛟了").emergency
    assert not get_classifier().classify("后山走蛟了").emergency
    assert classifier.classify("想要送反").labels == ["living.meal"]


def test_a_county_can_add_an_emergency_group(tmp_path: Path) -> None:
    extra = _write(
        tmp_path,
        "emergency:\n  groups:\n    cold:\n      reason: 寒潮受冻\n"
        "      implies: [support.resource_link]\n      words: {水缸结冰: 1.0}\n",
    )
    result = Classifier(load_lexicon([extra])).classify("老人屋里水缸结冰")
    assert result.emergency
    assert result.emergency_reason == "寒潮受冻"
    assert "support.resource_link" in result.labels


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("labels:\n  living.lunch:\n    keywords: [午饭]\n", "labels.living.lunch"),
        ("labels:\n  living.meal:\n    keywords: [送饭, [x]]\n", "labels.living.meal.keywords[1]"),
        ("labels:\n  living.meal:\n    name: 吃饭\n", "labels.living.meal.name"),
        ("labels:\n  living.meal:\n    keyword: [午饭]\n", "labels.living.meal.keyword"),
        ("threshold: 0.5\n", "threshold"),
        ("typos: {送反: 送饭饭}\n", "typos.送反"),
        ("emergency:\n  groups:\n    new: {words: {山洪: 1}}\n", "emergency.groups.new.reason"),
        ("emergency:\n  groups:\n    fall: {words: {摔: -1}}\n", "emergency.groups.fall.words.摔"),
        (
            "emergency:\n  groups:\n    fall: {patterns: {'(': 1}}\n",
            "emergency.groups.fall.patterns",
        ),
        ("scope:\n  negative: [不用]\n", "scope.negative"),
    ],
)
def test_mistakes_name_the_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    extra = _write(tmp_path, body)
    with pytest.raises(LexiconError) as caught:
        load_lexicon([extra])
    assert "county.yaml" in str(caught.value)
    assert key in str(caught.value)


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"missing\.yaml"):
        load_lexicon([tmp_path / "missing.yaml"])
    with pytest.raises(LexiconError, match=r"bad\.yaml: not valid YAML"):
        load_lexicon([_write(tmp_path, "labels: [", name="bad.yaml")])
    assert load_lexicon([_write(tmp_path, "", name="empty.yaml")]).labels


def test_labels_for_buttons() -> None:
    infos = labels()
    assert len(infos) == 21
    meal = next(info for info in infos if info.id == "living.meal")
    assert meal.name == "助餐"
    assert meal.category == "living"
    assert meal.category_name == "生活服务类"
    grouped = labels_by_category()
    assert list(grouped) == ["care", "living", "support", "referral"]
    assert len(grouped["care"]) == 5
    assert len(grouped["referral"]) == 6


def test_segmentation_matches_jieba_on_the_same_dictionary() -> None:
    classifier = get_classifier()
    text = "饭我自己能做就是洗澡洗不了已经买了代步车不用送饭想找人陪我去医院复查"
    tokenizer = classifier._tokenizer
    expected = [w for w in tokenizer.cut(text, HMM=False) if classifier._freq.get(w)]
    assert [word for _, word in classifier.tokens(text)] == expected
