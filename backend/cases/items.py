"""The service items and referral routes a case can carry: the taxonomy of the classifier."""

from __future__ import annotations

from collections.abc import Sequence

from backend.classifier import service as classifier_service
from backend.core.errors import InvalidInput


def names() -> dict[str, str]:
    """Label id → Chinese name (助餐, 助浴 …)."""
    return {info.id: info.name for info in classifier_service.labels()}


def check_items(items: Sequence[str]) -> list[str]:
    """Sorted, de-duplicated item ids; unknown ones are refused."""
    cleaned = sorted({i.strip() for i in items if i and i.strip()})
    known = names()
    unknown = [i for i in cleaned if i not in known]
    if unknown:
        raise InvalidInput(f"未知的服务项目: {'、'.join(unknown)}", code="unknown_item")
    return cleaned


def describe(items: Sequence[str]) -> str:
    known = names()
    return "、".join(known.get(i, i) for i in items)
