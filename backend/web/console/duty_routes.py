"""Console pages of the scheduler's duties: visit compliance (/visits) and survey results
(/surveys), in the signed-in user's regions only.

Each grant's region is one scope; a grant inside another grant's region adds nothing. Providers
see neither page: they are not responsible for visits and are themselves what surveys rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from backend.cases import items as items_service
from backend.core.clock import business_date
from backend.core.errors import Forbidden
from backend.staff.models import Role
from backend.surveys import service as surveys_service
from backend.visits import service as visits_service
from backend.visits.periods import Period, period_of
from backend.web.console.render import ConsoleUser, UserDep, mark_console, page
from backend.web.deps import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_console)])
_ROLES = frozenset({Role.village_worker, Role.township_officer, Role.county_officer, Role.admin})


def _scopes(user: ConsoleUser) -> list[str]:
    """The region paths the user may see duties in, without paths inside another."""
    paths = sorted({g.region_path for g in user.actor.grants if g.role in _ROLES})
    if not paths:
        raise Forbidden("没有查看走访和回访的权限", code="duties_forbidden")
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def _label(period: Period) -> str:
    half = "上半月" if period.start.day == 1 else "下半月"
    return f"{period.start.year}年{period.start.month}月{half}"


@dataclass(frozen=True)
class PeriodFigures:
    key: str
    label: str
    workers: list[visits_service.Compliance]
    villages: list[visits_service.Compliance]
    unvisited: list[visits_service.Unvisited]
    due: int
    visited: int


@router.get("/visits", response_class=HTMLResponse)
async def visits_page(
    request: Request, user: UserDep, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    scopes = _scopes(user)
    current = period_of(business_date(runtime.clock.now()))
    periods: list[PeriodFigures] = []
    for period in (current, current.previous()):
        workers: list[visits_service.Compliance] = []
        villages: list[visits_service.Compliance] = []
        missing: list[visits_service.Unvisited] = []
        for path in scopes:
            clock = runtime.clock
            workers += await visits_service.compliance_by_worker(
                session, clock=clock, period=period, region_path=path
            )
            villages += await visits_service.compliance_by_village(
                session, clock=clock, period=period, region_path=path
            )
            missing += await visits_service.list_unvisited(
                session, clock=clock, period=period, region_path=path
            )
        periods.append(
            PeriodFigures(
                period.key,
                _label(period),
                workers,
                villages,
                missing,
                sum(c.due for c in villages),
                sum(c.visited for c in villages),
            )
        )
    return page(request, "visits.html", user, periods=periods)


@router.get("/surveys", response_class=HTMLResponse)
async def surveys_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    by: dict[str, list[surveys_service.SurveyResult]] = {
        "township": [],
        "provider": [],
        "item": [],
    }
    low: list[surveys_service.LowAnswer] = []
    for path in _scopes(user):
        for kind in ("township", "provider", "item"):
            by[kind] += await surveys_service.results(session, by=kind, region_path=path)
        low += await surveys_service.list_low(session, region_path=path)
    return page(
        request,
        "surveys.html",
        user,
        by=by,
        low=low,
        item_names=items_service.names(),
    )
