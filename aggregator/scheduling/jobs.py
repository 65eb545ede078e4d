"""The stored jobs: APScheduler 3, its job table in the store's database (``scheduler_jobs``).

One persistent job per enabled source, id ``crawl:NAME``, calling ``CRAWL_JOB`` — an
importable reference, as stored jobs need. Coalesce, one instance, a misfire grace of
``[schedule] grace_hours``, an explicit timezone. Jobs are added only when missing
(``replace_existing`` would lose missed runs) and rescheduled with ``reschedule_job`` when
the configuration changed.

A stored job APScheduler cannot restore — one whose reference no longer imports, such as
``aggregator.scheduler:scheduled_crawl`` stored by earlier releases — is logged and dropped
by APScheduler when it reads the table; ``sync_jobs`` then adds it again with ``CRAWL_JOB``,
and the scheduler's start catches up the slot it may have missed meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

logger = logging.getLogger(__name__)

CRAWL_JOB = "aggregator.scheduling.service:scheduled_crawl"
JOB_PREFIX = "crawl:"
JOBSTORE_TABLE = "scheduler_jobs"


def build_apscheduler(engine: Engine, *, tz: ZoneInfo, grace: timedelta,
                      factory: Callable[..., Any] | None = None) -> Any:
    """An APScheduler scheduler (``factory``, default ``BackgroundScheduler``) with the
    crawl jobs stored in ``engine``'s database and a memory job store ``local``."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    options = {
        "jobstores": {"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE),
                      "local": MemoryJobStore()},
        "executors": {"default": ThreadPoolExecutor(4)},
        "job_defaults": {"coalesce": True, "max_instances": 1,
                         "misfire_grace_time": int(grace.total_seconds())},
        "timezone": tz,
    }
    return (factory or BackgroundScheduler)(**options)


def sync_jobs(aps: Any, triggers: Mapping[str, Any], grace: timedelta) -> dict[str, list[str]]:
    """Make the stored jobs match the sources' ``triggers``: add missing ones, reschedule
    changed ones, remove the others. Returns what changed."""
    from apscheduler.jobstores.base import ConflictingIdError, JobLookupError

    changed: dict[str, list[str]] = {"added": [], "rescheduled": [], "removed": []}
    existing = {job.id: job for job in aps.get_jobs(jobstore="default")
                if job.id.startswith(JOB_PREFIX)}
    for source, trigger in triggers.items():
        job_id = JOB_PREFIX + source
        job = existing.pop(job_id, None)
        if job is None:
            try:
                aps.add_job(CRAWL_JOB, trigger, args=[source], id=job_id,
                            name=f"crawl {source}", jobstore="default")
                changed["added"].append(source)
            except ConflictingIdError:
                pass  # another scheduler on this database added it just now
        else:
            if repr(job.trigger) != repr(trigger):
                aps.reschedule_job(job_id, jobstore="default", trigger=trigger)
                changed["rescheduled"].append(source)
            seconds = int(grace.total_seconds())
            if job.misfire_grace_time != seconds:
                # a stored job keeps the grace it was added with: follow the config
                aps.modify_job(job_id, jobstore="default", misfire_grace_time=seconds)
    for job_id in existing:
        try:
            aps.remove_job(job_id, jobstore="default")
            changed["removed"].append(job_id[len(JOB_PREFIX):])
        except JobLookupError:
            pass
    for what, sources in changed.items():
        if sources:
            logger.info("jobs %s: %s", what, ", ".join(sources))
    return changed


def next_runs(aps: Any) -> dict[str, datetime | None]:
    """Each source's next crawl time, from its stored job."""
    return {job.id[len(JOB_PREFIX):]: job.next_run_time
            for job in aps.get_jobs(jobstore="default") if job.id.startswith(JOB_PREFIX)}
