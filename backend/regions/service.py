"""Regions: look-up, creation and the tree of a county."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import InvalidInput, NotFound
from backend.regions.codes import parse_code
from backend.regions.models import Region, RegionLevel


async def get(session: AsyncSession, *, region_id: int) -> Region | None:
    return await session.get(Region, region_id)


async def get_or_raise(session: AsyncSession, *, region_id: int) -> Region:
    region = await session.get(Region, region_id)
    if region is None:
        raise NotFound("找不到这个地区", code="region_not_found")
    return region


async def get_by_code(session: AsyncSession, *, code: str) -> Region | None:
    canonical = parse_code(code).code
    result = await session.execute(select(Region).where(Region.code == canonical))
    return result.scalar_one_or_none()


async def create(
    session: AsyncSession,
    *,
    code: str,
    name: str,
    aliases: Sequence[str] = (),
    parent: Region | None = None,
) -> Region:
    """Create a region; its level and parent follow from its code."""
    parsed = parse_code(code)
    if parsed.level is None:
        raise InvalidInput(f"{code} 是省或市级代码,系统从县级开始", code="region_level")
    if parent is None and parsed.parent_code is not None:
        parent = await get_by_code(session, code=parsed.parent_code)
        if parent is None:
            raise InvalidInput(
                f"上级区划 {parsed.parent_code} 不存在,请先导入上级", code="region_parent"
            )
    name = name.strip()
    if not name:
        raise InvalidInput("区划名称不能为空", code="region_name")
    region = Region(
        code=parsed.code,
        name=name,
        level=parsed.level,
        parent_id=parent.id if parent else None,
        path=(parent.path if parent else "") + parsed.significant + "/",
        aliases=list(aliases),
        extra={},
    )
    session.add(region)
    await session.flush()
    return region


async def list_children(session: AsyncSession, *, region: Region | None) -> list[Region]:
    query = select(Region).order_by(Region.code)
    if region is None:
        query = query.where(Region.level == RegionLevel.county)
    else:
        query = query.where(Region.parent_id == region.id)
    return list((await session.execute(query)).scalars())


async def list_subtree(session: AsyncSession, *, region: Region) -> list[Region]:
    query = select(Region).where(Region.path.startswith(region.path)).order_by(Region.code)
    return list((await session.execute(query)).scalars())


async def township_of(session: AsyncSession, *, region: Region) -> Region:
    """The township a township, village or group belongs to."""
    if region.level == RegionLevel.county:
        raise InvalidInput("请选到乡镇或村一级", code="region_too_coarse")
    current = region
    while current.level != RegionLevel.township:
        if current.parent_id is None:
            raise InvalidInput("区划数据不完整: 找不到所属乡镇", code="region_orphan")
        current = await get_or_raise(session, region_id=current.parent_id)
    return current


async def find_by_name(session: AsyncSession, *, parent: Region, name: str) -> Region | None:
    """A child of `parent` by its name or one of its aliases (merged or renamed villages)."""
    name = name.strip()
    for child in await list_children(session, region=parent):
        if child.name == name or name in (child.aliases or []):
            return child
    return None
