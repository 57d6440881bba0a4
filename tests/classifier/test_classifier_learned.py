"""The learned layer (`learned.py`, `learned_model.json`): present, loaded right, and needed.

The novel phrasings below were written for this test (in no corpus, no training file). Of 69
phrasings written in four batches, the full classifier got 47 exactly right and the lexicon
alone 42; kept here are the ones only the learned layer gets right, so that removing the layer,
loading the wrong file or scrambling its weights makes this test fail.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from backend.classifier import learned
from backend.classifier.learned import (
    EMERGENCY,
    EVIDENCE,
    MODEL_PATH,
    LearnedModel,
    feature_parts,
    features,
    grams,
    load_model,
)
from backend.classifier.service import get_classifier

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent

# (text, gold labels or None when only the flag is judged, emergency)
NOVEL: list[tuple[str, set[str] | None, bool]] = [
    ("奶奶这两天水米不进，叫也只哼哼", None, True),
    ("娃娃把一瓶子消毒水喝下去了", None, True),
    ("我婆婆在田坎上栽了一跟头，腿弯成了怪样子，动不得", None, True),
    ("老汉脾气越来越怪，天天一个人坐门口发呆，也不跟人搭腔", {"support.counseling"}, False),
    ("娃上高中的钱凑不齐，开学就要交", {"referral.education"}, False),
    ("老爹耳朵背，一个人去不了医院，挂号排队都弄不明白", {"care.medical_escort"}, False),
    ("想找个人隔天帮老人擦擦身子，他自己够不着后背", {"living.bath"}, False),
]


def _right(classify_labels: list[str], flag: bool, labels: set[str] | None, gold: bool) -> bool:
    return (labels is None or set(classify_labels) == labels) and flag == gold


def _score(clf_use_model: bool) -> int:
    clf = get_classifier(use_model=clf_use_model)
    results = [clf.classify(text) for text, _, _ in NOVEL]
    return sum(
        _right(r.labels, r.emergency, labels, gold)
        for r, (_, labels, gold) in zip(results, NOVEL, strict=True)
    )


def test_the_default_classifier_uses_the_learned_layer() -> None:
    model = load_model()
    assert model is not None and model.enabled
    assert get_classifier().model is model


def test_novel_phrasings_need_the_learned_layer() -> None:
    assert _score(clf_use_model=False) <= 2  # the lexicon alone misses them
    assert _score(clf_use_model=True) >= len(NOVEL) - 1


def test_a_model_raised_flag_explains_itself_with_words_of_the_message() -> None:
    text = NOVEL[0][0]
    result = get_classifier().classify(text)
    assert result.emergency
    assert result.emergency_reason.startswith("模型判断: 含‘")
    assert 0.2 <= result.emergency_score <= 1.0  # the model's probability
    assert result.emergency_words
    for word in result.emergency_words:
        assert word.startswith(EVIDENCE) and word.removeprefix(EVIDENCE) in text


def test_scrambled_weights_lose_what_the_layer_knows() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    keys = sorted(data["weights"])
    values = [data["weights"][k] for k in keys]
    data["weights"] = dict(zip(keys, values[1:] + values[:1], strict=True))  # off by one key
    clf = get_classifier(use_model=False)
    scrambled = LearnedModel(data)
    right = 0
    for text, labels, gold in NOVEL:
        r = scrambled.combine(clf.read(text), {k: v.name for k, v in clf.labels.items()})
        right += _right(r.labels, r.emergency, labels, gold)
    assert right < _score(clf_use_model=True)


def test_model_file_has_only_short_keys_and_names_its_data() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    for key in data["weights"]:
        if key.startswith((":!", ":^")):
            assert 1 <= len(key) - 2 <= 3, key
        elif not key.startswith(":"):
            assert 1 <= len(key) <= 3, key
    header = data["header"]
    files = [f["file"] for f in header["training_files"]]
    assert not any(b in f for f in files for b in ("blind_b", "blind_c", "blind_d"))
    assert {
        "tests/classifier/blind_b.jsonl",
        "tests/classifier/blind_c.jsonl",
        "tests/classifier/blind_d.jsonl",
    } <= set(header["never_used"])
    assert EMERGENCY in data["targets"]


@pytest.mark.parametrize("key", ["一二三四", ":!一二三四", ":x", ":k:living.meal extra"])
def test_loader_refuses_long_spans_and_unknown_keys(key: str) -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["weights"] = {key: {EMERGENCY: 1.0}}
    with pytest.raises(ValueError):
        LearnedModel(data)


def test_packed_sum_equals_the_plain_sum() -> None:
    clf = get_classifier()
    model = clf.model
    assert model is not None
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    weights, bias = data["weights"], data["bias"]
    for text in ["不用送饭 就想洗个澡", "我妈摔倒了爬不起来", "你好", NOVEL[1][0]]:
        reading = clf.read(text)
        fast = model.logits(*feature_parts(reading, model.threshold, model.min_n))
        x = features(reading, model.threshold, model.min_n)
        for i, target in enumerate(model.targets):
            plain = bias[target] + sum(
                weights[k].get(target, 0.0) * v for k, v in x.items() if k in weights
            )
            assert fast[i] == pytest.approx(plain, abs=1e-9)


def test_huge_messages_take_the_plain_sum_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clf = get_classifier()
    model = clf.model
    assert model is not None
    reading = clf.read("我妈八十了一个人住，昨天摔了一跤，想请人送饭")
    parts = feature_parts(reading, model.threshold, model.min_n)
    packed = model.logits(*parts)
    monkeypatch.setattr(learned, "MAX_PACKED", 0)
    assert model.logits(*parts) == pytest.approx(packed, abs=1e-9)


def test_negation_and_past_scope_mark_the_ngrams() -> None:
    marked = grams("不用送饭就想洗澡", ((0, 4, "negation"), (4, 6, "past")))
    assert ":!送饭" in marked and "送饭" not in marked
    assert ":^就想" in marked and "洗澡" in marked
    clf = get_classifier()
    assert "living.meal" not in clf.classify("饭我自己能做，就是洗澡洗不了").labels
    assert "living.meal" not in clf.classify("不用送饭，就想有人帮我洗个澡").labels


def test_a_county_word_is_never_overruled(tmp_path: Path) -> None:
    extra = tmp_path / "county.yaml"
    extra.write_text(
        "labels:\n  living.meal:\n    regional: [打平伙]\n"
        "emergency:\n  groups:\n    disaster: {words: {走蛟: 1.0}}\n",
        encoding="utf-8",
    )
    clf = get_classifier([extra])
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["bias"] = dict.fromkeys(data["bias"], -50.0)  # a model that disagrees with everything
    data["keep"] = data["emergency_keep"] = 0.99
    data["emergency_strong"] = {}  # only the county pin keeps a flag here
    disagreeing = LearnedModel(data)
    names = {k: v.name for k, v in clf.labels.items()}
    meal = disagreeing.combine(clf.read("想打平伙"), names)
    assert meal.labels == ["living.meal"]
    assert disagreeing.combine(clf.read("后山走蛟了"), names).emergency
    # the same model does overrule a default word: the pin is for the county's own words
    assert "living.meal" not in disagreeing.combine(clf.read("想请人送饭"), names).labels


def test_a_strong_danger_group_keeps_the_flag_a_weak_one_does_not() -> None:
    clf = get_classifier(use_model=False)
    names = {k: v.name for k, v in clf.labels.items()}
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert {"self_harm", "disaster", "unresponsive"} <= set(data["emergency_strong"])
    data["bias"] = dict.fromkeys(data["bias"], -50.0)  # a model that vetoes every keyword flag
    vetoing = LearnedModel(data)
    strong = ["我不想活了", "家里着火了", "隔壁老人三天没见人影，敲门也不应"]
    for text in strong:
        reading = clf.read(text)
        assert reading.result.emergency, text
        assert vetoing.combine(reading, names).emergency, text
    # a weak keyword flag (no strong group) is dropped by the same model
    weak = "老人家里没吃的了，想让人帮着买点菜"
    reading = clf.read(weak)
    assert reading.result.emergency and not vetoing.strong(reading.groups)
    assert not vetoing.combine(reading, names).emergency
    # without the strong groups the model vetoes them too: the rule is what keeps them
    data["emergency_strong"] = {}
    assert not LearnedModel(data).combine(clf.read(strong[0]), names).emergency


def _trainer() -> object:
    pytest.importorskip("numpy")
    spec = importlib.util.spec_from_file_location(
        "train_classifier", REPO / "scripts" / "train_classifier.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_classifier"] = module
    spec.loader.exec_module(module)
    return module


def test_training_is_deterministic_and_needs_no_particular_file() -> None:
    train = _trainer()
    files = train.training_files({"dev.jsonl"})  # type: ignore[attr-defined]
    assert files and all(
        f.name not in {"dev.jsonl", "blind_b.jsonl", "blind_c.jsonl", "blind_d.jsonl"}
        for f in files
    )
    pool = train.Pool([HERE / "tune_probe4.jsonl"])  # type: ignore[attr-defined]
    first = train.fit(pool.x, pool.y, 1e-3)  # type: ignore[attr-defined]
    second = train.fit(pool.x, pool.y, 1e-3)  # type: ignore[attr-defined]
    assert (first[0] == second[0]).all()
    assert first[1].keys() == second[1].keys()
    assert all((first[1][k] == second[1][k]).all() for k in first[1])
