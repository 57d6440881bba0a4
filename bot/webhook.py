"""Webhook mode: a FastAPI router the composition root mounts with `create_app(routers=[...])`.

Telegram's `X-Telegram-Bot-Api-Secret-Token` header must match; the update is processed (its
effects committed, its id recorded) before 200 is returned, so a lost response only causes a
redelivery, which is a no-op.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from fastapi import APIRouter, Header, HTTPException, Request

log = logging.getLogger(__name__)
PATH = "/telegram/webhook"


def create_router(dispatcher: Dispatcher, bot: Bot, *, secret: str) -> APIRouter:
    router = APIRouter()

    @router.post(PATH, include_in_schema=False)
    async def webhook(
        request: Request,
        token: str | None = Header(default=None, alias="X-Telegram-Bot-Api-Secret-Token"),
    ) -> dict[str, Any]:
        if token is None or not hmac.compare_digest(token, secret):
            raise HTTPException(status_code=403, detail="forbidden")
        try:
            update = Update.model_validate(await request.json(), context={"bot": bot})
        except ValueError:
            raise HTTPException(status_code=400, detail="not an update") from None
        await dispatcher.feed_update(bot, update)
        return {"ok": True}

    return router
