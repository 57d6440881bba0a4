"""Targets on the self-written evaluation sets and the scope rules added for unseen wording.

The sets were written by hand in many voices (dialect, village reports, voice-to-text fillers,
traditional characters, run-on messages) before the lexicon was tuned on them. The
`tune_probe*` files were each written after the previous round of tuning and first read
untouched; `final_untouched.jsonl` was written before any tuning and read once at the end
(docs/classifier.md has the figures at first reading). The floors below keep what was reached.
Since the learned layer (`learned.py`) these sets are also its training data, so the floors are
regression checks; the estimates on unseen text are the CV and blind-set rows of the docs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.classifier.classifier import Classifier
from backend.classifier.evaluate import Prediction, evaluate, load_corpus
from backend.classifier.lexicon import LexiconError, load_lexicon
from backend.classifier.service import classify, get_classifier

HERE = Path(__file__).parent
# file: (micro F1, macro F1, emergency recall, emergency precision) floors
FLOORS = {
    "tune_styles.jsonl": (0.85, 0.85, 1.0, 0.95),
    "tune_emergency.jsonl": (0.80, 0.78, 0.97, 0.95),
    "tune_probe2.jsonl": (0.85, 0.75, 0.97, 0.95),
    "tune_probe3.jsonl": (0.80, 0.75, 0.97, 0.95),
    "tune_probe4.jsonl": (0.72, 0.58, 0.97, 0.95),
    "tune_probe5.jsonl": (0.72, 0.52, 0.97, 0.95),
    # read once at the end: micro 0.856, macro 0.861, recall 1.00, precision 0.976
    "final_untouched.jsonl": (0.84, 0.84, 0.97, 0.95),
    # written by an independent author who never saw the lexicon; tuned on (first reading:
    # micro 0.743, macro 0.729, recall 0.79, precision 0.88)
    "blind_a.jsonl": (0.89, 0.89, 1.0, 0.90),
}


def _predict(text: str) -> Prediction:
    result = get_classifier().classify(text)
    return Prediction(frozenset(result.labels), result.emergency)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_selfmade_set_floors(name: str) -> None:
    micro, macro, recall, precision = FLOORS[name]
    report = evaluate(_predict, load_corpus(HERE / name))
    assert report.micro_f1 >= micro
    assert report.macro_f1 >= macro
    assert report.emergency_recall >= recall
    assert report.emergency_precision >= precision


def test_sets_are_large_and_varied_enough() -> None:
    rows = [
        json.loads(line)
        for name in FLOORS
        for line in (HERE / name).read_text("utf-8").splitlines()
        if line.strip()
    ]
    assert len(rows) >= 250
    assert sum(r["emergency"] for r in rows) >= 80
    assert len({r["text"] for r in rows}) == len(rows)
    final = [
        json.loads(x) for x in (HERE / "final_untouched.jsonl").read_text("utf-8").split("\n") if x
    ]
    assert len(final) >= 100 and sum(r["emergency"] for r in final) >= 30


@pytest.mark.parametrize(
    "text",
    [
        "邻居家昨晚起火了，火已经扑灭了，想问问能申请什么补助",
        "孩子下午走丢了一会儿，后来在街口找到了",
        "我爸上周晕倒了一次，现在好多了，想请医生定期来看看",
        "羊圈里的羊病死了三只，想问问有没有补助",
        # time words in everyday requests (the learned layer must not read them as danger)
        "我刚才去村委会问了低保的事，说要等几天",
        "突然想起来，我的残疾证该年审了",
        "这会儿有空，想问问助餐怎么报名",
        "孩子刚刚考完试，学费还差一些",
    ],
)
def test_resolved_or_time_alone_is_not_an_emergency(text: str) -> None:
    assert not classify(text).emergency, text


@pytest.mark.parametrize("text", ["刚才", "突然 现在 一直 到现在 刚刚"])
def test_time_words_alone_do_not_raise_the_keyword_flag(text: str) -> None:
    # a design rule of the lexicon (acute time is capped below the threshold); a bare list of
    # time words is no real message, and the learned layer may weigh it differently
    assert not get_classifier(use_model=False).classify(text).emergency, text


@pytest.mark.parametrize(
    "text",
    [
        # a resolution only ends what was told before it; a later danger still counts
        "上午找到了钥匙，可是刚才我妈在院子里摔倒了起不来，屋里没人",
        # self-harm is lasting: a past rescue does not end it
        "他前天喝过一次酒，今天说不想活了",
        # acute time lifts a weak danger word over the line
        "我爸刚才突然喘得厉害",
        "娃拉肚子拉了一天一夜，眼睛都凹下去了",
        "老人家连续三日未开门，敲门无回应",
        "把自己锁在屋里，说对不起我们",
    ],
)
def test_current_danger_survives_scope_rules(text: str) -> None:
    assert classify(text).emergency, text


def test_acute_group_is_capped_below_the_threshold() -> None:
    classifier = get_classifier(use_model=False)
    acute = classifier.lexicon.groups["acute"]
    assert acute.cap < classifier.lexicon.emergency_threshold
    assert not classifier.classify("刚才 刚刚 突然 忽然 这会儿 到现在 一天一夜").emergency


def test_cap_must_be_a_number(tmp_path: Path) -> None:
    extra = tmp_path / "county.yaml"
    extra.write_text("emergency:\n  groups:\n    acute: {cap: many}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"emergency\.groups\.acute\.cap"):
        load_lexicon([extra])


def test_county_resolved_cue_is_merged(tmp_path: Path) -> None:
    extra = tmp_path / "county.yaml"
    extra.write_text("emergency:\n  resolved: [已经安顿好]\n", encoding="utf-8")
    classifier = Classifier(load_lexicon([extra]))
    text = "昨晚屋里进水了，一家人已经安顿好"
    assert get_classifier().classify(text).emergency
    assert not classifier.classify(text).emergency


def test_pattern_prefilter_never_skips_a_match() -> None:
    """A pattern skipped for lack of its opening or required characters could not have matched."""
    classifier = get_classifier()
    texts = [
        json.loads(line)["text"]
        for path in sorted(HERE.glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    for text in texts:
        norm = classifier._normalize(text)
        chars = set(norm)
        for pattern, required, first, _ in classifier._patterns:
            skipped = not required <= chars or (first is not None and first.isdisjoint(chars))
            if skipped:
                assert pattern.search(norm) is None, (pattern.pattern, text)


def test_lexicon_holds_no_long_span_of_blind_a() -> None:
    """blind_a is tuned on by concept: no 12-character span of its texts is in the lexicon."""
    lexicon = (HERE.parent.parent / "backend" / "classifier" / "keywords.yaml").read_text("utf-8")
    for line in (HERE / "blind_a.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            text = json.loads(line)["text"]
            for i in range(len(text) - 11):
                assert text[i : i + 12] not in lexicon, text[i : i + 12]
