"""A small world for tests, built through the services: one county (牟定县) with two townships
and their villages, a second county, and staff of every role with known scopes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.runtime import Runtime
from backend.people import service as people_service
from backend.people.models import Person
from backend.people.service import PersonInput
from backend.regions import service as regions_service
from backend.regions.models import Region
from backend.staff import service as staff_service
from backend.staff.actor import Actor
from backend.staff.models import Role

VALID_IDS = ("53232319480312001X", "532323196001010029", "110101199003070038", "532323201508200036")


@dataclass
class World:
    county: Region
    township: Region  # 共和镇
    village: Region  # 北屯村 in 共和镇
    village2: Region  # 天台村 in 共和镇
    sibling_township: Region  # 新桥镇, same county
    sibling_village: Region
    other_county: Region  # 禄丰市
    other_township: Region
    other_village: Region
    actors: dict[str, Actor]
    resident: Person


async def build_world(session: AsyncSession, runtime: Runtime) -> World:
    create = regions_service.create
    county = await create(session, code="532323000000", name="牟定县")
    township = await create(session, code="532323100000", name="共和镇")
    village = await create(session, code="532323100201", name="北屯村")
    village2 = await create(session, code="532323100202", name="天台村")
    sibling = await create(session, code="532323101000", name="新桥镇")
    sibling_village = await create(session, code="532323101201", name="石桥村")
    other_county = await create(session, code="532331000000", name="禄丰市")
    other_township = await create(session, code="532331100000", name="金山镇")
    other_village = await create(session, code="532331100201", name="东河村")

    grants = {
        "township": (Role.township_officer, township),
        "sibling_township": (Role.township_officer, sibling),
        "other_township": (Role.township_officer, other_township),
        "county": (Role.county_officer, county),
        "other_county": (Role.county_officer, other_county),
        "worker": (Role.village_worker, village),
        "provider": (Role.provider, township),
        "admin": (Role.admin, county),
    }
    actors: dict[str, Actor] = {}
    for key, (role, region) in grants.items():
        member = await staff_service.create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            username=key,
            name=f"{key}-staff",
            password=None,  # argon2 is slow by design; login tests set their own passwords
            roles=[(role, region)],
        )
        actors[key] = await staff_service.actor_for(session, staff_id=member.id)
    resident = await people_service.find_or_create(
        session,
        clock=runtime.clock,
        cipher=runtime.cipher,
        data=PersonInput(
            name="李大爷", region=village, id_number=VALID_IDS[0], phone="13812345678"
        ),
    )
    actors["resident"] = Actor.person(resident.id, "李大爷")
    return World(
        county=county,
        township=township,
        village=village,
        village2=village2,
        sibling_township=sibling,
        sibling_village=sibling_village,
        other_county=other_county,
        other_township=other_township,
        other_village=other_village,
        actors=actors,
        resident=resident,
    )
