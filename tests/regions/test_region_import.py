"""Importing the official division-code list: all or nothing, line-numbered errors, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from backend.core.errors import InvalidInput
from backend.core.runtime import Runtime
from backend.regions import importer
from backend.regions import service as regions_service
from backend.regions.models import Region, RegionLevel
from jiuzhu.cli import app

OFFICIAL = """2023年统计用区划代码和城乡划分代码(牟定县)
统计用区划代码,城乡分类代码,名称
530000000000,,云南省
532300000000,,楚雄彝族自治州
532323000000,,牟定县
532323100000,,共和镇
532323100201,111,北屯村
532323100202,220,天台村
532323101000,,新桥镇
532323101201,220,石桥村
"""


async def _count(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int((await session.execute(select(func.count(Region.id)))).scalar_one())


async def _import(runtime: Runtime, data: bytes) -> importer.RegionImportReport:
    async with runtime.sessions() as session, session.begin():
        return await importer.import_csv(session, data=data)


async def test_official_list_with_title_and_province_rows(runtime: Runtime) -> None:
    report = await _import(runtime, OFFICIAL.encode("gb18030"))  # as Excel saves it in China
    assert len(report.added) == 6 and report.skipped == 2
    async with runtime.sessions() as session:
        village = await regions_service.get_by_code(session, code="532323100202")
        assert village is not None and village.level == RegionLevel.village
        assert village.path == "532323/532323100/532323100202/"
        township = await regions_service.township_of(session, region=village)
        assert township.name == "共和镇"
    again = await _import(runtime, OFFICIAL.encode())
    assert (again.added, again.updated, again.unchanged) == ([], [], 6)


async def test_renamed_village_keeps_its_old_name_as_alias(runtime: Runtime) -> None:
    await _import(runtime, OFFICIAL.encode())
    renamed = OFFICIAL.replace("天台村", "天台社区")
    report = await _import(runtime, renamed.encode())
    assert report.updated == ["532323100202"]
    async with runtime.sessions() as session:
        parent = await regions_service.get_by_code(session, code="532323100000")
        assert parent is not None
        found = await regions_service.find_by_name(session, parent=parent, name="天台村")
        assert found is not None and found.name == "天台社区"


async def test_bad_rows_refuse_the_whole_file_with_line_numbers(runtime: Runtime) -> None:
    bad = OFFICIAL + "53232310120X,,坏代码\n532323105201,,孤儿村\n532323101201,,重复\n"
    with pytest.raises(InvalidInput) as refused:
        await _import(runtime, bad.encode())
    message = refused.value.message
    assert "第11行" in message and "第12行" in message and "第13行" in message
    assert await _count(runtime) == 0  # nothing applied


async def test_file_without_header_is_refused(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput, match="表头"):
        await _import(runtime, b"a,b\n1,2\n")


def test_cli_import_reports_errors_and_exit_code(tmp_path: Path) -> None:
    good = tmp_path / "regions.csv"
    good.write_text(OFFICIAL, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(OFFICIAL + "xyz,,坏\n", encoding="utf-8")
    env = {"VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": ""}
    runner = CliRunner()
    refused = runner.invoke(app, ["region", "import", str(bad)], env=env)
    assert refused.exit_code == 1 and "第11行" in refused.output
    dry = runner.invoke(app, ["region", "import", "--dry-run", str(good)], env=env)
    assert dry.exit_code == 0 and "将新增 6 个" in dry.output
    done = runner.invoke(app, ["region", "import", str(good)], env=env)
    assert done.exit_code == 0 and "已新增 6 个" in done.output
    listed = runner.invoke(app, ["region", "list", "532323100000"], env=env)
    assert "北屯村" in listed.output and "天台村" in listed.output
    missing = runner.invoke(app, ["region", "import", str(tmp_path / "nope.csv")], env=env)
    assert missing.exit_code == 1 and "无法读取文件" in missing.output


async def test_optional_fourth_level_groups(runtime: Runtime) -> None:
    with_groups = (
        OFFICIAL + "53232310020101,,北屯村第一村民小组\n53232310020102,,北屯村第二村民小组\n"
    )
    report = await _import(runtime, with_groups.encode())
    assert len(report.added) == 8
    async with runtime.sessions() as session:
        group = await regions_service.get_by_code(session, code="53232310020102")
        assert group is not None and group.level == RegionLevel.group
        assert group.path == "532323/532323100/532323100201/53232310020102/"
        assert (await regions_service.township_of(session, region=group)).name == "共和镇"
