"""Readable case numbers, unique per county and year: `532323-2026-00042`.

The counter row is incremented with one atomic upsert; on PostgreSQL the row lock serialises
concurrent submissions until each transaction ends, so no two cases share a number.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.models import CaseCounter


async def next_number(session: AsyncSession, *, county_code: str, year: int) -> tuple[int, str]:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = (
        insert(CaseCounter)
        .values(county_code=county_code, year=year, last_seq=1)
        .on_conflict_do_update(
            index_elements=[CaseCounter.county_code, CaseCounter.year],
            set_={"last_seq": CaseCounter.last_seq + 1},
        )
        .returning(CaseCounter.last_seq)
    )
    seq = int((await session.execute(upsert)).scalar_one())
    return seq, format_number(county_code, year, seq)


def format_number(county_code: str, year: int, seq: int) -> str:
    return f"{county_code}-{year}-{seq:05d}"
