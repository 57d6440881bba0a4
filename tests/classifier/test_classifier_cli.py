"""`jiuzhu nlp classify|eval|labels` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jiuzhu.cli import app

runner = CliRunner()


def test_classify_prints_labels_and_words() -> None:
    result = runner.invoke(app, ["nlp", "classify", "饭我自己能做，就是洗澡洗不了"])
    assert result.exit_code == 0, result.output
    assert "living.bath" in result.output
    assert "洗澡" in result.output
    assert "living.meal" not in result.output
    assert "Building prefix dict" not in result.output


def test_classify_json_and_nothing_recognised() -> None:
    result = runner.invoke(app, ["nlp", "classify", "--json", "你好"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["recognised"] is False
    assert data["labels"] == []
    human = runner.invoke(app, ["nlp", "classify", "你好"])
    assert "nothing recognised" in human.output


def test_classify_emergency_shows_reason() -> None:
    result = runner.invoke(app, ["nlp", "classify", "救命 我爸摔倒了起不来 家里没人"])
    assert result.exit_code == 0, result.output
    assert "紧急: 是" in result.output


def _corpus(tmp_path: Path) -> Path:
    rows = [
        {"id": "a", "text": "想请人送饭", "items": ["living.meal"], "emergency": False},
        {"id": "b", "text": "家里着火了", "items": ["referral.temporary"], "emergency": True},
        {"id": "c", "text": "你好", "items": [], "emergency": False},
    ]
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_eval_json_has_the_keys(tmp_path: Path) -> None:
    result = runner.invoke(app, ["nlp", "eval", str(_corpus(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n"] == 3
    assert data["micro_f1"] >= 0.8  # the learned layer may add a weak extra label
    assert data["emergency_recall"] == 1.0
    assert isinstance(data["per_label"], dict)
    assert "living.meal" in data["per_label"]
    for key in ("macro_f1", "exact_match", "emergency_precision", "worst_errors", "msgs_per_s"):
        assert key in data


def test_eval_human_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["nlp", "eval", str(_corpus(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "micro_f1=" in result.output
    assert "precision" in result.output


def test_keywords_option_and_env(tmp_path: Path) -> None:
    extra = tmp_path / "county.yaml"
    extra.write_text("labels:\n  living.meal:\n    regional: [送晌饭]\n", "utf-8")
    by_option = runner.invoke(
        app, ["nlp", "classify", "--keywords", str(extra), "--json", "送晌饭"]
    )
    assert json.loads(by_option.output)["labels"] == ["living.meal"]
    by_env = runner.invoke(
        app, ["nlp", "classify", "--json", "送晌饭"], env={"JIUZHU_CLASSIFIER_KEYWORDS": str(extra)}
    )
    assert json.loads(by_env.output)["labels"] == ["living.meal"]


def test_bad_keyword_file_is_a_clean_error(tmp_path: Path) -> None:
    extra = tmp_path / "county.yaml"
    extra.write_text("labels:\n  living.lunch:\n    keywords: [午饭]\n", "utf-8")
    result = runner.invoke(app, ["nlp", "classify", "--keywords", str(extra), "送饭"])
    assert result.exit_code == 2
    assert "county.yaml" in result.output


def test_labels_lists_the_taxonomy() -> None:
    result = runner.invoke(app, ["nlp", "labels"])
    assert result.exit_code == 0, result.output
    assert "living.meal" in result.output
    assert "助餐" in result.output
