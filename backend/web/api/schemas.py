"""Request and response bodies of the JSON API (plain pydantic; never ORM objects)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from backend.cases.models import CaseStatus
from backend.cases.queue import QueueRow


class FastJSON(JSONResponse):
    """JSON rendered by orjson (datetimes, dates and enums natively, the same text as FastAPI's
    encoder gives them); for the queue and the case page, whose encoding was a measurable part of
    each request (docs/queue.md). Anything orjson does not know goes through FastAPI's encoder."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=jsonable_encoder, option=orjson.OPT_NON_STR_KEYS)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Login(Body):
    username: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)


class Token(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_at: datetime
    idle_minutes: int


class Me(BaseModel):
    staff_id: int | None
    name: str
    roles: list[dict[str, str]]


class QueueItem(BaseModel):
    id: int
    number: str
    status: CaseStatus
    status_name: str
    emergency: bool
    priority: int
    beneficiary_id: int
    beneficiary_name: str
    village: str | None
    channel: str
    items: list[str]
    item_names: str
    created_at: datetime
    due_at: datetime | None
    due_step: str | None
    due_text: str
    overdue: bool
    owner: str | None
    assignee: str | None


def iso(value: datetime | None) -> str | None:
    """A datetime as pydantic writes it in JSON (UTC as "Z")."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def queue_item_json(row: QueueRow) -> dict[str, Any]:
    """A `QueueItem` as JSON-ready data, built directly: the queue answers 50 of these per request
    and validating each through pydantic cost more than the query (see docs/queue.md)."""
    return {
        "id": row.id,
        "number": row.number,
        "status": row.status.value,
        "status_name": row.status_name,
        "emergency": row.emergency,
        "priority": row.priority,
        "beneficiary_id": row.beneficiary_id,
        "beneficiary_name": row.beneficiary_name,
        "village": row.village_name,
        "channel": row.channel,
        "items": list(row.items),
        "item_names": row.item_names,
        "created_at": iso(row.created_at),
        "due_at": iso(row.due_at),
        "due_step": row.due_step,
        "due_text": row.due_text,
        "overdue": row.overdue,
        "owner": row.owner_name,
        "assignee": row.assignee_name,
    }


class QueuePage(BaseModel):
    items: list[QueueItem]
    limit: int
    offset: int
    has_more: bool


class Transition(Body):
    to: CaseStatus
    note: str | None = Field(default=None, max_length=2000)


class Assign(Body):
    assignee_staff_id: int = Field(ge=1, le=2**31 - 1)
    note: str | None = Field(default=None, max_length=2000)


class Refer(Body):
    resource_id: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=2000)
    due_workdays: int = Field(default=5, ge=1, le=60)


class RevealId(Body):
    reason: str = Field(min_length=2, max_length=200, description="查看完整身份证号的事由")


class FullId(BaseModel):
    person_id: int
    id_number: str | None


class NewResource(Body):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(pattern="^(department|provider|charity|volunteer)$")
    items: list[str] = Field(default_factory=list, max_length=50)
    region_id: int = Field(ge=1, le=2**31 - 1)
    contact: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=30)
    staff_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    note: str | None = Field(default=None, max_length=200)


class ResourceOut(BaseModel):
    id: int
    name: str
    kind: str
    kind_name: str
    items: list[str]
    item_names: str
    region_id: int
    contact: str | None
    phone: str | None
    matching: list[str] = Field(default_factory=list)


class Page(BaseModel):
    """A case page or a person page: the same facts the console shows."""

    data: dict[str, Any]
