"""A probe of emergency phrasings written for this test (1 = emergency, 0 = worry or past).

It was written after the first held-out check showed that unseen emergency wording was missed;
it keeps the vocabulary of danger broad (drowning, scalds, stove fumes, knives, landslides …).
"""

from __future__ import annotations

from pathlib import Path

from backend.classifier.service import get_classifier

PROBE = Path(__file__).with_name("emergency_probe.tsv")


def test_emergency_probe_recall_and_precision() -> None:
    classifier = get_classifier()
    rows = [line.split("\t", 1) for line in PROBE.read_text("utf-8").splitlines() if line.strip()]
    flagged = {text: classifier.classify(text).emergency for _, text in rows}
    missed = [text for flag, text in rows if flag == "1" and not flagged[text]]
    false = [text for flag, text in rows if flag == "0" and flagged[text]]
    positives = sum(flag == "1" for flag, _ in rows)
    assert (positives - len(missed)) / positives >= 0.97, missed
    assert len(false) <= 2, false
