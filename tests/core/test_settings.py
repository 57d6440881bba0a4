"""Settings: zero configuration on the embedded default, one clear line for anything wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.core.errors import ConfigurationError
from backend.core.settings import load_settings
from jiuzhu.cli import app

SECRET = "s" * 40


def test_embedded_default_needs_nothing(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/jiuzhu.db"
    assert settings.timezone == "Asia/Shanghai"
    secret = settings.secret()
    assert len(secret) >= 32
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    assert load_settings(var_dir=tmp_path).secret() == secret  # kept, not regenerated


def test_postgres_spellings_are_normalised() -> None:
    settings = load_settings(database_url="postgresql://u@h/db", secret_key=SECRET)
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"database_url": "mysql://x"}, "DATABASE_URL"),
        ({"database_url": "postgresql://u@h/db"}, "SECRET_KEY"),
        ({"secret_key": "changeme"}, "SECRET_KEY"),
        ({"secret_key": "short"}, "SECRET_KEY"),
        ({"redis_url": "http://x"}, "REDIS_URL"),
        ({"bot_token": "not-a-token"}, "BOT_TOKEN"),
        ({"telegram_api_base": "127.0.0.1:8081"}, "TELEGRAM_API_BASE"),
        ({"timezone": "Mars/Olympus"}, "TIMEZONE"),
    ],
)
def test_malformed_settings_stop_with_one_line(overrides: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigurationError) as stopped:
        load_settings(**overrides)
    message = stopped.value.message
    assert "\n" not in message and names in message


def test_cli_refuses_to_start_with_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["db", "current"], env={"DATABASE_URL": "oracle://x", "VAR_DIR": str(tmp_path)}
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "DATABASE_URL" in lines[0]
