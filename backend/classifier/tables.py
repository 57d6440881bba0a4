"""The lexicon compiled into lookup tables: every dictionary word with what it counts for, the
jieba tokenizer over those words alone, and the first characters that can open a pattern (so a
message without any of them skips the pattern pass). Built once per `Classifier`."""

from __future__ import annotations

import importlib
import io
import re
from typing import Any, NamedTuple

import jieba

from backend.classifier.lexicon import Lexicon

_SRE: Any = importlib.import_module("re._parser")  # the regex parser `re` itself uses
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
# A clause: a run of characters between separators (negation and time reach no further).
CLAUSE = re.compile(r"[^\s,.!?;:~…。、！？；：\"'“”‘’()\[\]{}<>《》【】「」\-—_/|]+")


class Sense(NamedTuple):
    """What one dictionary word counts for: a label or an emergency group, and how much."""

    target: str
    weight: float
    canonical: str  # the word as the clerk sees it (a slip shows as "洗澡(洗早)")


class Entry(NamedTuple):
    labels: tuple[Sense, ...]
    emergencies: tuple[Sense, ...]
    cues: frozenset[str]  # scope cue kinds: negation, past, request, …, e_negation, …


def build_entries(lexicon: Lexicon) -> dict[str, Entry]:
    """Every dictionary word with what it counts for; typos share the entry of the word meant."""
    labels: dict[str, list[Sense]] = {}
    emergencies: dict[str, list[Sense]] = {}
    cues: dict[str, set[str]] = {}
    for entry in lexicon.labels.values():
        for word, weight in entry.terms.items():
            labels.setdefault(word, []).append(Sense(entry.id, weight, word))
    for group in lexicon.groups.values():
        for word, weight in group.words.items():
            emergencies.setdefault(word, []).append(Sense(group.id, weight, word))
    for name, words in lexicon.scope.items():
        for word in words:
            cues.setdefault(word, set()).add(name)
    for name, words in lexicon.emergency_scope.items():
        for word in words:
            cues.setdefault(word, set()).add("e_" + name)
    every = set(labels) | set(emergencies) | set(cues) | lexicon.other_senses
    entries = {
        word: Entry(
            tuple(labels.get(word, ())),
            tuple(emergencies.get(word, ())),
            frozenset(cues.get(word, ())),
        )
        for word in every
        if CLAUSE.fullmatch(word)  # a word across a separator could never match
    }
    silencers = lexicon.emergency_scope["hedge"] | lexicon.emergency_scope["negation"]
    # A longer word that contains an emergency word (`冲走了` ⊃ `冲走`) carries its danger too:
    # segmentation keeps the longer word, and an emergency must not vanish inside it.
    for word, item in list(entries.items()):
        if word in lexicon.other_senses or len(word) < 3 or any(c in word for c in silencers):
            continue  # `防走失` prevents the danger it names
        inherited = {s.target: s for s in item.emergencies}
        for i in range(len(word)):
            for j in range(i + 2, len(word) + 1):
                if (i, j) != (0, len(word)) and word[i:j] in emergencies:
                    for s in emergencies[word[i:j]]:
                        if s.weight > inherited.get(s.target, Sense("", 0.0, "")).weight:
                            inherited[s.target] = s._replace(canonical=word)
        if len(inherited) > len(item.emergencies) or any(
            s not in item.emergencies for s in inherited.values()
        ):
            entries[word] = item._replace(emergencies=tuple(inherited.values()))
    for slip, meant in lexicon.typos.items():
        if slip not in entries and meant in entries:  # a slip never shadows a real word
            base = entries[meant]
            shown = f"{meant}({slip})"
            entries[slip] = Entry(
                tuple(s._replace(canonical=shown) for s in base.labels),
                tuple(s._replace(canonical=shown) for s in base.emergencies),
                base.cues,
            )
    return entries


def build_tokenizer(entries: dict[str, Entry]) -> jieba.Tokenizer:
    """A jieba tokenizer whose whole dictionary is the lexicon; no cache file is written."""
    tokenizer = jieba.Tokenizer()
    lines = "".join(
        f"{word} {10 if entry.labels or entry.emergencies or entry.cues else 5}\n"
        for word, entry in entries.items()
    )
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(lines.encode("utf-8")))
    tokenizer.initialized = True
    return tokenizer


def required_chars(pattern: str) -> str:
    """Chinese characters a match must contain: those at the top level of the pattern, outside
    groups and classes and not made optional by a quantifier (`(拿|取)[…]{0,3}药` → `药`)."""
    out, depth, i = [], 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = pattern.find("]", i + 1) + 1 or len(pattern)
            continue
        depth += ch == "("
        depth -= ch == ")"
        after = pattern[i + 1 : i + 3]
        optional = after[:1] in ("?", "*") or after == "{0"
        if depth == 0 and "\u4e00" <= ch <= "\u9fff" and not optional:
            out.append(ch)
        i += 1
    return "".join(out)


def first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of `pattern` can start with, or None when that is unbounded
    (a class such as `[\u4e00-\u9fff]` or `\\d` first, or a pattern that can match empty)."""
    found, nullable = _firsts(_SRE.parse(pattern))
    return None if found is None or nullable else frozenset(found)


def _firsts(items: Any) -> tuple[set[str] | None, bool]:
    """(possible first characters, can the sequence match empty) of parsed regex items."""
    out: set[str] = set()
    for op, arg in items:
        name = str(op)
        sub: tuple[set[str] | None, bool]
        if name in _ZERO_WIDTH:
            continue
        if name == "LITERAL":
            return out | {chr(arg)}, False
        if name == "IN":
            chars = set()
            for kind, value in arg:
                if str(kind) != "LITERAL":
                    return None, False
                chars.add(chr(value))
            return out | chars, False
        if name == "SUBPATTERN":
            sub = _firsts(arg[-1])
        elif name == "ATOMIC_GROUP":
            sub = _firsts(arg)
        elif name == "BRANCH":
            branches = [_firsts(branch) for branch in arg[1]]
            if any(f is None for f, _ in branches):
                return None, False
            sub = (
                set().union(*(f for f, _ in branches if f is not None)),
                any(n for _, n in branches),
            )
        elif name in _REPEATS:
            low, _, body = arg
            first, empty = _firsts(body)
            sub = (first, empty or low == 0)
        else:
            return None, False
        first, empty = sub
        if first is None:
            return None, False
        out |= first
        if not empty:
            return out, False
    return out, True
