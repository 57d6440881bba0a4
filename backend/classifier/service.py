"""The process-wide classifier: built once per set of extra keyword files, then reused.

`get_classifier()` is what the dialogs and the CLI call; building one (reading the YAML,
making the jieba dictionary) takes a few tens of milliseconds, classifying takes tens of
microseconds. The extra files are passed in by the caller (from settings), never read from
the environment here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from backend.classifier.classifier import Classifier
from backend.classifier.learned import load_model
from backend.classifier.lexicon import load_lexicon
from backend.classifier.schemas import CATEGORY_NAMES, Classification, LabelInfo


def get_classifier(extra_paths: Sequence[Path] = (), use_model: bool | None = None) -> Classifier:
    """The cached classifier for the default keywords extended by `extra_paths`, in order.

    `use_model`: let the learned layer (`learned.py`) decide over the keyword engine's reading;
    None follows the model file's own `enabled` setting, False runs the keyword engine alone.
    """
    return _build(tuple(Path(p).resolve() for p in extra_paths), use_model)


@functools.lru_cache(maxsize=8)
def _build(extra_paths: tuple[Path, ...], use_model: bool | None) -> Classifier:
    model = load_model() if use_model is not False else None
    if model is not None and use_model is None and not model.enabled:
        model = None
    lexicon = load_lexicon(extra_paths)
    county: set[tuple[str, str]] = set()
    if extra_paths:
        base = load_lexicon(())
        for label, entry in lexicon.labels.items():
            county.update((label, w) for w in entry.terms if w not in base.labels[label].terms)
        for group_id, group in lexicon.groups.items():
            known = base.groups[group_id].words if group_id in base.groups else {}
            county.update((group_id, w) for w in group.words if w not in known)
    return Classifier(lexicon, model=model, county_words=frozenset(county))


def classify(text: str) -> Classification:
    """Classify with the default keywords."""
    return get_classifier().classify(text)


def labels() -> list[LabelInfo]:
    """Every taxonomy label with its Chinese name, sorted by id (for buttons)."""
    return list(get_classifier().labels.values())


def labels_by_category() -> dict[str, list[LabelInfo]]:
    """Labels grouped by category id in the taxonomy's order (care, living, support, referral)."""
    grouped: dict[str, list[LabelInfo]] = {category: [] for category in CATEGORY_NAMES}
    for info in labels():
        grouped.setdefault(info.category, []).append(info)
    return {category: infos for category, infos in grouped.items() if infos}
