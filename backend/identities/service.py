"""Chat identities: find the account behind a (channel, external id) and bind it to a person or a
staff member."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import Clock
from backend.core.errors import Conflict, InvalidInput
from backend.identities.models import ChatIdentity
from backend.staff.models import Role, StaffMember, StaffRole

CHANNELS = frozenset({"telegram", "web_chat"})


async def get(session: AsyncSession, *, channel: str, external_id: str) -> ChatIdentity | None:
    result = await session.execute(
        select(ChatIdentity).where(
            ChatIdentity.channel == channel, ChatIdentity.external_id == external_id
        )
    )
    return result.scalar_one_or_none()


async def get_or_create(
    session: AsyncSession,
    *,
    clock: Clock,
    channel: str,
    external_id: str,
    display_name: str | None = None,
) -> ChatIdentity:
    if channel not in CHANNELS:
        raise InvalidInput(f"未知的渠道: {channel}", code="channel")
    found = await get(session, channel=channel, external_id=external_id)
    if found is not None:
        return found
    identity = ChatIdentity(
        channel=channel,
        external_id=external_id,
        display_name=(display_name or "")[:100] or None,
        created_at=clock.now(),
    )
    session.add(identity)
    await session.flush()
    return identity


async def bind(
    session: AsyncSession,
    *,
    clock: Clock,
    identity: ChatIdentity,
    person_id: int | None = None,
    staff_id: int | None = None,
) -> ChatIdentity:
    """Bind to exactly one person or staff member; re-binding elsewhere is refused."""
    if (person_id is None) == (staff_id is None):
        raise InvalidInput("一个账号只能绑定一个人或一个工作人员", code="bind_target")
    current = (identity.person_id, identity.staff_id)
    if current != (None, None) and current != (person_id, staff_id):
        raise Conflict("这个聊天账号已经绑定了其他人,请先解除绑定", code="already_bound")
    identity.person_id, identity.staff_id = person_id, staff_id
    identity.bound_at = clock.now()
    await session.flush()
    return identity


async def staff_chats_by_region(
    session: AsyncSession, *, role: Role, region_ids: set[int]
) -> dict[int, list[ChatIdentity]]:
    """Region id → the chat identities of the active staff holding `role` exactly there."""
    rows = await session.execute(
        select(StaffRole.region_id, ChatIdentity)
        .join(StaffMember, StaffMember.id == StaffRole.staff_id)
        .join(ChatIdentity, ChatIdentity.staff_id == StaffMember.id)
        .where(
            StaffRole.role == role,
            StaffRole.region_id.in_(sorted(region_ids)),
            StaffMember.active.is_(True),
        )
        .order_by(ChatIdentity.id)
    )
    found: dict[int, list[ChatIdentity]] = defaultdict(list)
    for region_id, identity in rows.all():
        found[region_id].append(identity)
    return found
