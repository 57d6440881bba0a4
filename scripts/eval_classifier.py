"""Compare the keyword engine alone with the full classifier (keywords + learned layer).

    .venv/bin/python scripts/eval_classifier.py ../shared/corpus/dev.jsonl more.jsonl
    .venv/bin/python scripts/eval_classifier.py --model /tmp/other_model.json FILE …

Prints one line per corpus and engine: micro F1 / macro F1 / exact match / emergency recall /
emergency precision (the conventions of `backend/classifier/evaluate.py`, as `jiuzhu nlp eval`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.classifier.evaluate import Prediction, evaluate, load_corpus  # noqa: E402
from backend.classifier.learned import MODEL_PATH, LearnedModel  # noqa: E402
from backend.classifier.service import get_classifier  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=MODEL_PATH, help="a learned_model.json")
    args = parser.parse_args()
    clf = get_classifier(use_model=False)
    model = LearnedModel(json.loads(args.model.read_text(encoding="utf-8")))
    names = {label: info.name for label, info in clf.labels.items()}

    def keywords(text: str) -> Prediction:
        r = clf.classify(text)
        return Prediction(frozenset(r.labels), r.emergency)

    def learned(text: str) -> Prediction:
        r = model.combine(clf.read(text), names)
        return Prediction(frozenset(r.labels), r.emergency)

    for path in args.files:
        examples = load_corpus(path)
        for engine, predict in (("keywords", keywords), ("learned", learned)):
            r = evaluate(predict, examples)
            figures = (
                r.micro_f1,
                r.macro_f1,
                r.exact_match,
                r.emergency_recall,
                r.emergency_precision,
            )
            line = " / ".join(f"{v:.3f}" for v in figures)
            sys.stdout.write(f"{path.name:30s} n={r.n:<4d} {engine:9s} {line}\n")


if __name__ == "__main__":
    main()
