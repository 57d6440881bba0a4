"""Writing audit entries. Details hold ids and codes, never personal values."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.models import AuditEntry
from backend.core.clock import Clock


async def record(
    session: AsyncSession,
    *,
    clock: Clock,
    actor_staff_id: int | None,
    actor_label: str,
    action: str,
    entity_type: str,
    entity_id: str | int | None = None,
    region_id: int | None = None,
    allowed: bool = True,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=clock.now(),
        actor_staff_id=actor_staff_id,
        actor_label=actor_label,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        region_id=region_id,
        allowed=allowed,
        reason=reason,
        detail=detail or {},
    )
    session.add(entry)
    await session.flush()
    return entry
