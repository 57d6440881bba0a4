"""Staff accounts and the `Actor` built from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import Clock
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Conflict, InvalidInput, NotFound
from backend.people.idnumbers import mask_phone, normalise_phone
from backend.regions.models import Region, RegionLevel
from backend.staff.actor import Actor, Grant
from backend.staff.models import Role, StaffMember, StaffRole
from backend.staff.passwords import hash_password

# Which region level each role is granted on.
ROLE_LEVELS: dict[Role, set[RegionLevel]] = {
    Role.village_worker: {RegionLevel.village, RegionLevel.group},
    Role.township_officer: {RegionLevel.township},
    Role.county_officer: {RegionLevel.county},
    Role.provider: {RegionLevel.county, RegionLevel.township},
    Role.admin: {RegionLevel.county},
}
MIN_PASSWORD_LENGTH = 8


async def get(session: AsyncSession, *, staff_id: int) -> StaffMember | None:
    return await session.get(StaffMember, staff_id)


async def get_by_username(session: AsyncSession, *, username: str) -> StaffMember | None:
    result = await session.execute(select(StaffMember).where(StaffMember.username == username))
    return result.scalar_one_or_none()


async def create(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    username: str,
    name: str,
    password: str | None,
    roles: Sequence[tuple[Role, Region]],
    phone: str | None = None,
) -> StaffMember:
    username = username.strip()
    if not username or len(username) > 50:
        raise InvalidInput("用户名不能为空,最多50个字符", code="username")
    if await get_by_username(session, username=username) is not None:
        raise Conflict(f"用户名 {username} 已被使用", code="username_taken")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少{MIN_PASSWORD_LENGTH}位", code="password_short")
    for role, region in roles:
        if region.level not in ROLE_LEVELS[role]:
            raise InvalidInput(
                f"角色 {role.value} 不能设在 {region.name}({region.level.value})这一级",
                code="role_level",
            )
    phone_value = normalise_phone(phone) if phone else None
    member = StaffMember(
        username=username,
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
        phone_enc=cipher.encrypt(phone_value) if phone_value else None,
        phone_masked=mask_phone(phone_value) if phone_value else None,
        active=True,
        created_at=clock.now(),
        roles=[StaffRole(role=role, region_id=region.id) for role, region in roles],
    )
    session.add(member)
    await session.flush()
    return member


async def actor_for(session: AsyncSession, *, staff_id: int) -> Actor:
    """The acting identity of a staff member, with region paths; inactive accounts have none."""
    rows = await session.execute(
        select(StaffMember.name, StaffMember.active, StaffRole.role, Region.id, Region.path)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id, isouter=True)
        .join(Region, Region.id == StaffRole.region_id, isouter=True)
        .where(StaffMember.id == staff_id)
    )
    found = rows.all()
    if not found:
        raise NotFound("找不到该工作人员", code="staff_not_found")
    return actor_of(staff_id, [tuple(r) for r in found])


def actor_of(staff_id: int, rows: Sequence[Sequence[Any]]) -> Actor:
    """The `Actor` from rows of (name, active, role, region id, region path) — one per role,
    role None for an account without any; an inactive account gets no grants."""
    name, active = rows[0][0], rows[0][1]
    grants = tuple(
        Grant(role=Role(role), region_id=region_id, region_path=path)
        for _, _, role, region_id, path in rows
        if active and role is not None
    )
    return Actor(kind="staff", label=name, staff_id=staff_id, grants=grants)


async def list_staff(session: AsyncSession) -> list[StaffMember]:
    result = await session.execute(select(StaffMember).order_by(StaffMember.username))
    return list(result.scalars())


async def get_by_username_or_raise(session: AsyncSession, *, username: str) -> StaffMember:
    member = await get_by_username(session, username=username.strip())
    if member is None:
        raise NotFound(f"没有用户 {username}", code="staff_not_found")
    return member


async def set_password(session: AsyncSession, *, member: StaffMember, password: str) -> None:
    """A new password; the caller ends the account's open sessions (`auth.revoke_all`)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少{MIN_PASSWORD_LENGTH}位", code="password_short")
    member.password_hash = hash_password(password)
    await session.flush()


async def set_active(session: AsyncSession, *, member: StaffMember, active: bool) -> None:
    member.active = active
    await session.flush()


async def grant(session: AsyncSession, *, member: StaffMember, role: Role, region: Region) -> None:
    """Add a role on a region; it applies from the account's next request."""
    if region.level not in ROLE_LEVELS[role]:
        raise InvalidInput(
            f"角色 {role.value} 不能设在 {region.name}({region.level.value})这一级",
            code="role_level",
        )
    if any(r.role == role and r.region_id == region.id for r in member.roles):
        raise Conflict("该用户已有这个角色", code="role_exists")
    member.roles.append(StaffRole(role=role, region_id=region.id))
    await session.flush()


async def revoke(session: AsyncSession, *, member: StaffMember, role: Role, region: Region) -> None:
    """Remove a role on a region; it stops applying from the account's next request."""
    kept = [r for r in member.roles if not (r.role == role and r.region_id == region.id)]
    if len(kept) == len(member.roles):
        raise NotFound("该用户没有这个角色", code="role_missing")
    member.roles[:] = kept
    await session.flush()
