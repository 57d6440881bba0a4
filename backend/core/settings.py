"""The one validated settings object, built once at start and passed down.

Read from the environment and an optional `.env` file (see `.env.example`). Nothing else in the
code reads the environment. The embedded default (SQLite under `./var/`) needs no configuration at
all: it creates and keeps its own secret key in `var/secret.key`. A server database needs an
explicit `SECRET_KEY`, because losing it makes every encrypted ID number unreadable.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.core.errors import ConfigurationError

_PLACEHOLDER_SECRETS = {"changeme", "change-me", "change_me", "secret", "please-change", "xxx"}
_BOT_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
MIN_SECRET_LENGTH = 32


def _normalise_database_url(url: str) -> str:
    """Accept the usual spellings and pick the async drivers the code uses."""
    url = url.strip()
    for plain, async_ in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgresql+psycopg://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return async_ + url[len(plain) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise ValueError("must start with sqlite:// or postgresql:// (e.g. postgresql://user@host/db)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    var_dir: Path = Field(default=Path("var"), description="Where the embedded default keeps data")
    database_url: str = Field(default="", description="Empty: SQLite file var/jiuzhu.db")
    # The PostgreSQL pool of one process: keep pool size + overflow at least the number of
    # requests served at once (a request waiting for a connection is latency for nothing).
    db_pool_size: int = Field(default=20, ge=1, le=500)
    db_max_overflow: int = Field(default=40, ge=0, le=1000)
    # A "SELECT 1" round trip before every checkout; off by default: a connection that died
    # (database restarted) fails one request and the pool replaces it.
    db_pre_ping: bool = False
    redis_url: str | None = None
    bot_token: SecretStr | None = None
    telegram_api_base: str | None = None
    timezone: str = "Asia/Shanghai"
    secret_key: SecretStr | None = None
    log_level: str = "INFO"
    classifier_keywords: list[Path] = Field(default_factory=list)
    county_hotlines: str = Field(
        default="", description="The county's own numbers, e.g. '民政局:0878-5211234;12349'"
    )

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return _normalise_database_url(value) if value else value

    @field_validator("redis_url", "telegram_api_base", "bot_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// (e.g. redis://127.0.0.1:6379/0)")
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _api_base(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) base URL such as http://127.0.0.1:8081")
        return value.rstrip("/") if value else value

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _BOT_TOKEN.match(value.get_secret_value()):
            raise ValueError("does not look like a Telegram bot token (digits:letters)")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        raw = value.get_secret_value().strip()
        if raw.lower() in _PLACEHOLDER_SECRETS or len(raw) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"must be a random string of at least {MIN_SECRET_LENGTH} characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return SecretStr(raw)

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{(self.var_dir / 'jiuzhu.db').as_posix()}"
        if self.secret_key is None and not self.is_sqlite:
            raise ValueError(
                "SECRET_KEY is required with a server database (it encrypts ID numbers)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def attachments_dir(self) -> Path:
        return self.var_dir / "attachments"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def secret(self) -> bytes:
        """The master secret; on the embedded default it is created once in var/secret.key."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        raw = path.read_text().strip()
        if len(raw) < MIN_SECRET_LENGTH:
            raise ConfigurationError(f"配置错误: {path} is damaged (too short); restore it")
        return raw.encode()


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning any validation problem into one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise ConfigurationError(
            f"配置错误 (configuration error): {where.upper()}: {message}"
        ) from None
