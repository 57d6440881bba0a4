"""`jiuzhu nlp …`: try the intake classifier on a message, evaluate it on a labelled corpus.

The classifier (and jieba) are imported inside the commands so `jiuzhu --help` stays fast.
A county's extra keyword files come from `--keywords` (repeatable) or the environment variable
`JIUZHU_CLASSIFIER_KEYWORDS` (paths separated by the OS path separator, `:` on Linux).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from backend.classifier.classifier import Classifier

app = typer.Typer(no_args_is_help=True)

KEYWORDS_HELP = "Extra keyword file (YAML) extending the default; repeatable."


def _keywords_option() -> Any:
    return typer.Option(
        [], "--keywords", envvar="JIUZHU_CLASSIFIER_KEYWORDS", help=KEYWORDS_HELP, dir_okay=False
    )


def _classifier(keywords: list[Path]) -> Classifier:
    from backend.classifier.lexicon import LexiconError
    from backend.classifier.service import get_classifier

    try:
        return get_classifier(keywords)
    except LexiconError as exc:
        typer.secho(f"关键词文件有误: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


@app.command("classify")
def classify(
    text: str = typer.Argument(..., help="The message, as the resident wrote it"),
    keywords: list[Path] = _keywords_option(),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
) -> None:
    """Classify one message and show which words decided it."""
    result = _classifier(keywords).classify(text)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    if result.emergency:
        typer.secho(f"紧急: 是 — {result.emergency_reason}", fg=typer.colors.RED, bold=True)
        typer.echo(
            f"  触发词: {'、'.join(result.emergency_words)}  (分值 {result.emergency_score})"
        )
    else:
        typer.echo("紧急: 否")
    if not result.recognised:
        typer.echo("未识别出服务需求 (nothing recognised): 请追问并给出类别按钮")
        return
    rows = [["label", "名称", "score", "words"]]
    rows += [
        [s.label, s.name, f"{s.score:.2f}", "、".join(s.words)] for s in result.scores.values()
    ]
    header, *body = _table(rows[:1] + sorted(rows[1:]))
    typer.echo(header)
    for line in body:
        typer.echo(line)


@app.command("eval")
def evaluate(
    path: Path = typer.Argument(..., help="Corpus in the shared JSONL format", dir_okay=False),
    keywords: list[Path] = _keywords_option(),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
) -> None:
    """Evaluate on a labelled corpus: F1 over labels, emergency recall/precision, worst errors."""
    from backend.classifier.evaluate import Prediction, evaluate, load_corpus

    try:
        examples = load_corpus(path)
    except (OSError, ValueError) as exc:
        typer.secho(f"无法读取语料 {path}: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    classifier = _classifier(keywords)

    def predict(text: str) -> Prediction:
        result = classifier.classify(text)
        return Prediction(frozenset(result.labels), result.emergency, tuple(result.matched_words))

    report = evaluate(predict, examples)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    typer.echo(
        f"n={report.n}  micro_f1={report.micro_f1:.4f}  macro_f1={report.macro_f1:.4f}  "
        f"exact_match={report.exact_match:.4f}"
    )
    typer.echo(
        f"emergency_recall={report.emergency_recall:.4f}  "
        f"emergency_precision={report.emergency_precision:.4f}  "
        f"msgs_per_s={report.msgs_per_s:.0f}"
    )
    typer.echo("")
    rows = [["label", "precision", "recall", "f1", "support"]]
    rows += [
        [label, f"{m.precision:.2f}", f"{m.recall:.2f}", f"{m.f1:.2f}", str(m.support)]
        for label, m in report.per_label.items()
    ]
    for line in _table(rows):
        typer.echo(line)
    typer.echo("")
    typer.echo(f"worst errors ({len(report.worst)}):")
    for error in report.worst:
        flag = ""
        if error["gold_emergency"] != error["predicted_emergency"]:
            flag = " 漏报紧急" if error["gold_emergency"] else " 误报紧急"
        typer.echo(f"  [{error['id']}] cost {error['cost']}{flag}: {error['text'][:60]}")
        typer.echo(
            f"      gold {','.join(error['gold']) or '-'} | got "
            f"{','.join(error['predicted']) or '-'} | words {'、'.join(error['words'])}"
        )


@app.command("labels")
def labels() -> None:
    """List the taxonomy's labels with their Chinese names, by category."""
    from backend.classifier.service import labels_by_category

    for category, infos in labels_by_category().items():
        typer.echo(f"{category} {infos[0].category_name}")
        for info in infos:
            typer.echo(f"  {info.id:24} {info.name}")
