"""ID numbers and phones: validation, encryption at rest, keyed look-up, masking."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from backend.core.crypto import PersonalDataCipher
from backend.core.errors import Conflict, InvalidInput
from backend.core.runtime import Runtime
from backend.people import service as people_service
from backend.people.idnumbers import mask_id_number, mask_phone, normalise_phone, parse_id_number
from backend.people.service import PersonInput
from tests.cases.helpers import submit
from tests.world import VALID_IDS, World


def test_valid_id_gives_birth_date_and_gender() -> None:
    parsed = parse_id_number("53232319480312001x")  # lowercase x is accepted
    assert parsed.value == "53232319480312001X"
    assert parsed.birth_date == date(1948, 3, 12)
    assert parsed.gender == "男"
    assert parse_id_number("532323196001010029").gender == "女"


def test_fifteen_digit_id_is_converted() -> None:
    assert parse_id_number("532323480312001").value == "53232319480312001X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_empty"),
        ("5323231948031200", "id_length"),
        ("53232319480312001Y", "id_chars"),
        ("532323201502310012", "id_birth_date"),  # 31 February
        ("532323194803120011", "id_checksum"),
        ("5.32323E+17", "id_scientific"),  # what Excel makes of an ID stored as a number
    ],
)
def test_malformed_ids_say_what_is_wrong(raw: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_id_number(raw)
    assert refused.value.code == code
    assert "身份证" in refused.value.message


def test_future_birth_date_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_id_number("532323203001010011", today=date(2026, 3, 2))


def test_masks() -> None:
    assert mask_id_number("53232319480312001X") == "5323**********001X"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    "raw", ["138 1234 5678", "+86 13812345678", "138-1234-5678", "１３８１２３４５６７８"]
)
def test_phone_spellings_are_normalised(raw: str) -> None:
    assert normalise_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["1381234567", "23812345678", "0878-5211234", "电话13812345678"])
def test_bad_phones_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_phone(raw)


def test_cipher_round_trip_and_keyed_hash() -> None:
    one = PersonalDataCipher(b"k" * 40)
    other = PersonalDataCipher(b"j" * 40)
    token = one.encrypt(VALID_IDS[0])
    assert VALID_IDS[0] not in token and one.decrypt(token) == VALID_IDS[0]
    assert one.lookup_hash("id", VALID_IDS[0]) == one.lookup_hash("id", VALID_IDS[0])
    assert one.lookup_hash("id", VALID_IDS[0]) != other.lookup_hash("id", VALID_IDS[0])
    assert one.lookup_hash("id", "x") != one.lookup_hash("phone", "x")


async def test_nothing_personal_is_stored_in_clear(runtime: Runtime, world: World) -> None:
    await submit(runtime, world)  # a case with the applicant's phone
    async with runtime.sessions() as session:
        rows = []
        for table in ("persons", "cases", "staff", "audit_log"):
            rows += (await session.execute(text(f"SELECT * FROM {table}"))).all()
        dump = " ".join(str(row) for row in rows)
    assert VALID_IDS[0] not in dump and "13812345678" not in dump
    assert "5323**********001X" in dump  # the masked form is what lists show
    assert "138****5678" in dump


async def test_same_id_finds_the_same_person(runtime: Runtime, world: World) -> None:
    async with runtime.sessions() as session, session.begin():
        again = await people_service.find_or_create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            data=PersonInput(name="李大爷", region=world.village, id_number=VALID_IDS[0].lower()),
        )
        assert again.id == world.resident.id
        with pytest.raises(Conflict):
            await people_service.find_or_create(
                session,
                clock=runtime.clock,
                cipher=runtime.cipher,
                data=PersonInput(name="张三", region=world.village, id_number=VALID_IDS[0]),
            )
        assert people_service.reveal_id_number(again, cipher=runtime.cipher) == VALID_IDS[0]


async def test_without_id_a_person_is_matched_by_name_and_phone_in_the_township(
    runtime: Runtime, world: World
) -> None:
    async with runtime.sessions() as session, session.begin():
        same = await people_service.find_or_create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            data=PersonInput(name="李大爷", region=world.village2, phone="13812345678"),
        )
        namesake = await people_service.find_or_create(
            session,
            clock=runtime.clock,
            cipher=runtime.cipher,
            data=PersonInput(name="李大爷", region=world.village2, phone="13900000000"),
        )
    assert same.id == world.resident.id
    assert namesake.id != world.resident.id
