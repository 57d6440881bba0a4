"""`jiuzhu bind-code`: prints a single-use code and the deep link; refuses bad targets."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from jiuzhu.cli import app


def test_bind_code_for_a_staff_member_and_bad_targets(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "seed"], env=env).exit_code == 0
    result = runner.invoke(app, ["bind-code", "--staff", "gonghe", "--bot", "jz_bot"], env=env)
    assert result.exit_code == 0, result.output
    code = re.search(r"start=([A-Za-z0-9_-]{16})", result.output)
    assert code and "t.me/jz_bot" in result.output
    assert runner.invoke(app, ["bind-code"], env=env).exit_code == 2
    missing = runner.invoke(app, ["bind-code", "--staff", "nobody"], env=env)
    assert missing.exit_code == 1 and "nobody" in missing.output
    late = runner.invoke(app, ["bind-code", "--person-id", "1", "--hours", "0"], env=env)
    assert late.exit_code == 1
