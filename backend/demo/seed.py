"""The demo county: 牟定县 (Chuxiong, Yunnan) with its seven townships and a few illustrative
villages each, staff of every role with printed demo passwords, and a few residents and cases.

Township names follow the real county; village names and codes below the townships are
illustrative. Seeding twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases import service as cases_service
from backend.cases.models import ApplicantKind, Channel
from backend.cases.schemas import NewCase
from backend.core.runtime import Runtime
from backend.people import service as people_service
from backend.people.service import PersonInput
from backend.regions import service as regions_service
from backend.regions.models import Region
from backend.staff import service as staff_service
from backend.staff.actor import Actor
from backend.staff.models import Role

COUNTY = ("532323000000", "牟定县")
TOWNSHIPS: dict[str, tuple[str, list[str]]] = {
    "532323100000": ("共和镇", ["北屯村", "天台村", "西关社区"]),
    "532323101000": ("新桥镇", ["新桥村", "石桥村"]),
    "532323102000": ("江坡镇", ["江坡村", "大坡村"]),
    "532323103000": ("凤屯镇", ["凤屯村", "腊湾村"]),
    "532323200000": ("蟠猫乡", ["蟠猫村", "大古岩村"]),
    "532323201000": ("戌街乡", ["戌街村", "白马村"]),
    "532323202000": ("安乐乡", ["安乐村", "甸心村"]),
}
DEMO_PASSWORD = "jiuzhu-demo-2026"


@dataclass
class DemoReport:
    created: bool
    cases: list[str] = field(default_factory=list)


async def _regions(session: AsyncSession) -> dict[str, Region]:
    by_name: dict[str, Region] = {}
    county = await regions_service.create(session, code=COUNTY[0], name=COUNTY[1])
    by_name[county.name] = county
    for code, (name, villages) in TOWNSHIPS.items():
        township = await regions_service.create(session, code=code, name=name, parent=county)
        by_name[name] = township
        for index, village in enumerate(villages, start=1):
            by_name[village] = await regions_service.create(
                session, code=f"{code[:9]}{200 + index:03d}", name=village, parent=township
            )
    return by_name


ACCOUNTS: list[tuple[str, str, Role, str]] = [
    ("admin", "管理员", Role.admin, "牟定县"),
    ("county", "县民政局 王科长", Role.county_officer, "牟定县"),
    ("gonghe", "共和镇 张经办", Role.township_officer, "共和镇"),
    ("xinqiao", "新桥镇 刘经办", Role.township_officer, "新桥镇"),
    ("beitun", "北屯村 李专干", Role.village_worker, "北屯村"),
    ("tiantai", "天台村 杨专干", Role.village_worker, "天台村"),
    ("provider", "牟定县颐养服务中心", Role.provider, "牟定县"),
]


def seed_accounts() -> list[tuple[str, str, str]]:
    return [(username, role.value, region) for username, _, role, region in ACCOUNTS]


async def seed(session: AsyncSession, runtime: Runtime) -> DemoReport:
    if await regions_service.get_by_code(session, code=COUNTY[0]) is not None:
        return DemoReport(created=False)
    regions = await _regions(session)
    report = DemoReport(created=True)
    for username, name, role, region_name in ACCOUNTS:
        await staff_service.create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            username=username,
            name=name,
            password=DEMO_PASSWORD,
            roles=[(role, regions[region_name])],
        )

    residents = [
        ("李大爷", "北屯村", "一个人住,腿脚不方便,想有人送饭", ["living.meal"], False),
        ("王奶奶", "天台村", "老人在家摔倒了起不来,家里没人", ["care.attendance"], True),
        ("赵叔", "新桥村", "瘫在床上,想有人定期来帮忙洗澡", ["living.bath"], False),
    ]
    for index, (name, village, text, items, emergency) in enumerate(residents):
        person = await people_service.find_or_create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            data=PersonInput(name=name, region=regions[village], phone=f"1380878{index:04d}"),
        )
        result = await cases_service.submit(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            actor=Actor.person(person.id, name),
            request=NewCase(
                beneficiary_id=person.id,
                region_id=regions[village].id,
                channel=Channel.web_chat,
                applicant_kind=ApplicantKind.self,
                applicant_person_id=person.id,
                applicant_name=name,
                applicant_phone=f"1380878{index:04d}",
                text=text,
                items=tuple(items),
                emergency=emergency,
            ),
        )
        report.cases.append(result.case.number)
    await session.flush()
    return report
