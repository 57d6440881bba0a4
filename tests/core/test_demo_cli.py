"""`jiuzhu demo seed`: something to show on the first start, and safe to repeat."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from jiuzhu.cli import app


def test_demo_seed_creates_county_staff_and_cases_once(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "seed"], env=env)
    assert first.exit_code == 0, first.output
    assert "牟定县" in first.output
    assert re.search(r"532323-\d{4}-00001", first.output)  # the demo cases got numbers
    for username in ("admin", "county", "gonghe", "beitun", "provider"):
        assert username in first.output
    assert "jiuzhu-demo-2026" in first.output  # demo passwords are printed
    second = runner.invoke(app, ["demo", "seed"], env=env)
    assert second.exit_code == 0 and "已存在" in second.output
    listed = runner.invoke(app, ["region", "list", "532323"], env=env)
    assert "共和镇" in listed.output and "安乐乡" in listed.output
    assert (tmp_path / "jiuzhu.db").exists()
