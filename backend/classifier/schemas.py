"""Result types of the intake classifier.

Everything here is plain frozen data: a `Classification` can be stored on a case as JSON
(`to_dict()`), shown to a clerk (the words that fired and the emergency reason), and compared
in tests. Invariants: `labels` is sorted and equals the keys of `scores`; `recognised` is true
exactly when there is at least one label or the emergency flag is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CATEGORY_NAMES: dict[str, str] = {
    "care": "照护服务类",
    "living": "生活服务类",
    "support": "关爱服务类",
    "referral": "转介",
}


def category_of(label: str) -> str:
    """The category of a label is the part before the dot (`care.visit` → `care`)."""
    return label.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class LabelInfo:
    """One taxonomy label as the bot shows it on a button."""

    id: str
    name: str
    category: str

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES.get(self.category, self.category)


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Evidence for one label: the summed weight and the words that contributed it."""

    label: str
    name: str
    score: float
    words: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "words": list(self.words)}


@dataclass(frozen=True, slots=True)
class Classification:
    """What the classifier decided about one message, and why."""

    text: str
    scores: dict[str, LabelScore] = field(default_factory=dict)
    emergency: bool = False
    emergency_score: float = 0.0
    emergency_reason: str = ""
    emergency_words: tuple[str, ...] = ()

    @property
    def labels(self) -> list[str]:
        return sorted(self.scores)

    @property
    def categories(self) -> list[str]:
        return sorted({category_of(label) for label in self.scores})

    @property
    def recognised(self) -> bool:
        return bool(self.scores) or self.emergency

    def score(self, label: str) -> float:
        """The label's score, 0.0 when the label was not assigned."""
        found = self.scores.get(label)
        return found.score if found else 0.0

    def words(self, label: str) -> tuple[str, ...]:
        found = self.scores.get(label)
        return found.words if found else ()

    @property
    def matched_words(self) -> list[str]:
        """Every word that fired, labels first then emergency, without duplicates."""
        seen: dict[str, None] = {}
        for label in self.labels:
            for word in self.scores[label].words:
                seen.setdefault(word, None)
        for word in self.emergency_words:
            seen.setdefault(word, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; the original text is not repeated (the case stores it)."""
        return {
            "labels": self.labels,
            "categories": self.categories,
            "scores": {label: self.scores[label].to_dict() for label in self.labels},
            "emergency": self.emergency,
            "emergency_score": self.emergency_score,
            "emergency_reason": self.emergency_reason,
            "emergency_words": list(self.emergency_words),
            "recognised": self.recognised,
        }
