"""What every entry point needs, built once from the settings: engine, sessions, clock, cipher."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.core.clock import Clock, SystemClock
from backend.core.crypto import PersonalDataCipher
from backend.core.db import create_engine, create_session_factory
from backend.core.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    cipher: PersonalDataCipher
    clock: Clock = field(default_factory=SystemClock)

    async def close(self) -> None:
        await self.engine.dispose()


def create_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    engine = create_engine(settings)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        cipher=PersonalDataCipher(settings.secret()),
        clock=clock or SystemClock(),
    )
