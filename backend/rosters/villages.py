"""Matching the village (and township) a roster row names to a region, in one pass over the area.

The area is the region given on the command line (a county, a township, or a village). Names are
compared without their administrative suffix (北屯村委会 = 北屯村 = 北屯), and against aliases (a
merged or renamed village keeps its old name as an alias). A village name that occurs in two
townships of a county needs the township column to tell them apart.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import InvalidInput
from backend.regions import service as regions_service
from backend.regions.models import Region, RegionLevel

_VILLAGE_SUFFIX = re.compile(r"(村民委员会|居民委员会|社区居委会|村委会|居委会|社区|村)$")
_TOWNSHIP_SUFFIX = re.compile(r"(街道办事处|人民政府|街道|镇|乡)$")


def _bare(name: str, suffix: re.Pattern[str]) -> str:
    text = re.sub(r"\s+", "", name)
    return suffix.sub("", text) or text


class VillageMatcher:
    """Maps (township text, village text) from a row to a region id, without further queries."""

    def __init__(self, area: Region, regions: list[Region]) -> None:
        self.area = area
        self._townships: dict[str, list[Region]] = defaultdict(list)
        self._villages: dict[str, list[Region]] = defaultdict(list)
        self._town_list = [r for r in regions if r.level == RegionLevel.township]
        self._cache: dict[tuple[str | None, str | None], int | InvalidInput] = {}
        for region in regions:
            names = (region.name, *(region.aliases or []))
            if region.level == RegionLevel.township:
                for name in names:
                    self._townships[_bare(name, _TOWNSHIP_SUFFIX)].append(region)
            elif region.level == RegionLevel.village:
                for name in names:
                    key = _bare(name, _VILLAGE_SUFFIX)
                    if region not in self._villages[key]:
                        self._villages[key].append(region)

    def match(self, township: str | None, village: str | None) -> int:
        """The region id; raise InvalidInput with a message for the clerk."""
        key = (township, village)
        if key not in self._cache:
            try:
                self._cache[key] = self._match(township, village)
            except InvalidInput as exc:
                self._cache[key] = exc
        found = self._cache[key]
        if isinstance(found, InvalidInput):
            raise InvalidInput(found.message, code=found.code)
        return found

    def _match(self, township: str | None, village: str | None) -> int:
        if self.area.level in (RegionLevel.village, RegionLevel.group):
            if village and self._village_key(village) not in self._names_of_area():
                raise InvalidInput(
                    f"村(社区)“{village}”与导入时指定的{self.area.name}不符", code="village_other"
                )
            return self.area.id
        if not village:
            raise InvalidInput("村(社区)为空", code="village_empty")
        town = self._township(township, village)
        key = self._village_key(village)
        candidates = self._villages.get(key, [])
        if town is not None:
            candidates = [v for v in candidates if v.parent_id == town.id]
        if not candidates:
            where = town.name if town is not None else self.area.name
            raise InvalidInput(
                f"村(社区)“{village}”不在{where}的区划里,请核对村名(或先导入区划、添加别名)",
                code="village_unknown",
            )
        if len(candidates) > 1:
            raise InvalidInput(
                f"“{village}”在{self.area.name}有重名,请在表中加“乡镇”列,或用 --region 指定乡镇",
                code="village_ambiguous",
            )
        return candidates[0].id

    def _names_of_area(self) -> set[str]:
        return {_bare(n, _VILLAGE_SUFFIX) for n in (self.area.name, *(self.area.aliases or []))}

    def _village_key(self, village: str) -> str:
        text = re.sub(r"\s+", "", village)
        for town in self._town_list:  # "共和镇北屯村": drop the township prefix
            if text.startswith(town.name) and len(text) > len(town.name):
                text = text[len(town.name) :]
                break
        return _bare(text, _VILLAGE_SUFFIX)

    def _township(self, township: str | None, village: str) -> Region | None:
        if self.area.level == RegionLevel.township:
            return self.area
        text = re.sub(r"\s+", "", township or "")
        if not text:
            bare_village = re.sub(r"\s+", "", village)
            return next((t for t in self._town_list if bare_village.startswith(t.name)), None)
        found = self._townships.get(_bare(text, _TOWNSHIP_SUFFIX), [])
        if not found:
            raise InvalidInput(
                f"乡镇“{township}”不在{self.area.name}的区划里,请核对", code="township_unknown"
            )
        return found[0]


async def build_matcher(session: AsyncSession, *, area: Region) -> VillageMatcher:
    if area.level not in (RegionLevel.county, RegionLevel.township, RegionLevel.village):
        raise InvalidInput("请指定县、乡镇或村一级的区划代码", code="region_level")
    return VillageMatcher(area, await regions_service.list_subtree(session, region=area))
