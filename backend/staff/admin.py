"""Account administration by a county's administrators (the console's 账号管理): the same
services as `jiuzhu user …`, under one scope rule and with an audit entry for every change.

Scope: an administrator manages the accounts whose every role lies inside one of its admin grants'
regions; an account with a role elsewhere (another county) is not theirs, and answers like a
missing one. Nobody changes their own account here (no locking oneself out, no self-promotion).
A password reset and a deactivation end the account's open sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.core.clock import Clock
from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Forbidden, InvalidInput, NotFound
from backend.regions.models import Region
from backend.staff import auth
from backend.staff import service as staff_service
from backend.staff.actor import Actor
from backend.staff.models import ROLE_NAMES, Role, StaffMember, StaffRole


@dataclass(frozen=True, slots=True)
class RoleRow:
    role: Role
    role_name: str
    region_id: int
    region_name: str


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    name: str
    active: bool
    phone_masked: str | None
    roles: tuple[RoleRow, ...]


def scopes(actor: Actor) -> list[str]:
    """The region paths the actor administers; Forbidden when it is no administrator."""
    paths = sorted({g.region_path for g in actor.grants if g.role == Role.admin})
    if not paths:
        raise Forbidden("只有系统管理员可以管理账号", code="admin_only")
    return paths


def _inside(path: str, paths: Sequence[str]) -> bool:
    return any(path.startswith(p) for p in paths)


async def list_accounts(session: AsyncSession, *, actor: Actor) -> list[Account]:
    """Every account whose roles all lie in the actor's area, by username."""
    paths = scopes(actor)
    rows = await session.execute(
        select(StaffMember, StaffRole.role, Region.id, Region.name, Region.path)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .join(Region, Region.id == StaffRole.region_id)
        .order_by(StaffMember.username, StaffRole.role, Region.code)
    )
    members: dict[int, StaffMember] = {}
    roles: dict[int, list[RoleRow]] = {}
    outside: set[int] = set()
    for member, role, region_id, region_name, path in rows:
        members[member.id] = member
        if not _inside(path, paths):
            outside.add(member.id)
        roles.setdefault(member.id, []).append(
            RoleRow(Role(role), ROLE_NAMES[Role(role)], region_id, region_name)
        )
    return [
        Account(m.id, m.username, m.name, m.active, m.phone_masked, tuple(roles[m.id]))
        for m in members.values()
        if m.id not in outside
    ]


async def get_account(session: AsyncSession, *, actor: Actor, staff_id: int) -> Account:
    """One account of the actor's area; anyone else's answers like a missing one."""
    for account in await list_accounts(session, actor=actor):
        if account.id == staff_id:
            return account
    raise NotFound("找不到这个账号", code="staff_not_found")


async def _member(session: AsyncSession, actor: Actor, staff_id: int) -> StaffMember:
    await get_account(session, actor=actor, staff_id=staff_id)
    if staff_id == actor.staff_id:
        raise Forbidden("不能在这里修改自己的账号", code="admin_self")
    member = await staff_service.get(session, staff_id=staff_id)
    if member is None:  # pragma: no cover - get_account found it a moment ago
        raise NotFound("找不到这个账号", code="staff_not_found")
    return member


async def _region(session: AsyncSession, actor: Actor, region_id: int) -> Region:
    region = await session.get(Region, region_id)
    if region is None or not _inside(region.path, scopes(actor)):
        raise InvalidInput("请选择您辖区内的地区", code="region_scope")
    return region


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("请选择角色", code="role") from None


async def _audit(
    session: AsyncSession, clock: Clock, actor: Actor, action: str, staff_id: int, **detail: str
) -> None:
    await audit.record(
        session,
        clock=clock,
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        action=action,
        entity_type="staff",
        entity_id=staff_id,
        detail=detail,
    )


async def add_account(
    session: AsyncSession,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    actor: Actor,
    username: str,
    name: str,
    role: str,
    region_id: int,
    password: str,
    phone: str | None = None,
) -> StaffMember:
    chosen, region = _role(role), await _region(session, actor, region_id)
    if not name.strip() or len(name.strip()) > 50:
        raise InvalidInput("请填写姓名(最多50字)", code="name")
    member = await staff_service.create(
        session, clock=clock, cipher=cipher, username=username, name=name,
        password=password, roles=[(chosen, region)], phone=phone,
    )  # fmt: skip
    await _audit(session, clock, actor, "staff_add", member.id, role=chosen.value,
                 region=str(region.id))  # fmt: skip
    return member


async def grant_role(
    session: AsyncSession, *, clock: Clock, actor: Actor, staff_id: int, role: str, region_id: int
) -> None:
    member = await _member(session, actor, staff_id)
    chosen, region = _role(role), await _region(session, actor, region_id)
    await staff_service.grant(session, member=member, role=chosen, region=region)
    await _audit(session, clock, actor, "staff_grant", staff_id, role=chosen.value,
                 region=str(region.id))  # fmt: skip


async def revoke_role(
    session: AsyncSession, *, clock: Clock, actor: Actor, staff_id: int, role: str, region_id: int
) -> None:
    member = await _member(session, actor, staff_id)
    chosen, region = _role(role), await _region(session, actor, region_id)
    if len(member.roles) == 1:
        raise InvalidInput("这是该账号唯一的角色;不再使用请停用账号", code="last_role")
    await staff_service.revoke(session, member=member, role=chosen, region=region)
    await _audit(session, clock, actor, "staff_revoke", staff_id, role=chosen.value,
                 region=str(region.id))  # fmt: skip


async def set_active(
    session: AsyncSession, *, clock: Clock, actor: Actor, staff_id: int, active: bool
) -> None:
    member = await _member(session, actor, staff_id)
    await staff_service.set_active(session, member=member, active=active)
    if not active:
        await auth.revoke_all(session, clock=clock, staff_id=staff_id)
    await _audit(session, clock, actor, "staff_enable" if active else "staff_disable", staff_id)


async def reset_password(
    session: AsyncSession, *, clock: Clock, actor: Actor, staff_id: int, password: str,
    confirm: str,
) -> None:  # fmt: skip
    """A new password chosen by the administrator (told to the user in person); every open
    session of the account ends."""
    member = await _member(session, actor, staff_id)
    if password != confirm:
        raise InvalidInput("两次输入的密码不一致", code="password_mismatch")
    await staff_service.set_password(session, member=member, password=password)
    await auth.revoke_all(session, clock=clock, staff_id=staff_id)
    await _audit(session, clock, actor, "staff_password", staff_id)


def grantable_roles() -> list[tuple[str, str]]:
    return [(r.value, ROLE_NAMES[r]) for r in Role]
