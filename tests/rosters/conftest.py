from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.core.runtime import Runtime
from backend.people.models import Household, Person, TargetGroup
from backend.rosters import service as roster_service
from backend.rosters.service import RosterReport
from tests.world import World

Importer = Callable[..., Awaitable[RosterReport]]


@pytest.fixture
def import_roster(runtime: Runtime, world: World) -> Importer:
    """Import a file into 共和镇 (or `area`) and commit, like the CLI does."""

    async def run(path: Path, *, groups: Sequence[str] = ("低保",), area: str = "township",
                  dry_run: bool = False) -> RosterReport:  # fmt: skip
        region = getattr(world, area)
        async with runtime.sessions() as session, session.begin():
            report = await roster_service.import_roster(
                session, clock=runtime.clock, cipher=runtime.cipher, path=path, area=region,
                groups=groups,
            )  # fmt: skip
            if dry_run:
                await session.rollback()
        return report

    return run


@pytest.fixture
def counts(runtime: Runtime) -> Callable[[], Awaitable[tuple[int, int, int]]]:
    """(persons, households, target groups) in the database."""

    async def run() -> tuple[int, int, int]:
        async with runtime.sessions() as session:
            result = []
            for model in (Person, Household, TargetGroup):
                result.append(await session.scalar(select(func.count()).select_from(model)))
            return result[0] or 0, result[1] or 0, result[2] or 0

    return run
