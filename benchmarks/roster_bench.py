"""Benchmark of `jiuzhu roster import`: a generated 50,000-person .xlsx on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/roster_bench.py \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_households

Every run is a fresh subprocess, so its peak memory (RSS high-water mark from getrusage) is its
own: a first import into an empty database, then a re-import of the same file (which must change
nothing). The median of `--runs` runs is printed. Without a PostgreSQL URL (option or
JIUZHU_BENCH_DATABASE_URL) only SQLite is measured. The target: ≤ 60 s and ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"
COUNTY = "532323000000"
TOWNSHIPS = 10
VILLAGES = 12
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何罗高林"
GIVEN = "明华英国建军秀兰芳玉珍德文志永春海桂花金福"
RELATIONS = ("妻", "子", "女", "孙子", "孙女")


def _township(t: int) -> str:
    return f"532323{100 + t:03d}000"


def _village(t: int, v: int) -> str:
    return f"532323{100 + t:03d}{201 + v:03d}"


def generate(path: Path, persons: int, seed: int = 7) -> Path:
    """A roster like an office's: title row, header, households of 1–5 over several rows."""
    from openpyxl import Workbook

    from backend.people.idnumbers import check_digit

    rng = random.Random(seed)
    # The normal (not write-only) writer stores text as shared strings, as Excel itself does.
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "低保名册"
    sheet.append(["牟定县2026年农村最低生活保障对象花名册(基准测试)"])
    sheet.append(["序号", "乡镇", "村(社区)", "户主姓名", "户主身份证号", "姓名", "身份证号码",
                  "与户主关系", "性别", "出生日期", "联系电话", "家庭住址"])  # fmt: skip
    used: set[str] = set()
    written, household = 0, 0
    while written < persons:
        household += 1
        size = min(rng.randint(1, 5), persons - written)
        t, v = rng.randrange(TOWNSHIPS), rng.randrange(VILLAGES)
        address = f"{v + 1}组{rng.randint(1, 200)}号"
        members = []
        for index in range(size):
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 85))
            while True:
                first17 = f"532323{born:%Y%m%d}{rng.randrange(1000):03d}"
                if first17 not in used:
                    used.add(first17)
                    break
            ident = first17 + check_digit(first17)
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
            relation = "户主" if index == 0 else rng.choice(RELATIONS)
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if index == 0 else None
            members.append((name, ident, relation, born, phone))
        head_name, head_id = members[0][0], members[0][1]
        for index, (name, ident, relation, born, phone) in enumerate(members):
            first = index == 0
            sheet.append([
                household if first else None, f"镇{t + 1}" if first else None,
                f"村{t + 1}-{v + 1}" if first else None, head_name if first else None,
                head_id if first else None, name, ident, relation,
                "男" if int(ident[16]) % 2 else "女", born.isoformat(), phone,
                address if first else None,
            ])  # fmt: skip
        written += size
    sheet.append(["合计", None, None, f"共{household}户"])
    book.save(path)
    return path


def _settings(url: str, var_dir: Path):  # type: ignore[no-untyped-def]
    from backend.core.settings import Settings

    return Settings(database_url=url, secret_key=SECRET, var_dir=var_dir)


async def _setup(url: str, var_dir: Path) -> None:
    """An empty migrated database with a county of 10 townships × 12 villages."""
    from sqlalchemy import text

    import backend.models  # noqa: F401
    from backend.core import migrations
    from backend.core.runtime import create_runtime
    from backend.regions import service as regions_service

    runtime = create_runtime(_settings(url, var_dir))
    if not runtime.settings.is_sqlite:
        async with runtime.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await migrations.upgrade(runtime.engine)
    async with runtime.sessions() as session, session.begin():
        await regions_service.create(session, code=COUNTY, name="牟定县")
        for t in range(TOWNSHIPS):
            await regions_service.create(session, code=_township(t), name=f"镇{t + 1}")
            for v in range(VILLAGES):
                await regions_service.create(
                    session, code=_village(t, v), name=f"村{t + 1}-{v + 1}"
                )
    await runtime.close()


async def _import(url: str, var_dir: Path, roster: Path) -> dict[str, float]:
    import backend.models  # noqa: F401
    from backend.core.runtime import create_runtime
    from backend.regions import service as regions_service
    from backend.rosters import service as roster_service

    runtime = create_runtime(_settings(url, var_dir))
    started = time.perf_counter()
    async with runtime.sessions() as session, session.begin():
        area = await regions_service.get_by_code(session, code=COUNTY)
        assert area is not None
        report = await roster_service.import_roster(
            session, clock=runtime.clock, cipher=runtime.cipher, path=roster, area=area,
            groups=["低保"],
        )  # fmt: skip
    seconds = time.perf_counter() - started
    await runtime.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_kb / 1024, 1),
        "added": len(report.added),
        "changed": len(report.changed),
        "unchanged": report.unchanged,
        "refused": len(report.refused),
    }


def _child(*args: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure(label: str, url: str, roster: Path, runs: int, work: Path) -> None:
    first, again = [], []
    for run in range(runs):
        var_dir = work / f"{label}-{run}"
        db_url = url if url else f"sqlite:///{var_dir / 'bench.db'}"
        _child("_setup", db_url, str(var_dir))
        first.append(_child("_import", db_url, str(var_dir), str(roster)))
        again.append(_child("_import", db_url, str(var_dir), str(roster)))
        print(f"  {label} run {run + 1}: first {first[-1]}  re-import {again[-1]}", flush=True)
    for name, results in (("first import", first), ("re-import", again)):
        seconds = statistics.median(r["seconds"] for r in results)
        peak = statistics.median(r["peak_mb"] for r in results)
        print(f"{label:<10} {name:<13} median {seconds:6.1f} s   peak RSS {peak:6.1f} MB")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_setup":
        asyncio.run(_setup(sys.argv[2], Path(sys.argv[3])))
        print("{}")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_import":
        result = asyncio.run(_import(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])))
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("JIUZHU_BENCH_DATABASE_URL", ""))
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as folder:
        work = Path(folder)
        started = time.perf_counter()
        roster = generate(work / "roster.xlsx", args.persons)
        size = roster.stat().st_size / 1024 / 1024
        print(f"generated {args.persons} persons, {size:.1f} MB "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        if not args.skip_sqlite:
            measure("sqlite", "", roster, args.runs, work)
        if args.database_url:
            measure("postgresql", args.database_url, roster, args.runs, work)


if __name__ == "__main__":
    main()
