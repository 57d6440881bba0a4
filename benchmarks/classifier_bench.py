"""Intake classifier benchmark: throughput on one core, cold start, and a 10,000-character message.

Run from the repository root:

    .venv/bin/python benchmarks/classifier_bench.py            # full run (~20 s)
    .venv/bin/python benchmarks/classifier_bench.py --quick    # fewer messages and runs
    .venv/bin/python benchmarks/classifier_bench.py --keywords-only  # + the lexicon alone

Messages are generated from templates (typical 20-80 characters, in residents' wording); no
corpus sentence is used. Throughput is the median of several passes with the process pinned to
one CPU. Cold start is the median wall time of fresh `python` processes that import the
classifier, build its dictionary and classify one message (interpreter start included), with the
part after interpreter start shown separately.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WHO = ["我妈", "我爸", "俺娘", "老汉儿", "隔壁的张婆婆", "我爷爷", "老伴", "我外婆", "村里的李大爷"]
STATE = [
    "八十多了一个人住",
    "腿脚不方便",
    "中风以后右手不灵",
    "眼睛看不清",
    "瘫在床上两年了",
    "老伴走了以后整天不说话",
    "住在五楼没电梯",
    "有高血压和糖尿病",
    "儿女都在外地打工",
]
NEED = [
    "能不能每天送一顿热饭",
    "想请人上门帮着洗个澡",
    "屋里乱得很想找人收拾一下",
    "下周要去县医院复查想找人陪着",
    "想有人隔几天来看看",
    "想请人帮忙买点米和油",
    "赶集的时候能不能有个车捎一下",
    "想找人陪她说说话",
    "医药费报完还欠两万多",
    "想申请低保",
    "孩子的学费凑不齐",
    "房子漏雨墙也裂了",
    "想学用智能手机视频",
    "想让他参加村里的活动",
    "需要人扶着上下楼",
    "医生说要坚持做康复训练",
    "想请医生定期量量血压",
]
TAIL = ["", "，谢谢", "，麻烦你们了", "。", "🙏", "，急", "，我在外地回不去"]
URGENT = ["刚才在厨房摔倒了爬不起来，家里没人", "家里着火了", "两天没吃饭了", "说不想活了"]


def messages(count: int, seed: int = 7) -> list[str]:
    """Template messages of typical length (20-80 characters)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        parts = [rng.choice(WHO), rng.choice(STATE), rng.choice(NEED)]
        if rng.random() < 0.8:
            parts.insert(2, rng.choice(STATE))
        if rng.random() < 0.8:
            parts.append(rng.choice(NEED))
        if rng.random() < 0.05:
            parts[2] = rng.choice(URGENT)
        text = "，".join(parts) + rng.choice(TAIL)
        if 20 <= len(text) <= 80:
            out.append(text)
    return out


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity)"


def throughput(
    runs: int, count: int, use_model: bool | None = None
) -> tuple[float, float, list[float], float]:
    """Median msgs/s by CPU time of this (pinned) process and by wall time, over `runs` passes.

    CPU time is the fair figure on a shared machine: wall time also counts the moments another
    process held the core.
    """
    from backend.classifier.service import get_classifier

    classifier = get_classifier(use_model=use_model)
    texts = messages(count)
    for text in texts[:200]:  # warm up
        classifier.classify(text)
    cpu_rates, wall_rates = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            classifier.classify(text)
        cpu_rates.append(len(texts) / (time.process_time() - cpu))
        wall_rates.append(len(texts) / (time.perf_counter() - wall))
    mean_len = statistics.mean(len(t) for t in texts)
    return statistics.median(cpu_rates), statistics.median(wall_rates), cpu_rates, mean_len


COLD = (
    "import time; t0 = time.perf_counter();"
    "from backend.classifier.service import classify;"
    "r = classify('我妈八十了一个人住，想请人每天送饭，再帮她洗个澡');"
    "assert r.labels;"
    "print(time.perf_counter() - t0)"
)


def cold_start(runs: int) -> tuple[float, float]:
    walls, inner = [], []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True
        )
        walls.append(time.perf_counter() - started)
        inner.append(float(out.stdout.strip()))
    return statistics.median(walls), statistics.median(inner)


def long_message() -> list[tuple[int, float]]:
    from backend.classifier.service import get_classifier

    classifier = get_classifier()
    unit = "我一个人在山上住，腿不好，想请人送饭、打扫屋头，隔几天来看看我。"
    rows = []
    for repeat in (32, 320):
        text = unit * repeat
        best = min(_timed(classifier.classify, text) for _ in range(5))
        rows.append((len(text), best))
    return rows


def _timed(fn: Callable[[str], object], text: str) -> float:
    started = time.process_time()
    fn(text)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages and runs")
    parser.add_argument(
        "--keywords-only", action="store_true", help="also time the keyword engine alone"
    )
    args = parser.parse_args()
    runs, count = (5, 2000) if args.quick else (7, 5000)

    wall, inner = cold_start(5)
    print(
        f"cold start (fresh process, median of 5): {wall * 1000:.0f} ms wall, "
        f"{inner * 1000:.0f} ms import+dictionary+first result"
    )
    print(pin_one_core())
    cpu, wall, rates, mean_len = throughput(runs, count)
    print(
        f"throughput: {cpu:,.0f} msgs per CPU-second on one core ({wall:,.0f} msgs/s wall); "
        f"median of {runs} passes over {count} messages, mean {mean_len:.0f} chars; "
        f"passes (CPU): {', '.join(f'{r:,.0f}' for r in rates)}"
    )
    if args.keywords_only:
        cpu, wall, rates, _ = throughput(runs, count, use_model=False)
        print(
            f"keyword engine alone (no learned layer): {cpu:,.0f} msgs per CPU-second "
            f"({wall:,.0f} wall); passes (CPU): {', '.join(f'{r:,.0f}' for r in rates)}"
        )
    for length, seconds in long_message():
        print(f"one {length:,}-character message: {seconds * 1000:.1f} ms CPU")


if __name__ == "__main__":
    main()
