"""Evaluation on a labelled corpus in the shared JSONL format.

The metric functions are pure: they take gold and predicted (labels, emergency) pairs and
return numbers, so tests can check them on a hand-made set. Conventions:

- labels are the item and referral ids; `micro_f1` pools every (message, label) decision;
  `macro_f1` averages the per-label F1 over the labels that occur in gold or in predictions;
- a ratio with an empty denominator (no gold emergencies, no predicted ones) counts as 1.0;
- `exact_match` is the share of messages whose label set is exactly right;
- the worst errors are ordered by cost: a missed emergency 5, a false alarm 2, each missed or
  extra label 1.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    text: str
    labels: frozenset[str]
    emergency: bool


@dataclass(frozen=True, slots=True)
class Prediction:
    labels: frozenset[str]
    emergency: bool
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PRF:
    precision: float
    recall: float
    f1: float
    support: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "support": self.support,
        }


@dataclass(slots=True)
class Report:
    n: int
    micro_f1: float
    macro_f1: float
    exact_match: float
    emergency_recall: float
    emergency_precision: float
    per_label: dict[str, PRF]
    worst: list[dict[str, Any]] = field(default_factory=list)
    msgs_per_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "exact_match": self.exact_match,
            "emergency_recall": self.emergency_recall,
            "emergency_precision": self.emergency_precision,
            "msgs_per_s": self.msgs_per_s,
            "per_label": {label: prf.to_dict() for label, prf in self.per_label.items()},
            "worst_errors": self.worst,
        }


def load_corpus(path: Path) -> list[Example]:
    """Read a JSONL corpus; a malformed line raises ValueError naming the line."""
    examples: list[Example] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                examples.append(
                    Example(
                        str(row.get("id", number)),
                        str(row["text"]),
                        frozenset(row.get("items", [])),
                        bool(row.get("emergency")),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a corpus line ({exc})") from exc
    return examples


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def _prf(tp: int, fp: int, fn: int) -> PRF:
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(round(p, 4), round(r, 4), round(f1, 4), tp + fn)


def error_cost(gold: Example, pred: Prediction) -> int:
    cost = len(gold.labels ^ pred.labels)
    if gold.emergency and not pred.emergency:
        cost += 5
    elif pred.emergency and not gold.emergency:
        cost += 2
    return cost


def score(gold: Sequence[Example], predicted: Sequence[Prediction], *, worst: int = 20) -> Report:
    """All the metrics for aligned gold and predicted sequences."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    counts: dict[str, list[int]] = {}
    e_tp = e_fp = e_fn = exact = 0
    for g, p in zip(gold, predicted, strict=True):
        exact += g.labels == p.labels
        for label in g.labels | p.labels:
            c = counts.setdefault(label, [0, 0, 0])
            c[0 if label in g.labels and label in p.labels else 1 if label in p.labels else 2] += 1
        e_tp += g.emergency and p.emergency
        e_fp += p.emergency and not g.emergency
        e_fn += g.emergency and not p.emergency
    per_label = {label: _prf(*counts[label]) for label in sorted(counts)}
    micro = _prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    macro = sum(prf.f1 for prf in per_label.values()) / len(per_label) if per_label else 1.0
    ranked = sorted(range(len(gold)), key=lambda i: -error_cost(gold[i], predicted[i]))
    errors = [
        {
            "id": gold[i].id,
            "text": gold[i].text,
            "cost": error_cost(gold[i], predicted[i]),
            "gold": sorted(gold[i].labels),
            "predicted": sorted(predicted[i].labels),
            "gold_emergency": gold[i].emergency,
            "predicted_emergency": predicted[i].emergency,
            "words": list(predicted[i].words),
        }
        for i in ranked[:worst]
        if error_cost(gold[i], predicted[i]) > 0
    ]
    return Report(
        n=len(gold),
        micro_f1=micro.f1,
        macro_f1=round(macro, 4),
        exact_match=round(_ratio(exact, len(gold)), 4),
        emergency_recall=round(_ratio(e_tp, e_tp + e_fn), 4),
        emergency_precision=round(_ratio(e_tp, e_tp + e_fp), 4),
        per_label=per_label,
        worst=errors,
    )


def evaluate(classify: Callable[[str], Prediction], examples: Sequence[Example]) -> Report:
    """Run `classify` over the examples, score them, and time the classification pass."""
    started = time.perf_counter()
    predicted = [classify(example.text) for example in examples]
    elapsed = time.perf_counter() - started
    report = score(examples, predicted)
    report.msgs_per_s = round(len(examples) / elapsed, 1) if elapsed > 0 else 0.0
    return report
