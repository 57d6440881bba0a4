"""`jiuzhu roster import` end to end: dry run, the error workbook, a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from backend.core.settings import Settings
from jiuzhu.cli import app
from tests.conftest import TEST_SECRET
from tests.rosters.rosterbooks import REFUSED_LINES, write_dibao_xlsx
from tests.world import World


@pytest.fixture
def cli_env(settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))


def test_dry_run_then_import_then_reimport(tmp_path: Path, cli_env: None) -> None:
    roster = write_dibao_xlsx(tmp_path / "低保.xlsx")
    runner = CliRunner()
    args = ["roster", "import", str(roster), "--township", "532323100000", "--group", "低保"]

    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "将新增 4 人" in dry.output and "试运行,未做任何修改" in dry.output
    assert "第4行 张*" in dry.output and "第5行 李*" in dry.output
    assert "第7行: 身份证号被Excel存成了数字" in dry.output
    errors = tmp_path / "低保_未导入.xlsx"
    sheet = load_workbook(errors).active
    assert sheet is not None
    assert sheet.max_row == 1 + len(REFUSED_LINES)

    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "已新增 4 人" in first.output

    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "已新增 0 人, 已修改 0 人, 未变 4 人" in second.output


def test_an_unknown_region_code_is_one_clear_line(tmp_path: Path, cli_env: None) -> None:
    roster = write_dibao_xlsx(tmp_path / "低保.xlsx")
    result = CliRunner().invoke(
        app, ["roster", "import", str(roster), "--county", "999999000000", "-g", "低保"]
    )
    assert result.exit_code == 1
    assert "找不到区划 999999000000" in result.output
