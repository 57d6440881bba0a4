"""The learned n-gram complement (`ngram.py`, `ngram_model.json`): shape, combination rules."""

from __future__ import annotations

import json
from pathlib import Path

from backend.classifier.ngram import EMERGENCY, EVIDENCE, MODEL_PATH, NgramModel, grams, load_model
from backend.classifier.service import get_classifier

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "corpus" / "dev.jsonl"
# Written for this test, in no training file: a collapse told with no lexicon danger word.
UNSEEN_EMERGENCY = "奶奶在屋头躺起 身上冰冷 喊不答应"


def test_model_file_loads_with_short_ngrams_only() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    model = load_model()
    assert model is not None
    assert 0 < len(data["ngrams"]) <= 8000
    assert all(1 <= len(g) <= 3 for g in data["ngrams"])
    assert EMERGENCY in model.targets
    header = data["header"]
    assert "blind_b" in header["never_used"]
    assert all("blind_b" not in f["file"] for f in header["training_files"])
    assert "blind_a" in header["validation_file"]["file"]


def test_model_rejects_long_spans() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["ngrams"] = {"一二三四": {EMERGENCY: 1.0}}
    try:
        NgramModel(data)
    except ValueError:
        return
    raise AssertionError("a 4-character n-gram was accepted")


def _forced(emergency: float = 0.6, add: float = 0.5, alone: float = 0.5) -> NgramModel:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["thresholds"] = {"add": add, "alone": alone, "emergency": emergency}
    return NgramModel(data)


def test_unseen_emergency_is_flagged_by_the_model_with_evidence() -> None:
    keywords = get_classifier(use_model=False)
    assert not keywords.classify(UNSEEN_EMERGENCY).emergency  # no lexicon word catches it
    model = _forced()
    clf = get_classifier(use_model=False)
    clf.model = model
    try:
        result = clf.classify(UNSEEN_EMERGENCY)
    finally:
        clf.model = None
    assert result.emergency
    assert result.emergency_reason.startswith("模型判断: 含‘")
    assert result.emergency_words and all(w.startswith(EVIDENCE) for w in result.emergency_words)


def test_model_never_removes_a_keyword_label_and_is_deterministic() -> None:
    keywords = get_classifier(use_model=False)
    texts = [
        "饭我自己能做，就是洗澡洗不了",
        "想申请低保 房子也漏雨",
        "我妈一个人住 想有人隔几天来看看",
        "谢谢你们",
        UNSEEN_EMERGENCY,
    ]
    model = _forced(emergency=0.2, add=0.05, alone=0.05)  # adds as much as it can
    names = dict.fromkeys(keywords.labels, "x")
    for text in texts:
        base = keywords.classify(text)
        combined = model.combine(base, keywords.normalize(text), names)
        again = model.combine(base, keywords.normalize(text), names)
        assert set(base.labels) <= set(combined.labels)
        assert combined == again
        if base.emergency:
            assert combined.emergency
        for label in set(combined.labels) - set(base.labels):
            assert all(w.startswith(EVIDENCE) for w in combined.words(label))


def test_model_does_not_resurrect_a_negated_label() -> None:
    keywords = get_classifier(use_model=False)
    text = "饭我自己能做"
    base = keywords.classify(text)
    model = _forced(add=0.0001, alone=0.0001)
    names = dict.fromkeys(keywords.labels, "x")
    assert "living.meal" in model.combine(base, keywords.normalize(text), names).labels
    blocked = model.combine(base, keywords.normalize(text), names, negated={"living.meal"})
    assert "living.meal" not in blocked.labels


def test_silenced_danger_is_not_raised_by_the_model() -> None:
    keywords = get_classifier(use_model=False)
    model = _forced(emergency=0.0001)
    base = keywords.classify("去年摔倒过 现在好了")
    norm = keywords.normalize(base.text)
    assert not model.combine(base, norm, {}, silenced=True).emergency
    assert model.combine(base, norm, {}, silenced=False).emergency


def test_grams_stop_at_punctuation() -> None:
    assert grams("ab,c") == {"a", "b", "ab", "c"}


def test_default_follows_the_enabled_setting() -> None:
    model = load_model()
    assert model is not None
    assert (get_classifier().model is not None) == model.enabled
    assert get_classifier(use_model=True).model is model
