"""`jiuzhu calendar …` through the real Typer app against the test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.core.runtime import Runtime
from backend.core.settings import Settings
from jiuzhu.cli import app
from tests.conftest import TEST_SECRET


@pytest.fixture
def cli(
    settings: Settings, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    """A runner whose commands use this test's database (`runtime` cleans it up on PostgreSQL)."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    return CliRunner()


def test_check_warns_for_the_coming_year_without_data(cli: CliRunner) -> None:
    result = cli.invoke(app, ["calendar", "check", "--today", "2031-11-20"])
    assert result.exit_code == 0, result.output
    assert "缺少2031、2032年的节假日和调休安排" in result.output
    strict = cli.invoke(app, ["calendar", "check", "--today", "2031-11-20", "--strict"])
    assert strict.exit_code == 1


def test_check_is_quiet_when_both_years_are_known(cli: CliRunner) -> None:
    assert cli.invoke(app, ["calendar", "set", "2031-01-01", "--holiday"]).exit_code == 0
    assert cli.invoke(app, ["calendar", "set", "2032-01-01", "--holiday"]).exit_code == 0
    result = cli.invoke(app, ["calendar", "check", "--today", "2031-11-20", "--strict"])
    assert result.exit_code == 0, result.output
    assert "缺少" not in result.output
    assert "管理员录入: 2031、2032 年" in result.output


def test_workdays_lists_the_make_up_saturday(cli: CliRunner) -> None:
    result = cli.invoke(app, ["calendar", "workdays", "2026-02-13", "2026-02-24"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines == [
        "2026-02-13 周五 上班",
        "2026-02-14 周六 调休上班  春节",
        "2026-02-24 周二 上班",
        "共 3 个工作日",
    ]


def test_set_makes_a_holiday_and_the_deadline_moves(cli: CliRunner) -> None:
    args = ["calendar", "deadline", "--county", "532323", "--step", "register"]
    before = cli.invoke(app, [*args, "--from", "2026-03-06T10:00"])
    assert "2026-03-09 23:59:59" in before.output, before.output
    made = cli.invoke(app, ["calendar", "set", "2026-03-09", "--holiday", "--note", "地方节日"])
    assert made.exit_code == 0, made.output
    after = cli.invoke(app, [*args, "--from", "2026-03-06T10:00"])
    assert "受理登记: 2026-03-10 23:59:59 北京时间" in after.output, after.output


def test_rules_and_set_rule(cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["calendar", "set-rule", "--county", "532323", "--step", "review", "--workdays", "20"]
    )
    assert result.exit_code == 0, result.output
    rules = cli.invoke(app, ["calendar", "rules", "--county", "532323"]).output
    review = next(line for line in rules.splitlines() if line.startswith("review "))
    assert "20个工作日" in review and "本县设置" in review
    other = cli.invoke(app, ["calendar", "rules", "--county", "532331"]).output
    assert "25个工作日" in next(line for line in other.splitlines() if line.startswith("review "))


def test_errors_are_one_line(cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["calendar", "set-rule", "--county", "532323", "--step", "nap", "--hours", "2"]
    )
    assert result.exit_code == 1
    assert result.output.strip().startswith("没有这个办理环节: nap")
    assert "Traceback" not in result.output
