"""Intake classifier: a resident's message → service items, referrals and an emergency flag.

Keyword-based and explainable (every label carries the words that fired), built on jieba with
a dictionary made from `keywords.yaml`, which a county can extend with its own file. Use
`backend.classifier.service.get_classifier()` / `classify()`; this package module stays light
(it does not import jieba) so that importing the result types is free.
"""

from backend.classifier.schemas import CATEGORY_NAMES, Classification, LabelInfo, LabelScore

__all__ = ["CATEGORY_NAMES", "Classification", "LabelInfo", "LabelScore"]
