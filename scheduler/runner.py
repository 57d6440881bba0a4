"""Runs one job: opens the session, one transaction per run, times it, logs the counts (never
personal data), and contains failures so one broken sweep does not stop the others."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from backend.core.runtime import Runtime
from scheduler.registry import SWEEPS, Job

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobResult:
    job_id: str
    ok: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


class Runner:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def run_job(self, job: Job, *, now: datetime | None = None) -> JobResult:
        """Run `job` as of `now` (default: the runtime's clock) in one transaction."""
        at = now or self.runtime.clock.now()
        started = time.perf_counter()
        try:
            async with self.runtime.sessions() as session, session.begin():
                report = await job.run(session, at)
        except Exception:
            seconds = time.perf_counter() - started
            log.exception("job %s failed after %.2fs (rolled back)", job.id, seconds)
            return JobResult(job.id, False, seconds)
        seconds = time.perf_counter() - started
        log.info("job %s done in %.2fs: %s", job.id, seconds, report.counts)
        return JobResult(job.id, True, seconds, dict(report.counts))

    async def tick(self, *, now: datetime | None = None) -> list[JobResult]:
        """Every sweep once, in registry order, as of `now`."""
        at = now or self.runtime.clock.now()
        return [await self.run_job(job, now=at) for job in SWEEPS]
