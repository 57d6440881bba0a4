"""The scheduler: a few recurring sweeps (plans, visits, surveys, deadlines) and the outbox sender.

`create_scheduler(runtime, …)` builds it on APScheduler 3; `registry.SWEEPS` names the jobs;
`runner.Runner` runs one job in one transaction; `lock.LeaderLock` makes one process active.
"""
