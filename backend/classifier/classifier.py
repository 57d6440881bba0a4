"""The keyword classifier: a pure function from a message to a `Classification`.

How a message is read:

1. normalised (`normalize.py`) and cut into clauses at punctuation, spaces and contrast words
   (`但是`, `就是` …), because negation and time only reach as far as their own clause;
2. segmented with jieba over a dictionary built from the lexicon alone (every keyword, cue,
   typo and other-sense word), so a word in another sense (`代步车`) is one token and does not
   fire its shorter keyword (`代步`). jieba's DAG and max-probability route run only on the
   windows that touch a dictionary word: the route splits where no word spans, so the result
   equals cutting the whole clause, at a fraction of the cost;
3. scored: each label sums the weights of the distinct words that name it. Near a negation cue
   (`不用`, `自己能`: same clause, within `REACH` characters) a word counts nothing; near a past
   cue (`以前`, `已经`), or in a thank-you or progress question without a request, it counts
   `MUTED`. A label is assigned at the lexicon's threshold (1.0: one keyword, or two cues);
4. emergencies: each emergency group counts its strongest live word; a clause with an
   emergency negation, a past time or a hedge (`怕`, `万一`) near it does not count, nor does a
   word followed by `过` (it happened once, before); threats and self-harm ignore past time.
   A group adds its strongest word plus half of the others (at most 1.0); the flag is raised
   at the emergency threshold. Groups that fire give their reasons and their implied labels.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import jieba

from backend.classifier.lexicon import Lexicon
from backend.classifier.normalize import Normalizer
from backend.classifier.schemas import Classification, LabelInfo, LabelScore

jieba.setLogLevel(logging.WARNING)

MUTED = 0.5
REACH = 8
IMPLIES_AT = 0.5
_CLAUSE = re.compile(r"[^\s,.!?;:~…。、！？；：\"'“”‘’()\[\]{}<>《》【】「」\-—_/|]+")


@dataclass(frozen=True, slots=True)
class _Sense:
    """One reading of a dictionary word: what it counts for, and how much."""

    kind: str  # "label", "emergency", a scope name, or "other"
    target: str
    weight: float
    canonical: str


class Classifier:
    """Built once from a `Lexicon`; `classify` is then cheap and thread-safe (no shared state)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.threshold = lexicon.threshold
        self.labels: dict[str, LabelInfo] = {
            e.id: LabelInfo(id=e.id, name=e.name, category=e.category)
            for e in sorted(lexicon.labels.values(), key=lambda e: e.id)
        }
        self._normalize = Normalizer(lexicon.fillers)
        self._senses = self._build_senses(lexicon)
        self._lasting = {g.id: g.lasting for g in lexicon.groups.values()}
        self._tokenizer = self._build_tokenizer(self._senses)
        self._freq: dict[str, int] = self._tokenizer.FREQ
        self._first = frozenset(word[0] for word in self._senses)
        self._patterns = [
            (re.compile(p), "label", e.id, w)
            for e in lexicon.labels.values()
            for p, w in e.patterns.items()
        ] + [
            (re.compile(p), "emergency", g.id, w)
            for g in lexicon.groups.values()
            for p, w in g.patterns.items()
        ]

    @staticmethod
    def _build_senses(lexicon: Lexicon) -> dict[str, list[_Sense]]:
        senses: dict[str, list[_Sense]] = {}

        def add(word: str, sense: _Sense) -> None:
            senses.setdefault(word, []).append(sense)

        for entry in lexicon.labels.values():
            for word, weight in entry.terms.items():
                add(word, _Sense("label", entry.id, weight, word))
        for group in lexicon.groups.values():
            for word, weight in group.words.items():
                add(word, _Sense("emergency", group.id, weight, word))
        for name, words in lexicon.scope.items():
            for word in words:
                add(word, _Sense(name, name, 0.0, word))
        for name, words in lexicon.emergency_scope.items():
            for word in words:
                add(word, _Sense("e_" + name, name, 0.0, word))
        for word in lexicon.other_senses:
            senses.setdefault(word, [])
        for slip, meant in lexicon.typos.items():
            if slip not in senses:  # a slip never shadows a real word
                senses[slip] = [
                    _Sense(s.kind, s.target, s.weight, f"{meant}({slip})")
                    for s in senses.get(meant, [])
                ]
        return senses

    @staticmethod
    def _build_tokenizer(senses: dict[str, list[_Sense]]) -> jieba.Tokenizer:
        """A jieba tokenizer whose whole dictionary is the lexicon (no cache file is written)."""
        tokenizer = jieba.Tokenizer()
        lines = "".join(
            f"{word} {5 if not s else 10}\n" for word, s in senses.items() if " " not in word
        )
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(lines.encode("utf-8")))
        tokenizer.initialized = True
        return tokenizer

    def tokens(self, text: str) -> Iterator[tuple[int, str]]:
        """Dictionary words of `text` with their offsets, as jieba would cut them (no HMM)."""
        freq, first, n, i = self._freq, self._first, len(text), 0
        while i < n:
            if text[i] not in first:
                i += 1
                continue
            start, end, j = i, i + 1, i
            while j < end:  # grow the window while some word starting inside it reaches past it
                k = j + 1
                while k <= n and text[j:k] in freq:
                    if freq[text[j:k]] and k > end:
                        end = k
                    k += 1
                j += 1
            window = text[start:end]
            if end - start == 1:
                if freq.get(window):
                    yield start, window
            else:
                dag = self._tokenizer.get_DAG(window)
                route: dict[int, tuple[float, int]] = {}
                self._tokenizer.calc(window, dag, route)
                x = 0
                while x < len(window):
                    y = route[x][1] + 1
                    if freq.get(window[x:y]):
                        yield start + x, window[x:y]
                    x = y
            i = end

    def classify(self, text: str) -> Classification:
        """Classify one message; never raises on odd input (empty, emoji only, very long)."""
        clauses = self._clauses(self._normalize(text))
        kinds_all = {s.kind for clause in clauses for token in clause for s in token.senses}
        asks_progress = "status" in kinds_all
        says_thanks = "thanks" in kinds_all
        found: dict[str, dict[str, float]] = {}
        fired: dict[str, dict[str, float]] = {}
        for clause in clauses:
            cues = _Cues(clause)
            muted = asks_progress or (says_thanks and not cues.has("request"))
            for token in clause:
                for s in token.senses:
                    if s.kind == "label":
                        factor = 0.0 if cues.near("negation", token) else 1.0
                        if factor and (muted or cues.near("past", token)):
                            factor = MUTED
                        if factor:
                            words = found.setdefault(s.target, {})
                            words[s.canonical] = max(words.get(s.canonical, 0.0), s.weight * factor)
                    elif (
                        s.kind == "emergency"
                        and token.after != "过"
                        and not (
                            cues.near("e_negation", token)
                            or cues.near("e_hedge", token)
                            or (cues.near("e_past", token) and not self._lasting[s.target])
                        )
                    ):
                        words = fired.setdefault(s.target, {})
                        words[s.canonical] = max(words.get(s.canonical, 0.0), s.weight)
        best = {group: _group_score(words.values()) for group, words in fired.items()}
        emergency_score = round(float(sum(best.values())), 2)
        emergency = emergency_score >= self.lexicon.emergency_threshold - 1e-9
        reason = ""
        emergency_words: list[str] = []
        if emergency:
            order = sorted(best, key=lambda g: (-best[g], g))
            reason = "，".join(self.lexicon.groups[g].reason for g in order)
            moot = {
                m for g in order if best[g] >= IMPLIES_AT for m in self.lexicon.groups[g].supersedes
            }
            for group in order:
                ranked = sorted(fired[group], key=lambda w: -fired[group][w])
                emergency_words += ranked
                if best[group] < IMPLIES_AT or group in moot:
                    continue
                for label in self.lexicon.groups[group].implies:
                    implied = found.setdefault(label, {})
                    implied[ranked[0]] = max(implied.get(ranked[0], 0.0), self.threshold)
        scores: dict[str, LabelScore] = {}
        for label, words in found.items():
            total = sum(words.values())
            if total >= self.threshold - 1e-9 and label in self.labels:
                kept = tuple(sorted(words, key=lambda w: -words[w]))
                scores[label] = LabelScore(label, self.labels[label].name, round(total, 2), kept)
        return Classification(
            text=text,
            scores=scores,
            emergency=emergency,
            emergency_score=emergency_score,
            emergency_reason=reason,
            emergency_words=tuple(emergency_words),
        )

    def _clauses(self, norm: str) -> list[list[_Token]]:
        """The message cut into clauses of dictionary tokens; contrast words open a clause."""
        clauses: list[list[_Token]] = []
        starts: list[int] = []
        for match in _CLAUSE.finditer(norm):
            chunk, offset = match.group(), match.start()
            current: list[_Token] = []
            starts.append(offset)
            for pos, word in self.tokens(chunk):
                senses = self._senses[word]
                if current and any(s.kind == "contrast" for s in senses):
                    clauses.append(current)
                    current = []
                    starts.append(offset + pos)
                end = pos + len(word)
                current.append(_Token(offset + pos, word, chunk[end : end + 1], senses))
            clauses.append(current)
        if clauses:
            for pattern, kind, target, weight in self._patterns:
                for m in pattern.finditer(norm):
                    at = max(bisect.bisect_right(starts, m.start()) - 1, 0)
                    sense = _Sense(kind, target, weight, m.group())
                    clauses[at].append(_Token(m.start(), m.group(), "", [sense]))
        return clauses


@dataclass(frozen=True, slots=True)
class _Token:
    pos: int
    word: str
    after: str  # the character right after the word in the text ("过" marks a past event)
    senses: list[_Sense]


class _Cues:
    """Where the scope cues of one clause are; a cue reaches `REACH` characters either side."""

    def __init__(self, clause: list[_Token]) -> None:
        self._at: dict[str, list[tuple[int, int]]] = {}
        for token in clause:
            for s in token.senses:
                if s.kind not in ("label", "emergency"):
                    self._at.setdefault(s.kind, []).append((token.pos, token.pos + len(token.word)))

    def has(self, kind: str) -> bool:
        return kind in self._at

    def near(self, kind: str, token: _Token) -> bool:
        start, end = token.pos, token.pos + len(token.word)
        return any(
            cue_start - end <= REACH and start - cue_end <= REACH
            for cue_start, cue_end in self._at.get(kind, ())
        )


def _group_score(weights: Iterable[float]) -> float:
    """An emergency group's weight: its strongest word plus half of the others, at most 1."""
    ordered = sorted(weights, reverse=True)
    return min(1.0, ordered[0] + 0.5 * sum(ordered[1:])) if ordered else 0.0
