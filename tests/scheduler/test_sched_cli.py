"""`jiuzhu scheduler tick --at`: every sweep once as of the given time; a second run changes
nothing."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from jiuzhu.cli import app


def test_tick_at_a_given_time_runs_every_sweep_once(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "seed"], env=env).exit_code == 0
    first = runner.invoke(app, ["scheduler", "tick", "--at", "2026-03-16T09:00"], env=env)
    assert first.exit_code == 0, first.output
    for job in ("plans", "visits", "surveys", "deadlines"):
        assert re.search(rf"^{job}\s+ok\s", first.output, re.M), first.output
    again = runner.invoke(app, ["scheduler", "tick", "--at", "2026-03-16T09:00"], env=env)
    assert again.exit_code == 0
    written = re.findall(r"\b(visit_digest|visit_nudge|escalations|queued)=(\d+)", again.output)
    assert written and all(n == "0" for _, n in written), again.output
    bad = runner.invoke(app, ["scheduler", "tick", "--at", "next tuesday"], env=env)
    assert bad.exit_code != 0 and "ISO" in bad.output
