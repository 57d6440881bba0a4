"""The dialog engine: one input in, the new state stored, replies out — in the caller's
transaction.

Order of rules: commands (/start, /cancel, /status, /help) work everywhere; a choice the current
step did not offer (an old message, a forged value) is answered politely and changes nothing;
every free text is checked for an emergency before anything else (except a worker's visit note,
which the visit's case is classified from); then the current flow takes the input. A duty button
sent by the scheduler (`visit:…`, `survey:…`) was never offered by this conversation: its flow
checks it against the database instead. The state is saved with a version check (`Conflict`
when another replica saved first: the edge rolls back and retries).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.classifier.classifier import Classifier
from backend.conversations import service as conversations
from backend.conversations.service import Snapshot
from backend.core.clock import Clock
from backend.core.crypto import PersonalDataCipher
from dialogs.context import Context, Turn, hotline_text
from dialogs.flows import emergency, intake, menu, report, status, survey, visit
from dialogs.types import Inbound, Reply

log = logging.getLogger(__name__)
MAX_TEXT = 4096
Keep = Callable[[Snapshot, list[Reply]], list[Reply]]


@dataclass(frozen=True)
class _Flow:
    prompt: Callable[[Context, Turn], Awaitable[None]]
    on_input: Callable[[Context, Turn, Inbound], Awaitable[None]]


# Flows that take input step by step (resumed by /start, re-asked after a stale button).
_FLOWS = {
    intake.FLOW: _Flow(intake.prompt, intake.on_input),
    visit.FLOW: _Flow(visit.prompt, visit.on_input),
    survey.FLOW: _Flow(survey.prompt, survey.on_input),
    report.FLOW: _Flow(report.prompt, report.on_input),
}
# Flows whose need text is kept when the engine stops it for an emergency.
_NEED_STEPS = {(intake.FLOW, "need"), (report.FLOW, "need")}
# Buttons of the scheduler's messages, by the prefix of their value.
_DUTY_BUTTONS: dict[str, Callable[[Context, Turn, str], Awaitable[None]]] = {
    visit.PREFIX: visit.begin,
    survey.PREFIX: survey.begin,
}


@dataclass(frozen=True)
class Engine:
    """What every update needs besides its session; built once by the composition root."""

    clock: Clock
    cipher: PersonalDataCipher
    classifier: Classifier
    hotlines: str = ""

    @classmethod
    def create(
        cls, *, clock: Clock, cipher: PersonalDataCipher, classifier: Classifier, hotlines: str
    ) -> Engine:
        return cls(clock, cipher, classifier, hotline_text(hotlines))

    async def handle(
        self,
        session: AsyncSession,
        *,
        channel: str,
        external_id: str,
        inbound: Inbound,
        display_name: str = "",
        reask: bool = False,
        keep: Keep | None = None,
        snapshot: Snapshot | None = None,
    ) -> list[Reply]:
        """The replies of one input. `reask`: when the input was answered without a question
        (too long, an invalid phone …) while a flow is under way, ask its current question again
        (a web page shows only this answer, Telegram keeps the question above). `keep`: called
        with the new state and the replies before the save, so a transport may keep something
        of its own in the state in the same write (the web chat keeps the screen); it returns
        the replies to give back. `snapshot`: the conversation as the caller loaded it in this
        session (`conversations.load`), so it is not loaded and copied a second time."""
        ctx = Context(
            session=session,
            clock=self.clock,
            cipher=self.cipher,
            classifier=self.classifier,
            channel=channel,
            external_id=external_id,
            hotlines=self.hotlines,
            display_name=display_name,
        )
        snap = (
            snapshot
            if snapshot is not None
            else await conversations.load(session, channel=channel, external_id=external_id)
        )
        before = (snap.flow, snap.step, conversations.clone(snap.state))
        turn = Turn(snap)
        await _dispatch(ctx, turn, inbound)
        if reask and snap.flow != "menu" and not any(r.choices for r in turn.replies):
            await _prompt(ctx, turn)
        replies = keep(snap, turn.replies) if keep is not None else turn.replies
        if snap.version == 0 or before != (snap.flow, snap.step, snap.state):
            await conversations.save(session, clock=self.clock, snapshot=snap)
        return replies


async def _prompt(ctx: Context, turn: Turn) -> None:
    """The current question again (what /start shows, without "resumed")."""
    if turn.snap.flow in _FLOWS:
        await _FLOWS[turn.snap.flow].prompt(ctx, turn)
    else:
        await menu.show_for(ctx, turn)


async def _dispatch(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    flow = _FLOWS.get(turn.snap.flow)
    if inbound.kind == "command":
        await _command(ctx, turn, inbound)
    elif inbound.kind == "choice" and inbound.value.split(":", 1)[0] in _DUTY_BUTTONS:
        await _DUTY_BUTTONS[inbound.value.split(":", 1)[0]](ctx, turn, inbound.value)
    elif inbound.kind == "choice":
        await _choice(ctx, turn, inbound.value)
    elif inbound.kind in ("text", "photo") and len(inbound.text) > MAX_TEXT:
        turn.say("text_long", limit=MAX_TEXT)
    elif (
        inbound.kind in ("text", "photo")
        and inbound.text.strip()
        and turn.snap.flow != visit.FLOW
        and _urgent(ctx, inbound)
    ):
        if (turn.snap.flow, turn.snap.step) in _NEED_STEPS:
            turn.data["text"] = inbound.text.strip()
        emergency.alert(ctx, turn, inbound.text.strip())
    elif flow is not None:
        await flow.on_input(ctx, turn, inbound)
    else:
        await _outside_flow(ctx, turn, inbound)


def _urgent(ctx: Context, inbound: Inbound) -> bool:
    return ctx.classify(inbound.text.strip()).emergency


async def _command(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    name = inbound.command
    if name == "start":
        if inbound.text.strip():
            await menu.bind(ctx, turn, inbound.text.strip())
        if turn.snap.flow in _FLOWS:
            turn.say("resumed" if turn.snap.flow == intake.FLOW else "resumed_duty")
        await _prompt(ctx, turn)
    elif name == "cancel":
        turn.reset(**{k: v for k, v in turn.data.items() if k == "last_case"})
        turn.say("cancelled")
        await menu.show_for(ctx, turn)
    elif name == "status":
        await status.show(ctx, turn)
    elif name == "help":
        turn.say("help")
    else:  # say so, then ask the current question again (or show the menu): never a dead end
        turn.say("unknown_command")
        await _prompt(ctx, turn)


async def _choice(ctx: Context, turn: Turn, value: str) -> None:
    if value not in turn.offered:
        if value == "submit" and turn.data.get("last_case"):
            turn.say("already_submitted", number=turn.data["last_case"])
        else:  # an old message or a forged value: say so, and ask the current question again
            turn.say("stale_choice")
            if turn.snap.flow in _FLOWS:
                await _FLOWS[turn.snap.flow].prompt(ctx, turn)
        return
    if value == "cancel":
        await _command(ctx, turn, Inbound("command", command="cancel"))
    elif value == "back":
        if turn.back() and turn.snap.flow in _FLOWS:
            await _FLOWS[turn.snap.flow].prompt(ctx, turn)
        else:
            await _command(ctx, turn, Inbound("command", command="cancel"))
    elif value == "em:report" and turn.snap.flow == report.FLOW:
        await report.report_now(ctx, turn)
    elif value == "em:report":
        await emergency.report(ctx, turn)
    elif value == "em:continue" and turn.snap.flow in (visit.FLOW, survey.FLOW):
        await _FLOWS[turn.snap.flow].prompt(ctx, turn)
    elif value == "em:continue" and turn.snap.flow == report.FLOW:
        await report.carry_on(ctx, turn)
    elif value == "em:continue":
        await emergency.carry_on(ctx, turn)
    elif value in ("m:self", "m:delegate"):
        intake.start(turn, mode=value[2:])
        await intake.prompt(ctx, turn)
    elif value == "m:report":
        await report.begin(ctx, turn)
    elif value == "m:status":
        await status.show(ctx, turn)
    elif value == "m:emergency":
        emergency.alert(ctx, turn, None)
    elif value == "m:help":
        turn.say("help")
    elif turn.snap.flow in _FLOWS:
        await _FLOWS[turn.snap.flow].on_input(ctx, turn, Inbound("choice", value=value))


async def _outside_flow(ctx: Context, turn: Turn, inbound: Inbound) -> None:
    """Outside an application a text or photo starts one: people just write what they need."""
    if inbound.kind in ("text", "photo"):
        intake.start(turn, mode="self")
        await intake.on_input(ctx, turn, inbound)
    elif inbound.kind == "voice":
        turn.say("voice_outside", hotlines=ctx.hotlines or "12349")
    else:
        turn.say("only_text")
        await menu.show_for(ctx, turn)
