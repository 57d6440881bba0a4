"""Per-county workflow choices: whether 公示 comes before approval, and which items a county
delegates to township approval (审核确认权限下放)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.items import check_items
from backend.cases.models import Case, CountyPolicy
from backend.core.clock import Clock


async def get(session: AsyncSession, *, county_code: str) -> CountyPolicy:
    """The county's policy; a county that set nothing gets the defaults (no 公示, no delegation)."""
    found = await session.get(CountyPolicy, county_code)
    return found if found is not None else default(county_code)


def default(county_code: str) -> CountyPolicy:
    """What a county that set nothing works with (not added to any session)."""
    return CountyPolicy(county_code=county_code, publicity_required=False, township_approves=[])


async def update(
    session: AsyncSession,
    *,
    clock: Clock,
    county_code: str,
    publicity_required: bool | None = None,
    township_approves: Sequence[str] | None = None,
) -> CountyPolicy:
    policy = await session.get(CountyPolicy, county_code)
    if policy is None:
        policy = CountyPolicy(
            county_code=county_code, publicity_required=False, township_approves=[]
        )
        session.add(policy)
    if publicity_required is not None:
        policy.publicity_required = publicity_required
    if township_approves is not None:
        policy.township_approves = check_items(township_approves)
    policy.updated_at = clock.now()
    await session.flush()
    return policy


def township_may_approve(policy: CountyPolicy, case: Case) -> bool:
    """Township approval applies when every item of the case is delegated by the county."""
    delegated = set(policy.township_approves or [])
    return bool(case.item_ids) and set(case.item_ids) <= delegated
