"""The keyword lexicon: loading `keywords.yaml`, merging a county's extra files, validation.

The default file beside this module defines the taxonomy (labels, names, categories) and the
words. An extra file has the same shape but may only *add*: words to existing labels, scope
cues, typos, fillers, emergency words or new emergency groups. It cannot add or rename labels,
so a county file can never change what the bot offers. Every problem is reported as a
`LexiconError` naming the file and the key, e.g. `county.yaml: labels.living.meal.keywords[3]:
expected a word`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from backend.classifier.schemas import category_of

DEFAULT_PATH = Path(__file__).with_name("keywords.yaml")

WORD_SECTIONS = ("keywords", "synonyms", "colloquial", "regional", "cues")
SCOPE_KEYS = ("negation", "past", "request", "thanks", "status", "contrast")
_LABEL_KEYS = frozenset({"name", *WORD_SECTIONS, "patterns"})
_GROUP_KEYS = frozenset({"reason", "implies", "words", "patterns", "lasting", "supersedes", "cap"})
_EMERGENCY_KEYS = frozenset({"threshold", "negation", "past", "hedge", "resolved", "groups"})
EMERGENCY_SCOPE_KEYS = ("negation", "past", "hedge", "resolved")
_TOP_KEYS = frozenset(
    {
        "version",
        "threshold",
        "weights",
        "labels",
        "scope",
        "other_senses",
        "fillers",
        "typos",
        "emergency",
    }
)
_LABEL_ID = re.compile(r"^(care|living|support|referral)\.[a-z_]+$")


class LexiconError(ValueError):
    """A keyword file is unreadable or malformed; the message names the file and the key."""


@dataclass(slots=True)
class LabelEntry:
    id: str
    name: str
    terms: dict[str, float] = field(default_factory=dict)
    patterns: dict[str, float] = field(default_factory=dict)

    @property
    def category(self) -> str:
        return category_of(self.id)


@dataclass(slots=True)
class EmergencyGroup:
    id: str
    reason: str
    words: dict[str, float] = field(default_factory=dict)
    patterns: dict[str, float] = field(default_factory=dict)
    implies: list[str] = field(default_factory=list)
    lasting: bool = False  # a danger that a past time does not end (threats, self-harm)
    supersedes: list[str] = field(default_factory=list)  # groups whose labels it makes moot
    cap: float = 1.0  # most the group adds (acute-time cues: never an emergency on their own)


@dataclass(slots=True)
class Lexicon:
    """Everything the classifier needs, merged from the default file and any extra files."""

    labels: dict[str, LabelEntry] = field(default_factory=dict)
    scope: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in SCOPE_KEYS})
    other_senses: set[str] = field(default_factory=set)
    fillers: set[str] = field(default_factory=set)
    typos: dict[str, str] = field(default_factory=dict)
    threshold: float = 1.0
    emergency_threshold: float = 1.0
    emergency_scope: dict[str, set[str]] = field(
        default_factory=lambda: {k: set() for k in EMERGENCY_SCOPE_KEYS}
    )
    groups: dict[str, EmergencyGroup] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)


def load_lexicon(extra_paths: Sequence[Path] = (), *, default: Path = DEFAULT_PATH) -> Lexicon:
    """The default lexicon extended, in order, by each extra file."""
    lexicon = Lexicon()
    _merge(lexicon, _read(default), default, is_default=True)
    for path in extra_paths:
        _merge(lexicon, _read(Path(path)), Path(path), is_default=False)
        _check_typos(lexicon, Path(path))
    _check_typos(lexicon, default)
    return lexicon


def _check_typos(lex: Lexicon, path: Path) -> None:
    """Every slip must point at a word the lexicon knows, or it would silently match nothing."""
    known = {w for e in lex.labels.values() for w in e.terms}
    known |= {w for g in lex.groups.values() for w in g.words}
    known |= {w for words in (*lex.scope.values(), *lex.emergency_scope.values()) for w in words}
    for slip, meant in lex.typos.items():
        if meant not in known:
            raise LexiconError(f"{path.name}: typos.{slip}: {meant!r} is not a word of the lexicon")


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read keyword file ({exc.strerror})") from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: the top level must be a mapping")
    return data


class _Reader:
    """Typed access to one file's data with errors that name the file and key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> LexiconError:
        return LexiconError(f"{self.path.name}: {key}: {problem}")

    def mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping")
        return value

    def check_keys(self, value: Mapping[str, Any], allowed: frozenset[str], key: str) -> None:
        for name in value:
            if name not in allowed:
                raise self.fail(f"{key}.{name}" if key else str(name), "unknown key")

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(key, "expected a non-negative number")
        return float(value)

    def word(self, value: Any, key: str) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise self.fail(key, "expected a word")
        return str(value).strip().lower()

    def words(self, value: Any, key: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "expected a list of words")
        return [self.word(item, f"{key}[{i}]") for i, item in enumerate(value)]

    def weighted(self, value: Any, key: str, default: float) -> dict[str, float]:
        """A list whose items are `word` or `{word: weight}`, or a mapping word → weight."""
        if value is None:
            return {}
        if isinstance(value, dict):
            return {self.word(w, key): self.number(v, f"{key}.{w}") for w, v in value.items()}
        if not isinstance(value, list):
            raise self.fail(key, "expected a list of words or a mapping word: weight")
        out: dict[str, float] = {}
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.update(self.weighted(item, f"{key}[{i}]", default))
            else:
                out[self.word(item, f"{key}[{i}]")] = default
        return out

    def patterns(self, value: Any, key: str) -> dict[str, float]:
        found = self.mapping(value, key)
        for pattern in found:
            try:
                re.compile(str(pattern))
            except re.error as exc:
                raise self.fail(
                    f"{key}.{pattern}", f"not a valid regular expression ({exc})"
                ) from exc
        return {str(p): self.number(w, f"{key}.{p}") for p, w in found.items()}


def _merge(lex: Lexicon, data: Mapping[str, Any], path: Path, *, is_default: bool) -> None:
    r = _Reader(path)
    r.check_keys(data, _TOP_KEYS, "")
    lex.sources.append(path)
    if is_default:
        lex.threshold = r.number(data.get("threshold", 1.0), "threshold")
    elif "threshold" in data or "weights" in data:
        raise r.fail(
            "threshold" if "threshold" in data else "weights", "only the default file sets it"
        )
    weights = {"keywords": 1.0, "synonyms": 1.0, "colloquial": 1.0, "regional": 1.0, "cues": 0.5}
    for section, value in r.mapping(data.get("weights"), "weights").items():
        if section not in weights:
            raise r.fail(f"weights.{section}", "unknown word section")
        weights[section] = r.number(value, f"weights.{section}")
    for label_id, body in r.mapping(data.get("labels"), "labels").items():
        key = f"labels.{label_id}"
        body = r.mapping(body, key)
        r.check_keys(body, _LABEL_KEYS, key)
        entry = lex.labels.get(label_id)
        if entry is None:
            if not is_default:
                raise r.fail(
                    key, "unknown label; extra files may only add words to existing labels"
                )
            if not _LABEL_ID.match(label_id) or not isinstance(body.get("name"), str):
                raise r.fail(key, "a label needs an id like 'living.meal' and a Chinese 'name'")
            entry = lex.labels[label_id] = LabelEntry(id=label_id, name=body["name"])
        elif "name" in body and body["name"] != entry.name:
            raise r.fail(f"{key}.name", "labels cannot be renamed")
        for section in WORD_SECTIONS:
            for word, weight in r.weighted(
                body.get(section), f"{key}.{section}", weights[section]
            ).items():
                entry.terms[word] = max(weight, entry.terms.get(word, 0.0))
        entry.patterns.update(r.patterns(body.get("patterns"), f"{key}.patterns"))
    scope = r.mapping(data.get("scope"), "scope")
    r.check_keys(scope, frozenset(SCOPE_KEYS), "scope")
    for name, value in scope.items():
        lex.scope[name].update(r.words(value, f"scope.{name}"))
    lex.other_senses.update(r.words(data.get("other_senses"), "other_senses"))
    lex.fillers.update(r.words(data.get("fillers"), "fillers"))
    for slip, meant in r.mapping(data.get("typos"), "typos").items():
        lex.typos[r.word(slip, "typos")] = r.word(meant, f"typos.{slip}")
    _merge_emergency(lex, r, r.mapping(data.get("emergency"), "emergency"), is_default=is_default)


def _merge_emergency(
    lex: Lexicon, r: _Reader, data: Mapping[str, Any], *, is_default: bool
) -> None:
    r.check_keys(data, _EMERGENCY_KEYS, "emergency")
    if "threshold" in data:
        if not is_default:
            raise r.fail("emergency.threshold", "only the default file sets it")
        lex.emergency_threshold = r.number(data["threshold"], "emergency.threshold")
    for name in EMERGENCY_SCOPE_KEYS:
        lex.emergency_scope[name].update(r.words(data.get(name), f"emergency.{name}"))
    for group_id, body in r.mapping(data.get("groups"), "emergency.groups").items():
        key = f"emergency.groups.{group_id}"
        body = r.mapping(body, key)
        r.check_keys(body, _GROUP_KEYS, key)
        group = lex.groups.get(group_id)
        if group is None:
            reason = body.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                raise r.fail(f"{key}.reason", "a new emergency group needs a short Chinese reason")
            group = lex.groups[group_id] = EmergencyGroup(id=group_id, reason=reason.strip())
        if "lasting" in body:
            if not isinstance(body["lasting"], bool):
                raise r.fail(f"{key}.lasting", "expected true or false")
            group.lasting = body["lasting"]
        if "cap" in body:
            group.cap = r.number(body["cap"], f"{key}.cap")
        group.words.update(r.weighted(body.get("words"), f"{key}.words", 1.0))
        group.patterns.update(r.patterns(body.get("patterns"), f"{key}.patterns"))
        for other in r.words(body.get("supersedes"), f"{key}.supersedes"):
            if other not in group.supersedes:
                group.supersedes.append(other)
        for i, label in enumerate(r.words(body.get("implies"), f"{key}.implies")):
            if label not in lex.labels:
                raise r.fail(f"{key}.implies[{i}]", f"unknown label {label!r}")
            if label not in group.implies:
                group.implies.append(label)
