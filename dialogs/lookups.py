"""Region look-ups of the chat dialogs, kept in memory per process (per database engine).

Every application asks for the counties, a county's townships and a township's villages, and
names the chosen ones: the same few rows for every resident. They are read once and kept for
`TTL` seconds, so a region added or renamed in the console reaches the chat buttons within a
minute; `invalidate()` empties the cache at once (tests, imports in the same process). Only plain
values are kept (never ORM objects, which belong to one session).

Village coordinates, when the region import provides them, are `extra["lat"]` and
`extra["lon"]` (WGS-84 degrees); `nearest_village` uses them for a shared location.
"""

from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from backend.regions.models import Region, RegionLevel

TTL = 60.0
NEAR_KM = 5.0  # a shared location farther than this from every village names no village


@dataclass(frozen=True, slots=True)
class Place:
    id: int
    name: str
    level: RegionLevel
    parent_id: int | None
    lat: float | None = None
    lon: float | None = None


@dataclass
class _Store:
    children: dict[int | None, tuple[float, list[Place]]] = field(default_factory=dict)
    places: dict[int, tuple[float, Place]] = field(default_factory=dict)


_stores: weakref.WeakKeyDictionary[Engine, _Store] = weakref.WeakKeyDictionary()


def _store(session: AsyncSession) -> _Store:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    found = _stores.get(engine)
    if found is None:
        found = _stores[engine] = _Store()
    return found


def invalidate() -> None:
    for store in list(_stores.values()):
        store.children.clear()
        store.places.clear()


def _coordinate(extra: dict[str, Any] | None, key: str) -> float | None:
    value = (extra or {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def _place(row: Any) -> Place:
    return Place(
        row.id,
        row.name,
        RegionLevel(row.level),
        row.parent_id,
        _coordinate(row.extra, "lat"),
        _coordinate(row.extra, "lon"),
    )


_COLUMNS = (Region.id, Region.name, Region.level, Region.parent_id, Region.extra)


async def children(session: AsyncSession, parent_id: int | None) -> list[Place]:
    """The counties (parent None) or a region's children, by code."""
    store, now = _store(session), time.monotonic()
    hit = store.children.get(parent_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    query = select(*_COLUMNS).order_by(Region.code)
    if parent_id is None:
        query = query.where(Region.level == RegionLevel.county)
    else:
        query = query.where(Region.parent_id == parent_id)
    found = [_place(row) for row in (await session.execute(query)).all()]
    store.children[parent_id] = (now + TTL, found)
    for place in found:
        store.places[place.id] = (now + TTL, place)
    return found


async def place(session: AsyncSession, region_id: int) -> Place | None:
    store, now = _store(session), time.monotonic()
    hit = store.places.get(region_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = (await session.execute(select(*_COLUMNS).where(Region.id == region_id))).first()
    if row is None:
        return None
    found = _place(row)
    store.places[region_id] = (now + TTL, found)
    return found


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


async def nearest_village(
    session: AsyncSession, *, lat: float, lon: float
) -> tuple[Place, Place, Place] | None:
    """(county, township, village) of the village nearest to the point, when villages have
    coordinates and one lies within `NEAR_KM`; else None."""
    best: tuple[float, tuple[Place, Place, Place]] | None = None
    for county in await children(session, None):
        for township in await children(session, county.id):
            for village in await children(session, township.id):
                if village.lat is None or village.lon is None:
                    continue
                km = _km(lat, lon, village.lat, village.lon)
                if km <= NEAR_KM and (best is None or km < best[0]):
                    best = (km, (county, township, village))
    return best[1] if best else None
