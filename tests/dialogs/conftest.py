"""A dialog driver with no transport: each input runs in its own committed transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from backend.classifier.service import get_classifier
from backend.core.runtime import Runtime
from dialogs.engine import Engine
from dialogs.texts import render
from dialogs.types import Inbound, Reply


@dataclass
class Chat:
    runtime: Runtime
    engine: Engine
    user: str = "1001"
    name: str = "小王"
    log: list[Reply] = field(default_factory=list)

    async def send(self, inbound: Inbound) -> list[Reply]:
        async with self.runtime.sessions() as session, session.begin():
            replies = await self.engine.handle(
                session,
                channel="telegram",
                external_id=self.user,
                inbound=inbound,
                display_name=self.name,
            )
        self.log += replies
        return replies

    async def text(self, text: str) -> list[Reply]:
        return await self.send(Inbound("text", text=text))

    async def tap(self, value: str) -> list[Reply]:
        return await self.send(Inbound("choice", value=value))

    async def command(self, name: str, arg: str = "") -> list[Reply]:
        return await self.send(Inbound("command", command=name, text=arg))

    async def tap_label(self, label: str) -> list[Reply]:
        """Press the button of the last reply whose rendered label is `label`."""
        for reply in reversed(self.log):
            for row in reply.choices:
                for choice in row:
                    if render(choice.key, choice.params) == label:
                        return await self.tap(choice.value)
        raise AssertionError(f"no button {label!r}")


def keys(replies: list[Reply]) -> list[str]:
    return [r.key for r in replies]


def shown(replies: list[Reply]) -> str:
    return "\n".join(render(r.key, r.params) for r in replies)


@pytest.fixture
def engine(runtime: Runtime) -> Engine:
    return Engine.create(
        clock=runtime.clock,
        cipher=runtime.cipher,
        classifier=get_classifier(),
        hotlines="民政局:0878-5211234;12349",
    )


@pytest.fixture
def chat(runtime: Runtime, engine: Engine) -> Chat:
    return Chat(runtime, engine)
