"""Every text a user reads, by key, one module per flow. Transports render keys; never rewrite."""

from __future__ import annotations

from typing import Any

from dialogs.texts import intake, menu, notify, report, status, survey, visit

TEXTS: dict[str, str] = {
    **menu.TEXTS,
    **intake.TEXTS,
    **status.TEXTS,
    **notify.TEXTS,
    **visit.TEXTS,
    **survey.TEXTS,
    **report.TEXTS,
}


def render(key: str, params: dict[str, Any] | None = None) -> str:
    """The text of `key` with its parameters; an unknown key is a programming error."""
    template = TEXTS[key]
    return template.format(**params) if params else template
