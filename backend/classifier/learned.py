"""The learned layer of the intake classifier: a linear model over the keyword engine's reading.

`learned_model.json` (written by `scripts/train_classifier.py`) holds one-vs-rest logistic
regression weights for every taxonomy label and for `emergency`. Features of a message:

- character 1–3-grams of the normalised text, never across punctuation; a gram inside a
  negation scope (near `不用`, `自己能` …, same clause) is a different feature `:!gram`, inside a
  past scope (`以前`, `已经` …) `:^gram`, so "不用送饭" does not read as "送饭";
- the keyword engine's evidence as dense features: per label its lexicon score `:k:label`
  (after negation/past scope, at most 2), whether it reached the threshold `:K:label`, whether
  its words were all negated `:n:label`; per emergency group its score `:e:group`; the keyword
  emergency flag `:E`, danger words read but all silenced `:S`, no keyword label at all `:0`.
  A county's extra keyword raises `:k:`/`:K:` exactly like a default one, so it carries.

Keys are n-grams of at most 3 characters or these named features (the loader refuses anything
else: no sentences). Scoring is a sparse sum in pure Python (no numpy at run time).

Decision (`LearnedModel.combine`):

- a label is assigned when its probability reaches its own threshold; a label the keyword
  engine assigned is kept unless the model's probability is below `keep` (the model strongly
  disagrees) — never dropped when a county's own word fired it; a label whose words were
  negated is never added;
- emergency = (keyword flag and (p ≥ `emergency_keep` or a county word fired it or a strong
  group fired: `emergency_strong`, e.g. self-harm, fire/flood, unresponsive, collapse)) or
  p ≥ `emergency`, except that the model
  alone may not raise a danger the keyword engine read and silenced everywhere (hedge,
  negation, past, resolved) when `respect_silenced` is set;
- every label carries its keyword words and the n-grams that pushed it most, prefixed `模型:`;
  a flag raised by the model alone has the reason "模型判断: 含‘…’‘…’等".
"""

from __future__ import annotations

import functools
import json
import math
import re
import struct
from itertools import repeat
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.classifier.schemas import Classification, LabelScore

if TYPE_CHECKING:
    from backend.classifier.classifier import Reading

MODEL_PATH = Path(__file__).with_name("learned_model.json")
MAX_N = 3
EMERGENCY = "emergency"
EVIDENCE = "模型:"
SCORE_CAP = 2.0
# Weights are stored with 3 decimals; each key's vector is also packed into one integer with a
# 32-bit field per target holding weight * SCALE + OFFSET. Sums of such integers add field by
# field, so a message's binary keys are summed by one C-level `sum` and unpacked once with
# `struct` (then the offsets are subtracted). A field holds fewer than MAX_PACKED keys' worth
# without overflow (a longer message takes the plain path); weights must stay under MAX_WEIGHT.
SCALE = 1000
OFFSET = 1 << 15
MAX_WEIGHT = (OFFSET - 1) / SCALE
MAX_PACKED = 1 << 16
_CHUNK = re.compile(r"[^\s,.!?;:~…。、！？；：\"'“”‘’()\[\]{}<>《》【】「」\-—_/|]+")
_NAMED = re.compile(r":(?:[kKne]:[a-z_.]+|E|S|0)")
_DENSE = re.compile(r":[ke]:")  # the valued features (`feature_parts`)
_SCOPED = {"negation": ":!", "past": ":^"}


def grams(norm: str, scopes: tuple[tuple[int, int, str], ...] = (), min_n: int = 1) -> set[str]:
    """The distinct character `min_n`–3-grams of a normalised text, never across punctuation; a
    gram starting inside a negation (past) scope is marked `:!` (`:^`)."""
    out: set[str] = set()
    mark: dict[int, str] = {}
    for start, end, kind in scopes:
        prefix = _SCOPED[kind]
        for i in range(start, end):
            if mark.get(i) != ":!":  # negation wins over past
                mark[i] = prefix
    for found in _CHUNK.finditer(norm):
        chunk = found.group()
        n = len(chunk)
        if not mark:
            if min_n == 1:
                out.update(chunk)
            pairs = list(map(add, chunk, chunk[1:]))  # C-level: no slicing loop in Python
            out.update(pairs)
            out.update(map(add, pairs, chunk[2:]))
            continue
        base = found.start()
        for i in range(n):
            prefix = mark.get(base + i, "")
            out.update(prefix + chunk[i : i + k] for k in range(min_n, 4) if i + k <= n)
    return out


def features(reading: Reading, threshold: float, min_n: int = 1) -> dict[str, float]:
    """The model's sparse features of one reading (binary n-grams, named dense features)."""
    binary, valued = feature_parts(reading, threshold, min_n)
    return {**dict.fromkeys(binary, 1.0), **valued}


def feature_parts(
    reading: Reading, threshold: float, min_n: int = 1
) -> tuple[set[str], dict[str, float]]:
    """`features` as the binary keys (a set) and the keys with a value other than 1."""
    x: dict[str, float] = {}
    binary = grams(reading.norm, reading.scopes, min_n)
    for label, words in reading.found.items():
        total = sum(words.values())
        if total > 0:
            x[":k:" + label] = min(total, SCORE_CAP)
            if total >= threshold - 1e-9:
                binary.add(":K:" + label)
    binary.update(":n:" + label for label in reading.negated)
    for group, value in reading.groups.items():
        x[":e:" + group] = min(value, SCORE_CAP)
    if reading.result.emergency:
        binary.add(":E")
    if reading.silenced:
        binary.add(":S")
    if not reading.result.scores:
        binary.add(":0")
    return binary, x


def _logit(p: float) -> float:
    """The logit a probability threshold stands for; 1.0 (or more) means never, 0 always."""
    if p >= 1.0:
        return math.inf
    if p <= 0.0:
        return -math.inf
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def valid_key(key: str) -> bool:
    """An n-gram of at most `MAX_N` characters (maybe scope-marked) or a named feature."""
    if key.startswith((":!", ":^")):
        return 1 <= len(key) - 2 <= MAX_N and ":" not in key[2:]
    if key.startswith(":"):
        return _NAMED.fullmatch(key) is not None
    return 1 <= len(key) <= MAX_N


class LearnedModel:
    """Loaded once from the JSON file; `logits` and `combine` are pure."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.header: dict[str, Any] = dict(data.get("header", {}))
        self.enabled: bool = bool(data.get("enabled", False))
        self.targets: tuple[str, ...] = tuple(data["targets"])
        index = {t: i for i, t in enumerate(self.targets)}
        self._bias = [float(data["bias"][t]) for t in self.targets]
        self.threshold = float(data.get("keyword_threshold", 1.0))
        self.min_n = int(data.get("min_n", 1))
        # each key's non-zero weights by target index (for the explanation), and packed into
        # one integer (for the sum; see SCALE): a message's keys are then summed by one `sum`
        self._weights: dict[str, dict[int, float]] = {}
        self._packed: dict[str, int] = {}
        base = sum(OFFSET << (32 * i) for i in range(len(self.targets)))
        self._zero = base  # the packed form of a key with no weights
        for key, weights in data["weights"].items():
            if not valid_key(key):
                raise ValueError(f"not an n-gram of at most {MAX_N} characters: {key!r}")
            sparse = {index[t]: float(w) for t, w in weights.items()}
            if any(abs(w) > MAX_WEIGHT for w in sparse.values()):
                raise ValueError(f"weight of {key!r} beyond ±{MAX_WEIGHT}")
            self._weights[key] = sparse
            self._packed[key] = base + sum(round(w * SCALE) << (32 * i) for i, w in sparse.items())
        self._dense = {k: tuple(w.items()) for k, w in self._weights.items() if _DENSE.match(k)}
        # what an explanation may show, per target: n-grams (scope-marked or not) that push it up
        self._explain: list[dict[str, float]] = [{} for _ in self.targets]
        for key, weights in self._weights.items():
            if not key.startswith(":") or key.startswith((":!", ":^")):
                for i, w in weights.items():
                    if w > 0:
                        self._explain[i][key] = w
        self._layout = struct.Struct(f"<{len(self.targets)}I")
        self.thresholds: dict[str, float] = {k: float(v) for k, v in data["thresholds"].items()}
        self._cut = [_logit(self.thresholds.get(t, self.thresholds["label"])) for t in self.targets]
        self._keep = _logit(float(data.get("keep", 0.0)))
        self._low = min(self._keep, *self._cut)  # below it a label is never added
        self._emergency = _logit(self.thresholds[EMERGENCY])
        self._emergency_keep = _logit(float(data.get("emergency_keep", 0.0)))
        self.respect_silenced: bool = bool(data.get("respect_silenced", True))
        # groups whose own score keeps a keyword flag whatever the model says (self-harm, fire
        # and flood, someone unresponsive or collapsed): group → the score it needs
        self.emergency_strong: dict[str, float] = {
            g: float(v) for g, v in data.get("emergency_strong", {}).items()
        }
        self._e = index[EMERGENCY]

    def logits(self, binary: set[str], valued: dict[str, float]) -> list[float]:
        """Bias + the binary keys' weights + each valued key's weights times its value."""
        if len(binary) < MAX_PACKED:
            # a key the model does not know adds the offsets only (`_zero`): no intersection
            total = sum(map(self._packed.get, binary, repeat(self._zero)))
            raw = self._layout.unpack(total.to_bytes(self._layout.size, "little"))
            base = len(binary) * OFFSET
            z = [b + (r - base) / SCALE for b, r in zip(self._bias, raw, strict=True)]
        else:  # a huge message: the plain sum (a field could overflow)
            z = list(self._bias)
            for key in binary & self._weights.keys():
                for i, w in self._weights[key].items():
                    z[i] += w
        dense = self._dense
        for key, value in valued.items():
            for i, w in dense.get(key, ()):
                z[i] += w * value
        return z

    def probabilities(self, reading: Reading) -> dict[str, float]:
        z = self.logits(*feature_parts(reading, self.threshold, self.min_n))
        return {t: _sigmoid(v) for t, v in zip(self.targets, z, strict=True)}

    def strong(self, groups: dict[str, float]) -> bool:
        """A strong danger group fired (`emergency_strong`): the keyword flag is kept."""
        return any(groups.get(g, 0.0) >= at - 1e-9 for g, at in self.emergency_strong.items())

    def evidence(self, x: set[str], i: int, top: int = 3) -> list[str]:
        """The present n-grams that pushed target `i` up most, shown without scope marks (a
        shorter one inside a chosen longer one is skipped: `倒在`, not `倒在` and `倒`). The
        present ones are found by one C-level set intersection with the target's weights."""
        weights = self._explain[i]
        chosen: list[str] = []
        for key in sorted(weights.keys() & x, key=lambda k: (-weights[k], k)):
            gram = key[2:] if key.startswith(":") else key
            if any(gram in c or c in gram for c in chosen):
                continue
            chosen.append(gram)
            if len(chosen) == top:
                break
        return chosen

    def combine(self, reading: Reading, names: dict[str, str]) -> Classification:
        """The final result: the keyword reading decided by the model (see the module doc)."""
        result = reading.result
        x, valued = feature_parts(reading, self.threshold, self.min_n)
        z = self.logits(x, valued)
        scores: dict[str, LabelScore] = {}
        low, keyword = self._low, result.scores
        for i, target in enumerate(self.targets):
            if z[i] < low and target not in keyword:
                continue  # below every cut and not a keyword label: nothing to decide
            if target == EMERGENCY or target not in names:
                continue
            kept = keyword.get(target)
            if kept is not None and (z[i] >= self._keep or target in reading.pinned):
                scores[target] = kept
            elif z[i] >= self._cut[i] and target not in reading.negated:
                words = tuple(w for w, v in reading.found.get(target, {}).items() if v > 0)
                words += tuple(EVIDENCE + g for g in self.evidence(x, i))
                scores[target] = LabelScore(target, names[target], round(_sigmoid(z[i]), 2), words)
        ze = z[self._e]
        emergency, reason = result.emergency, result.emergency_reason
        e_words: tuple[str, ...] = ()
        e_score = result.emergency_score  # the keyword score; the probability if the model flags
        pinned = EMERGENCY in reading.pinned or self.strong(reading.groups)
        if emergency and ze < self._emergency_keep and ze < self._emergency and not pinned:
            emergency, reason = False, ""
        elif emergency:
            e_words = result.emergency_words
        elif ze >= self._emergency and not (reading.silenced and self.respect_silenced):
            found = self.evidence(x, self._e)
            emergency, e_score = True, round(_sigmoid(ze), 2)
            reason = "模型判断: 含" + "".join(f"‘{g}’" for g in found) + "等"
            e_words = tuple(EVIDENCE + g for g in found)
        if scores == result.scores and emergency == result.emergency:
            return result
        return Classification(
            text=result.text,
            scores=scores,
            emergency=emergency,
            emergency_score=e_score,
            emergency_reason=reason,
            emergency_words=e_words,
        )


@functools.lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> LearnedModel | None:
    """The model in `path`, or None when the file is absent (the keyword engine runs alone)."""
    if not path.exists():
        return None
    return LearnedModel(json.loads(path.read_text(encoding="utf-8")))
