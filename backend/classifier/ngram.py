"""A small learned complement to the keyword engine: a linear model over character n-grams.

`ngram_model.json` (written by `scripts/train_ngram.py`) holds one-vs-rest logistic regression
weights for every taxonomy label and for `emergency`, over character 1–3-grams of the
classifier's normalised text (never longer spans, never sentences). Scoring is a set of
n-grams intersected with the model's keys and a sparse sum per label: no numpy.

How it is combined with the keyword result (`NgramModel.combine`):

- labels: keyword labels ∪ model labels whose probability reaches `thresholds.add`; when the
  keyword engine found no label at all, model labels reaching `thresholds.alone` (lower);
- the model never removes a keyword label, and never adds a label whose keyword the keyword
  engine saw and explicitly suppressed by a negation cue in that clause (`negated`);
- emergency = keyword flag OR model probability ≥ `thresholds.emergency`; when the keyword
  engine saw danger words and silenced every one of them (hedge, emergency negation, past time,
  resolved) and `respect_silenced` is set, the model may not raise the flag;
- every label the model adds carries its top contributing n-grams as words prefixed `模型:`,
  and a flag raised by the model alone gets the reason "模型判断: 含‘…’‘…’等".
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.classifier.schemas import Classification, LabelScore

MODEL_PATH = Path(__file__).with_name("ngram_model.json")
MAX_N = 3
EMERGENCY = "emergency"
EVIDENCE = "模型:"
_CHUNK = re.compile(r"[^\s,.!?;:~…。、！？；：\"'“”‘’()\[\]{}<>《》【】「」\-—_/|]+")


def grams(norm: str) -> set[str]:
    """The distinct character 1–3-grams of a normalised text, never across punctuation."""
    out: set[str] = set()
    for chunk in _CHUNK.findall(norm):
        n = len(chunk)
        out.update(chunk)
        out.update(chunk[i : i + 2] for i in range(n - 1))
        out.update(chunk[i : i + 3] for i in range(n - 2))
    return out


def _logit(p: float) -> float:
    """The logit a probability threshold stands for; 1.0 (or more) means never."""
    if p >= 1.0:
        return math.inf
    p = max(p, 1e-9)
    return math.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class Scored:
    """The model's view of one message: logits per target and the n-grams that were present."""

    logits: tuple[float, ...]
    hits: frozenset[str]


class NgramModel:
    """Loaded once from the JSON file; `score` and `combine` are pure."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.header: dict[str, Any] = dict(data.get("header", {}))
        self.enabled: bool = bool(data.get("enabled", False))
        self.targets: tuple[str, ...] = tuple(data["targets"])
        index = {t: i for i, t in enumerate(self.targets)}
        self._bias = [float(data["bias"][t]) for t in self.targets]
        self._weights: dict[str, tuple[tuple[int, float], ...]] = {}
        for gram, weights in data["ngrams"].items():
            if not 1 <= len(gram) <= MAX_N:
                raise ValueError(f"n-gram longer than {MAX_N} characters: {gram!r}")
            self._weights[gram] = tuple((index[t], float(w)) for t, w in weights.items())
        thresholds = data["thresholds"]
        self.thresholds: dict[str, float] = {k: float(v) for k, v in thresholds.items()}
        self._add = _logit(self.thresholds["add"])
        self._alone = _logit(self.thresholds["alone"])
        self._emergency = _logit(self.thresholds["emergency"])
        # Score only the targets that can fire: with label thresholds at 1.0 (never) only the
        # emergency weights are summed, which keeps the per-message cost small.
        labels_live = min(self._add, self._alone) < math.inf
        live = {i for i, t in enumerate(self.targets) if t == EMERGENCY or labels_live}
        self._weights = {
            g: kept
            for g, ws in self._weights.items()
            if (kept := tuple((i, w) for i, w in ws if i in live))
        }
        self._keys = frozenset(self._weights)
        self.respect_silenced: bool = bool(data.get("respect_silenced", True))
        self._emergency_index = index[EMERGENCY]

    def score(self, norm: str) -> Scored:
        z = list(self._bias)
        hits = frozenset(grams(norm) & self._keys)
        weights = self._weights
        for gram in hits:
            for i, w in weights[gram]:
                z[i] += w
        return Scored(tuple(z), hits)

    def probabilities(self, norm: str) -> dict[str, float]:
        scored = self.score(norm)
        return {t: 1 / (1 + math.exp(-z)) for t, z in zip(self.targets, scored.logits, strict=True)}

    def evidence(self, scored: Scored, target: str, top: int = 3) -> list[str]:
        """The present n-grams that pushed `target` up most (a shorter one inside a chosen
        longer one is skipped, so the clerk sees `倒在` rather than `倒在` and `倒`)."""
        i = self.targets.index(target)
        ranked = sorted(
            ((w, g) for g in scored.hits for j, w in self._weights[g] if j == i and w > 0),
            key=lambda item: (-item[0], item[1]),
        )
        chosen: list[str] = []
        for _, gram in ranked:
            if any(gram in c or c in gram for c in chosen):
                continue
            chosen.append(gram)
            if len(chosen) == top:
                break
        return chosen

    def combine(
        self,
        result: Classification,
        norm: str,
        names: dict[str, str],
        negated: Iterable[str] = (),
        silenced: bool = False,
    ) -> Classification:
        """The keyword `result` completed by the model (never reduced)."""
        scored = self.score(norm)
        z = scored.logits
        cut = self._add if result.scores else self._alone
        blocked = set(negated)
        scores = dict(result.scores)
        for i, target in enumerate(self.targets):
            if target == EMERGENCY or target in scores or target in blocked or target not in names:
                continue
            if z[i] >= cut:
                words = tuple(EVIDENCE + g for g in self.evidence(scored, target))
                p = round(1 / (1 + math.exp(-z[i])), 2)
                scores[target] = LabelScore(target, names[target], p, words)
        emergency, reason, e_words = (
            result.emergency,
            result.emergency_reason,
            result.emergency_words,
        )
        if (
            not emergency
            and z[self._emergency_index] >= self._emergency
            and not (silenced and self.respect_silenced)
        ):
            found = self.evidence(scored, EMERGENCY)
            emergency = True
            reason = "模型判断: 含" + "".join(f"‘{g}’" for g in found) + "等"
            e_words = tuple(EVIDENCE + g for g in found)
        if scores == result.scores and emergency == result.emergency:
            return result
        return Classification(
            text=result.text,
            scores=scores,
            emergency=emergency,
            emergency_score=result.emergency_score,
            emergency_reason=reason,
            emergency_words=e_words,
        )


@functools.lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> NgramModel | None:
    """The model in `path`, or None when the file is absent (the keyword engine runs alone)."""
    if not path.exists():
        return None
    return NgramModel(json.loads(path.read_text(encoding="utf-8")))
