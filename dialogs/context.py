"""What a flow works with: the dependencies of one update (`Context`) and its outcome (`Turn`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.classifier.classifier import Classifier
from backend.classifier.schemas import Classification
from backend.conversations.service import Snapshot
from backend.core.clock import Clock
from backend.core.crypto import PersonalDataCipher
from backend.identities import service as identities_service
from backend.identities.models import ChatIdentity
from dialogs.types import Choice, Reply

BACK = Choice("back", "back")
CANCEL = Choice("cancel", "cancel")
SKIP = Choice("skip", "skip")


def hotline_text(raw: str) -> str:
    """'民政局:0878-5211234;12349' → '民政局 0878-5211234、12349'."""
    parts = [p.strip().replace(":", " ").replace(":", " ") for p in raw.split(";")]
    return "、".join(p for p in parts if p)


@dataclass
class Context:
    session: AsyncSession
    clock: Clock
    cipher: PersonalDataCipher
    classifier: Classifier
    channel: str
    external_id: str
    hotlines: str = ""  # the county's own numbers, already readable
    display_name: str = ""
    _identity: ChatIdentity | None = None
    _classified: dict[str, Classification] = field(default_factory=dict)

    def classify(self, text: str) -> Classification:
        """The classifier's result, computed once per text within this update (the engine's
        emergency check and the intake read the same words)."""
        found = self._classified.get(text)
        if found is None:
            found = self._classified[text] = self.classifier.classify(text)
        return found

    async def identity(self) -> ChatIdentity:
        if self._identity is None:
            self._identity = await identities_service.get_or_create(
                self.session,
                clock=self.clock,
                channel=self.channel,
                external_id=self.external_id,
                display_name=self.display_name,
            )
        return self._identity


@dataclass
class Turn:
    snap: Snapshot
    replies: list[Reply] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.snap.state.setdefault("data", {})
        return data

    @property
    def offered(self) -> list[str]:
        offered: list[str] = self.snap.state.get("offered", [])
        return offered

    def say(self, key: str, **params: Any) -> None:
        self.replies.append(Reply(key, params))

    def ask(
        self,
        key: str,
        rows: list[list[Choice]],
        *,
        ask_contact: bool = False,
        ask_location: bool = False,
        keep: bool = False,
        **params: Any,
    ) -> None:
        """Say `key` with buttons; only these values (and, with `keep`, the buttons already
        offered) are accepted until the next question."""
        self.replies.append(
            Reply(key, params, tuple(tuple(r) for r in rows if r), ask_contact, ask_location)
        )
        values = [c.value for row in rows for c in row]
        self.snap.state["offered"] = [*self.offered, *values] if keep else values

    def goto(self, flow: str, step: str, *, push: bool = True) -> None:
        if push and self.snap.flow == flow:
            self.snap.state.setdefault("back", []).append(self.snap.step)
        self.snap.flow, self.snap.step = flow, step

    def back(self) -> bool:
        stack: list[str] = self.snap.state.get("back", [])
        if not stack:
            return False
        self.snap.step = stack.pop()
        return True

    def reset(self, **keep: Any) -> None:
        self.snap.flow, self.snap.step = "menu", "start"
        self.snap.state = {"data": dict(keep), "offered": [], "back": []}
