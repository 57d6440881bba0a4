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
import logging
import re
from collections.abc import Iterable
from typing import NamedTuple

import jieba

from backend.classifier.learned import LearnedModel
from backend.classifier.lexicon import Lexicon
from backend.classifier.normalize import Normalizer
from backend.classifier.schemas import Classification, LabelInfo, LabelScore
from backend.classifier.tables import (
    CLAUSE,
    Entry,
    Sense,
    build_entries,
    build_tokenizer,
    first_chars,
    required_chars,
)

jieba.setLogLevel(logging.WARNING)

MUTED = 0.5
REACH = 8
SPLIT_CACHE = 4096  # windows of dictionary words whose jieba route is remembered
IMPLIES_AT = 0.5
_E_SILENCERS = ("e_negation", "e_hedge")


class _Token(NamedTuple):
    start: int
    end: int
    after: str  # the character right after the word ("过" marks something that happened once)
    entry: Entry


class Reading(NamedTuple):
    """What the keyword engine read in one message: its result and the evidence behind it,
    which the learned layer (`learned.py`) uses as features."""

    norm: str
    result: Classification
    found: dict[str, dict[str, float]]  # label → {word: weight after scope} (implied included)
    groups: dict[str, float]  # emergency group → its score
    negated: frozenset[str]  # labels whose words were all negated
    silenced: bool  # danger words were read and every one was silenced
    scopes: tuple[tuple[int, int, str], ...]  # (start, end, "negation" | "past") in `norm`
    pinned: frozenset[str]  # labels, and "emergency", fired by a county's own word


class Classifier:
    """Built once from a `Lexicon`; `classify` is then cheap. Its only shared state is a bounded
    memo of jieba routes through windows of dictionary words (a pure function of the window)."""

    def __init__(
        self,
        lexicon: Lexicon,
        model: LearnedModel | None = None,
        county_words: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.lexicon = lexicon
        self.model = model  # the learned layer (`learned.py`), None: keywords alone
        # (label or emergency group, word) pairs a county's extra file added: a label or flag
        # they fire is never overruled by the learned layer (it has never seen those words)
        self.county_words = county_words
        self.threshold = lexicon.threshold
        self.labels: dict[str, LabelInfo] = {
            e.id: LabelInfo(id=e.id, name=e.name, category=e.category)
            for e in sorted(lexicon.labels.values(), key=lambda e: e.id)
        }
        self._names = {label: info.name for label, info in self.labels.items()}
        self._normalize = Normalizer(lexicon.fillers)
        self._entries = build_entries(lexicon)
        self._lasting = {g.id: g.lasting for g in lexicon.groups.values()}
        self._tokenizer = build_tokenizer(self._entries)
        self._freq: dict[str, int] = self._tokenizer.FREQ
        self._splits: dict[str, tuple[tuple[int, str], ...]] = {}  # window → its words
        first = sorted({word[0] for word in self._entries})
        self._candidate = re.compile("[" + "".join(re.escape(ch) for ch in first) + "]")
        self._contrast = frozenset(w for w, e in self._entries.items() if "contrast" in e.cues)
        patterns = [
            (p, Entry((Sense(e.id, w, p),), (), frozenset()))
            for e in lexicon.labels.values()
            for p, w in e.patterns.items()
        ] + [
            (p, Entry((), (Sense(g.id, w, p),), frozenset()))
            for g in lexicon.groups.values()
            for p, w in g.patterns.items()
        ]
        # Separate patterns rather than one alternation: each keeps sre's first-character skip.
        # Most messages match no pattern: each is tried only when a character it cannot match
        # without is in the text (a cheap `in` test instead of a regex scan).
        # A pattern is also skipped when no character that can open a match is in the text.
        self._patterns = [
            (re.compile(p), frozenset(required_chars(p)), first_chars(p), entry)
            for p, entry in patterns
        ]
        # Patterns by the characters that can open them, so a message looks up only its own.
        firsts = [item[2] for item in self._patterns]
        self._unbounded = frozenset(i for i, first in enumerate(firsts) if first is None)
        opened_by: dict[str, list[int]] = {}
        for i, opener in enumerate(firsts):
            for ch in opener or ():
                opened_by.setdefault(ch, []).append(i)
        self._opened_by = {ch: tuple(indices) for ch, indices in opened_by.items()}

    def normalize(self, text: str) -> str:
        """The normalised copy of `text` that the classifier (and the n-gram model) reads."""
        return self._normalize(text)

    def tokens(self, text: str) -> list[tuple[int, str]]:
        """Dictionary words of `text` with their offsets, as jieba would cut them (no HMM).

        A window is grown while some word starting inside it reaches past its end; outside
        windows every character is a lone non-word, so the max-probability route splits there.
        A window that is itself one word is that word (with the dictionary's total, one word
        always outscores any split); otherwise jieba's DAG and route decide.
        """
        freq, n, out = self._freq, len(text), []
        found = self._candidate.search(text)
        while found is not None:
            start = found.start()
            end, j = start + 1, start
            while j < end:
                k = j + 1
                while k <= n and text[j:k] in freq:
                    if k > end and freq[text[j:k]]:
                        end = k
                    k += 1
                j += 1
            window = text[start:end]
            if freq.get(window):
                out.append((start, window))
            elif end - start > 1:
                split = self._splits.get(window)
                if split is None:
                    split = self._split(window)
                out.extend((start + x, word) for x, word in split)
            found = self._candidate.search(text, end)
        return out

    def _split(self, window: str) -> tuple[tuple[int, str], ...]:
        """jieba's max-probability route through a window of overlapping dictionary words,
        remembered (windows such as `送饭洗澡` recur across messages; the memory is bounded)."""
        dag = self._tokenizer.get_DAG(window)
        route: dict[int, tuple[float, int]] = {}
        self._tokenizer.calc(window, dag, route)
        found: list[tuple[int, str]] = []
        x = 0
        while x < len(window):
            y = route[x][1] + 1
            if self._freq.get(window[x:y]):
                found.append((x, window[x:y]))
            x = y
        if len(self._splits) >= SPLIT_CACHE:
            self._splits.clear()
        split = self._splits[window] = tuple(found)
        return split

    def classify(self, text: str) -> Classification:
        """Classify one message; never raises on odd input (empty, emoji only, very long)."""
        reading = self.read(text)
        if self.model is None:
            return reading.result
        return self.model.combine(reading, self._names)

    def read(self, text: str) -> Reading:
        """The keyword engine's result for `text` with the evidence behind it."""
        norm = self._normalize(text)
        clauses, starts = self._clauses(norm)
        cues = [_cue_spans(clause) for clause in clauses]
        asks_progress = any("status" in c for c in cues)
        says_thanks = any("thanks" in c for c in cues)
        found: dict[str, dict[str, float]] = {}
        fired: dict[str, dict[str, float]] = {}
        negated: set[str] = set()  # labels whose word was seen but negated in its clause
        danger_seen = False  # an emergency word was read (live or silenced)
        # "…起火了 火已经扑灭了": a resolution anywhere later ends the dangers told before it.
        resolved_at = max(
            (start for at in cues for start, _ in at.get("e_resolved", ())), default=-1
        )
        for clause, at in zip(clauses, cues, strict=True):
            muted = asks_progress or (says_thanks and "request" not in at)
            for token in clause:
                entry = token.entry
                if entry.labels and at and _near(at, "negation", token):
                    negated.update(s.target for s in entry.labels)
                elif entry.labels:
                    # a thank-you for something already done ("谢谢…昨天陪我去") mutes twice
                    past = bool(at) and _near(at, "past", token)
                    factor = MUTED ** (int(muted) + int(past))
                    for s in entry.labels:
                        words = found.setdefault(s.target, {})
                        words[s.canonical] = max(words.get(s.canonical, 0.0), s.weight * factor)
                if entry.emergencies:
                    danger_seen = True
                if entry.emergencies and token.after != "过":
                    silenced = bool(at) and any(_near(at, kind, token) for kind in _E_SILENCERS)
                    past = token.end <= resolved_at or (bool(at) and _near(at, "e_past", token))
                    if silenced:
                        continue
                    for s in entry.emergencies:
                        if not (past and not self._lasting[s.target]):
                            words = fired.setdefault(s.target, {})
                            words[s.canonical] = max(words.get(s.canonical, 0.0), s.weight)
        result, groups = self._decide(text, found, fired)
        scopes: list[tuple[int, int, str]] = []
        bounds = [*starts[1:], len(norm)][: len(starts)]
        for at, low, high in zip(cues, starts, bounds, strict=True):
            for kind in ("negation", "past"):
                for start, end in at.get(kind, ()):
                    scopes.append((max(low, start - REACH), min(high, end + REACH), kind))
        pinned = {
            label
            for label in result.scores
            if any((label, word) in self.county_words for word in found.get(label, ()))
        }
        if result.emergency and any(
            (group, word) in self.county_words for group, words in fired.items() for word in words
        ):
            pinned.add("emergency")
        # the learned layer may not resurrect a negated label, nor raise a danger the scope
        # rules silenced everywhere ("去年摔倒过", "怕他走丢")
        return Reading(
            norm,
            result,
            found,
            groups,
            frozenset(negated - set(found)),
            danger_seen and not fired,
            tuple(scopes),
            frozenset(pinned),
        )

    def _decide(
        self, text: str, found: dict[str, dict[str, float]], fired: dict[str, dict[str, float]]
    ) -> tuple[Classification, dict[str, float]]:
        groups = self.lexicon.groups
        best = {
            group: min(groups[group].cap, _group_score(words.values()))
            for group, words in fired.items()
        }
        emergency_score = round(float(sum(best.values())), 2)
        emergency = emergency_score >= self.lexicon.emergency_threshold - 1e-9
        reason = ""
        emergency_words: list[str] = []
        if emergency:
            order = sorted(best, key=lambda g: (-best[g], g))
            reason = "，".join(groups[g].reason for g in order)
            moot = {m for g in order if best[g] >= IMPLIES_AT for m in groups[g].supersedes}
            for group in order:
                ranked = sorted(fired[group], key=lambda w: -fired[group][w])
                emergency_words += ranked
                if best[group] < IMPLIES_AT or group in moot:
                    continue
                for label in groups[group].implies:
                    implied = found.setdefault(label, {})
                    implied[ranked[0]] = max(implied.get(ranked[0], 0.0), self.threshold)
        scores: dict[str, LabelScore] = {}
        for label, words in found.items():
            total = sum(words.values())
            if total >= self.threshold - 1e-9 and label in self.labels:
                kept = tuple(w for w in sorted(words, key=lambda w: -words[w]) if words[w] > 0)
                scores[label] = LabelScore(label, self.labels[label].name, round(total, 2), kept)
        result = Classification(
            text=text,
            scores=scores,
            emergency=emergency,
            emergency_score=emergency_score,
            emergency_reason=reason,
            emergency_words=tuple(emergency_words),
        )
        return result, best

    def _clauses(self, norm: str) -> tuple[list[list[_Token]], list[int]]:
        """The message cut into clauses of dictionary tokens; contrast words open a clause."""
        clauses: list[list[_Token]] = []
        starts: list[int] = []
        entries, contrast = self._entries, self._contrast
        # No dictionary word contains a separator, so cutting the whole text once gives the
        # same words as cutting each chunk (a window never grows across a separator).
        words = self.tokens(norm)
        i, count = 0, len(words)
        for match in CLAUSE.finditer(norm):
            offset, stop = match.start(), match.end()
            current: list[_Token] = []
            starts.append(offset)
            while i < count and words[i][0] < stop:
                pos, word = words[i]
                i += 1
                if pos < offset:
                    continue
                if current and word in contrast:
                    clauses.append(current)
                    current = []
                    starts.append(pos)
                end = pos + len(word)
                after = norm[end : end + 1] if end < stop else ""
                current.append(_Token(pos, end, after, entries[word]))
            clauses.append(current)
        if clauses:
            chars = set(norm)
            opened_by = self._opened_by
            # one C-level union of the patterns each character can open
            candidates = self._unbounded.union(*[opened_by[ch] for ch in chars & opened_by.keys()])
            for index in sorted(candidates):
                pattern, required, _, entry = self._patterns[index]
                if not required <= chars:
                    continue
                for m in pattern.finditer(norm):
                    at = max(bisect.bisect_right(starts, m.start()) - 1, 0)
                    sense = (entry.labels or entry.emergencies)[0]._replace(canonical=m.group())
                    hit = (
                        Entry((sense,), (), entry.cues)
                        if entry.labels
                        else Entry((), (sense,), entry.cues)
                    )
                    clauses[at].append(_Token(m.start(), m.end(), "", hit))
        return clauses, starts


def _cue_spans(clause: list[_Token]) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for token in clause:
        for kind in token.entry.cues:
            spans.setdefault(kind, []).append((token.start, token.end))
    return spans


def _near(spans: dict[str, list[tuple[int, int]]], kind: str, token: _Token) -> bool:
    """A cue of `kind` in the same clause within `REACH` characters of the token."""
    return any(
        start - token.end <= REACH and token.start - end <= REACH
        for start, end in spans.get(kind, ())
    )


def _group_score(weights: Iterable[float]) -> float:
    """An emergency group's weight: its strongest word plus half of the others, at most 1."""
    ordered = sorted(weights, reverse=True)
    return min(1.0, ordered[0] + 0.5 * sum(ordered[1:])) if ordered else 0.0
