"""Metrics on a tiny hand-made gold set, checked by hand."""

from __future__ import annotations

import pytest

from backend.classifier.evaluate import Example, Prediction, error_cost, evaluate, score


def _ex(labels: set[str], emergency: bool = False, i: int = 0) -> Example:
    return Example(f"g{i}", f"text {i}", frozenset(labels), emergency)


def _pred(labels: set[str], emergency: bool = False) -> Prediction:
    return Prediction(frozenset(labels), emergency)


GOLD = [
    _ex({"living.meal"}, i=1),
    _ex({"living.meal", "living.bath"}, True, i=2),
    _ex(set(), i=3),
    _ex({"care.visit"}, True, i=4),
]
PREDICTED = [
    _pred({"living.meal"}),  # exact
    _pred({"living.meal"}, True),  # misses bath
    _pred({"care.visit"}, True),  # extra visit, false alarm
    _pred(set()),  # misses visit and the emergency
]


def test_micro_macro_exact_and_emergency() -> None:
    report = score(GOLD, PREDICTED)
    assert report.n == 4
    # tp=2 (meal twice), fp=1 (visit), fn=2 (bath, visit): P=2/3, R=1/2, F1=4/7
    assert report.micro_f1 == pytest.approx(4 / 7, abs=1e-4)
    # meal F1=1, bath F1=0, visit F1=0 → macro 1/3
    assert report.macro_f1 == pytest.approx(1 / 3, abs=1e-4)
    assert report.exact_match == pytest.approx(0.25)
    assert report.emergency_recall == pytest.approx(0.5)
    assert report.emergency_precision == pytest.approx(0.5)
    assert report.per_label["living.meal"].support == 2
    assert report.per_label["living.bath"].recall == 0.0


def test_worst_errors_put_a_missed_emergency_first() -> None:
    report = score(GOLD, PREDICTED)
    assert [e["id"] for e in report.worst] == ["g4", "g3", "g2"]
    assert report.worst[0]["cost"] == 6
    assert error_cost(GOLD[0], PREDICTED[0]) == 0


def test_empty_denominators_count_as_perfect() -> None:
    report = score([_ex(set())], [_pred(set())])
    assert report.micro_f1 == 1.0
    assert report.emergency_recall == 1.0
    assert report.emergency_precision == 1.0
    assert report.macro_f1 == 1.0


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="length"):
        score(GOLD, PREDICTED[:2])


def test_evaluate_times_the_run_and_reports_json_keys() -> None:
    report = evaluate(lambda text: _pred(set()), GOLD)
    data = report.to_dict()
    assert data["msgs_per_s"] > 0
    for key in (
        "n",
        "micro_f1",
        "macro_f1",
        "exact_match",
        "emergency_recall",
        "emergency_precision",
        "per_label",
        "worst_errors",
        "msgs_per_s",
    ):
        assert key in data
