"""Inputs and results of the case services (plain data, no ORM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.cases.models import ApplicantKind, Case, Channel


@dataclass(frozen=True, slots=True)
class NewCase:
    beneficiary_id: int
    region_id: int  # the beneficiary's village (or township when the village is unknown)
    channel: Channel
    applicant_kind: ApplicantKind
    text: str
    items: tuple[str, ...] = ()
    emergency: bool = False
    classification: dict[str, Any] = field(default_factory=dict)
    applicant_person_id: int | None = None
    applicant_name: str | None = None
    applicant_phone: str | None = None
    delegate_relation: str | None = None
    consent_method: str | None = None
    external_ref: str | None = None
    # A hotline work order's due date (aware UTC, end of that business day), when it has one.
    work_order_due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """`case` is the new case, or the open case the request was linked to (`created` False)."""

    case: Case
    created: bool
    linked_to: Case | None = None
    linked_items: tuple[str, ...] = ()
