"""The daily refresh: `aggregator schedule` (long-running) and `aggregator schedule --once`.

How it fits together:

- **Triggers** (``triggers``): every enabled source gets a cron trigger in
  ``[schedule] timezone``, and each fire time belongs to a *slot*.
- **Stored jobs** (``jobs``): APScheduler 3 keeps one job per source in the store's
  database (table ``scheduler_jobs``), so the schedule survives restarts; the configuration
  is re-read every minute and the jobs follow it.
- **The crawl queue.** A firing job only queues its source; ``[schedule] jobs`` worker
  threads take sources off the queue and crawl them, each in its own child process
  (``aggregator.crawling.runner.run_crawl``: timeouts and crashes are recorded there). A
  source already queued or crawling is not queued again.
- **One crawl per slot, across processes.** Before crawling, a worker takes the database lock
  ``crawl:NAME`` (aggregator.store.locks) and checks that the source is still *due*: no run
  since its latest scheduled time (the "slot") that settles it. So two schedulers on one
  database, a catch-up meeting a regular firing, or a wall time that occurs twice on the
  autumn daylight-saving night all lead to one crawl.
- **Settling runs.** Any run started since the slot settles it — ok, partial, failed, timeout,
  unconfigured — so a broken source is retried at its next slot, not in a loop; except
  ``offline`` runs (this machine had no network: catch up when it has) and ``stopped`` ones
  (a shutdown): ``RunOutcome.settles_slot``. A ``running`` run (say a manual
  `aggregator crawl`) makes the source busy.
- **Catch-up.** Missed runs are caught up once: APScheduler coalesces a job's missed fire
  times into one run within the grace period, and at start the scheduler also queues every
  source that is due and whose slot is within the grace period (which covers a first start,
  a newly enabled source, and a crawl interrupted by the last shutdown).
- **Post-crawl steps** (``steps.POST_CRAWL_STEPS``: close past deadlines, send due digests)
  run once the queue has drained after crawls — after each batch of crawls fired together —
  under the database lock ``post-crawl``; the periodic ones every ``PERIODIC_MINUTES``.
- **Stopping.** SIGTERM/SIGINT: the scheduler stops taking work (queued sources are
  dropped), running crawls are asked to stop (Scrapy closes cleanly on SIGTERM; killed after
  ``aggregator.crawling.runner.STOP_GRACE_SECONDS``), locks are released, the process exits 0.
- ``--once`` crawls every enabled source that is due now — no run settling its latest slot,
  *whatever its age* (cron or a systemd timer decides when this runs) — then runs the
  post-crawl steps and exits.

One scheduler service per process (``scheduled_crawl`` finds it in this module). Over 400
lines because it is one thing: the ``Scheduler``, whose queue, workers, locks and stopping
share one state under one condition.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor as PoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from aggregator.config import Config, ConfigError, load_config
from aggregator.crawling.runner import CRAWL_LOCK
from aggregator.i18n import _, for_reader
from aggregator.presentation import state_name
from aggregator.run_notes import note_line, run_note
from aggregator.scheduling import jobs
from aggregator.scheduling.steps import (
    PERIODIC_MINUTES,
    PERIODIC_STEPS,
    POST_CRAWL_STEPS,
    Step,
    run_steps,
)
from aggregator.scheduling.triggers import latest_slot, source_trigger, timezone_of

logger = logging.getLogger(__name__)

POST_CRAWL_LOCK = "post-crawl"
LOCK_LEASE = timedelta(minutes=2)  # renewed every 40 s while held; a dead holder's lapses
SETTLE_SECONDS = 5.0  # the queue stays empty this long before the post-crawl steps run
RESYNC_SECONDS = 60  # how often the configuration is re-read


# -- slots ----------------------------------------------------------------------------------


def crawl_state(engine: Engine, source: str, slot: datetime, *, now: datetime,
                stale_after: timedelta) -> str:
    """``due``, ``done`` (a run since ``slot`` settles it) or ``busy`` (a crawl of the
    source is running right now, e.g. a manual `aggregator crawl`)."""
    from aggregator.store.run_outcome import RunOutcome
    from aggregator.store.runs import close_dead_runs, slot_runs

    close_dead_runs(engine)  # a crawl whose process died is not "busy"
    rows = slot_runs(engine, source, slot)
    for run in rows:
        if run.outcome is RunOutcome.RUNNING:
            if now - run.started_at < stale_after:
                return "busy"
            continue  # its process died without closing the record: says nothing
        if run.started_at >= slot and run.outcome.settles_slot and not run.replayed:
            return "done"
    return "due"


# -- the service ------------------------------------------------------------------------------

_current: Scheduler | None = None


def scheduled_crawl(source: str) -> None:
    """The stored jobs' function: queue ``source`` in this process's scheduler."""
    if _current is None:
        logger.warning("crawl of %s fired but no scheduler is running in this process", source)
        return
    _current.submit(source)


class Scheduler:
    """Crawls every enabled source on its schedule; see the module docstring.

    ``crawl`` runs one crawl (default ``aggregator.crawling.runner.run_crawl``),
    ``apscheduler`` builds the APScheduler scheduler from its keyword arguments (default
    ``BackgroundScheduler``); tests replace them to drive the scheduler with a fake clock.
    """

    def __init__(self, config: Config | None = None, *, database_url: str | None = None,
                 settings: dict[str, str] | None = None, sources: Iterable[str] | None = None,
                 crawl: Callable[..., int | None] | None = None,
                 apscheduler: Callable[..., Any] | None = None,
                 post_crawl_steps: Iterable[Step] = POST_CRAWL_STEPS,
                 settle_seconds: float = SETTLE_SECONDS) -> None:
        from aggregator.config import database_url as configured_url
        from aggregator.store.engine import get_engine
        from aggregator.store.locks import new_owner

        self.config = config or load_config()
        self.database_url = database_url or configured_url(self.config)
        self.engine = get_engine(self.database_url)
        self.settings = dict(settings or {})  # Scrapy settings for every crawl (-s)
        self._explicit_sources = list(sources) if sources is not None else None
        self.triggers = self._triggers(self.config)
        self.owner = new_owner()
        self._crawl = crawl
        self._apscheduler_factory = apscheduler
        self.post_crawl_steps = list(post_crawl_steps)
        self.settle_seconds = settle_seconds
        self.aps: Any = None
        self.stop_crawls = threading.Event()  # running crawls stop when set
        self._cond = threading.Condition()
        self._queue: deque[str] = deque()
        self._active: set[str] = set()
        self._post_pending = False
        self._idle_since = time.monotonic()
        self._stopping = False
        self._in_post = False
        self._workers: list[threading.Thread] = []

    # -- sources ---------------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return timezone_of(self.config.schedule)

    @property
    def timeout(self) -> float:
        return float(self.config.schedule.timeout_minutes) * 60

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=float(self.config.schedule.grace_hours))

    def spider_loader(self) -> Any:
        """Scrapy's spider loader with this scheduler's settings (``-s SPIDER_MODULES=...``
        adds spider modules, as for the crawls themselves)."""
        from aggregator.crawling.registry import spider_loader

        modules = self.settings.get("SPIDER_MODULES")
        if isinstance(modules, str):
            modules = modules.split(",")
        return spider_loader(tuple(modules) if modules else None)

    def enabled_sources(self, config: Config) -> list[str]:
        if self._explicit_sources is not None:
            names = self._explicit_sources
        else:
            names = self.spider_loader().list()
            unknown = sorted(set(config.sources) - set(names))
            if unknown:
                logger.warning("[sources.%s] in the configuration names no spider",
                               ", ".join(unknown), extra=for_reader(
                                   _("[sources.%(names)s] in the configuration names no "
                                     "source") % {"names": ", ".join(unknown)}))
        return sorted(name for name in names if config.source(name).enabled)

    def _triggers(self, config: Config) -> dict[str, Any]:
        return {name: source_trigger(config.source(name), config.schedule)
                for name in self.enabled_sources(config)}

    def configuration_problem(self, source: str) -> str | None:
        try:
            spider = self.spider_loader().load(source)
        except KeyError:
            return None  # not a spider here: the crawl process will say so
        check = getattr(spider, "configuration_problem", None)
        # a credential may come with the crawls' -s settings, as for `aggregator crawl`
        return check(self.config.source(source), {}, self.settings) if check else None

    def due_sources(self, now: datetime | None = None, *,
                    grace: timedelta | None = None) -> list[str]:
        """Enabled sources with no run settling their latest slot (within ``grace`` of now,
        when given)."""
        now = now or datetime.now(UTC)
        due = []
        for source, trigger in self.triggers.items():
            slot = latest_slot(trigger, now)
            if slot is None or (grace is not None and now - slot > grace):
                continue
            if crawl_state(self.engine, source, slot, now=now,
                           stale_after=self._stale_after) == "due":
                due.append(source)
        return due

    @property
    def _stale_after(self) -> timedelta:
        from aggregator.crawling.runner import STOP_GRACE_SECONDS

        return timedelta(seconds=self.timeout + STOP_GRACE_SECONDS) + timedelta(minutes=5)

    # -- one crawl ---------------------------------------------------------------------------

    def crawl_source(self, source: str) -> int | None:
        """Crawl ``source`` if it is still due, holding its database lock; returns the run id,
        or None when skipped (held by another process, already crawled for this slot,
        stopping)."""
        from aggregator.crawling.runner import CrawlProgress, CrawlRequest, record_unconfigured
        from aggregator.store.locks import held_lock, holder

        if self.stop_crawls.is_set():
            return None
        name = CRAWL_LOCK.format(source=source)
        with held_lock(self.engine, name, self.owner, lease=LOCK_LEASE) as held:
            if not held:
                logger.info("%s: skipped, being crawled by %s", source,
                            holder(self.engine, name) or "another process")
                return None
            now = datetime.now(UTC)
            trigger = self.triggers.get(source)
            if trigger is None:  # disabled since it was queued (configuration re-read)
                logger.info("%s: skipped, no longer enabled", source)
                return None
            slot = latest_slot(trigger, now)
            if slot is not None:
                state = crawl_state(self.engine, source, slot, now=now,
                                    stale_after=self._stale_after)
                if state == "done":
                    logger.info("%s: skipped, already crawled since %s", source,
                                f"{slot.astimezone(self.tz):%Y-%m-%d %H:%M}")
                    return None
                if state == "busy":
                    logger.info("%s: skipped, a crawl of it is running", source)
                    return None
            problem = self.configuration_problem(source)
            if problem:
                logger.warning("%s: not crawled, unconfigured: %s", source, problem,
                               extra=for_reader(_("%(source)s: not crawled, not configured: "
                                                  "%(problem)s") % {
                                   "source": source, "problem": run_note(problem)}))
                return record_unconfigured(source, problem, database_url=self.database_url)
            if self.stop_crawls.is_set():
                return None
            logger.info("%s: crawl started", source)
            crawl = self._crawl
            if crawl is None:
                from aggregator.crawling.runner import run_crawl as crawl
            args = {"full": "true"} if self.full_crawl_due(source, now) else {}
            if args:
                logger.info("%s: a full crawl is due (closes what disappeared)", source)
            # With [distributed] enabled the scheduler only seeds (`aggregator worker`s crawl),
            # except sources set `distributed = false` (e.g. boards whose vanished jobs must
            # close: that needs one process to see a board's whole listing).
            seed = self.config.distributed.enabled and bool(
                self.config.source(source).params.get("distributed", True))
            progress = CrawlProgress(source)
            run_id = crawl(CrawlRequest(source, args=args, settings=dict(self.settings),
                                        seed=seed),
                           timeout=self.timeout, database_url=self.database_url,
                           stop_event=self.stop_crawls, progress=progress)
            if run_id is None and progress.skip is not None:
                logger.info("%s: %s", source, progress.skip)
                return None
            self._log_run(source, run_id)
            return run_id

    def full_crawl_due(self, source: str, now: datetime) -> bool:
        """Whether an incremental source needs its periodic complete read."""
        from aggregator.store.runs import recent_runs

        try:
            days = getattr(self.spider_loader().load(source), "full_crawl_days", None)
        except KeyError:
            return False
        if not days:
            return False
        for run in recent_runs(self.engine, source=source, limit=100):
            if run.outcome.read_source and (run.args or {}).get("full") == "true":
                return now - run.started_at >= timedelta(days=days)
        return True

    def _log_run(self, source: str, run_id: int | None) -> None:
        from aggregator.store.run_outcome import RunOutcome
        from aggregator.store.runs import finish_run, get_run

        run = get_run(self.engine, run_id) if run_id is not None else None
        if run is None:
            logger.error("%s: crawl left no run record", source)
            return
        if self.stop_crawls.is_set() and run.outcome is RunOutcome.FAILED:
            # Stopped by our shutdown: says nothing about the source (health, catch-up).
            summary = "stopped: the scheduler was shutting down"
            if run.error_summary:
                summary += "\n" + run.error_summary
            finish_run(self.engine, run.id, finished_at=run.finished_at,
                       outcome=RunOutcome.STOPPED, finish_reason="shutdown",
                       error_summary=summary)
            run = get_run(self.engine, run.id) or run
        duration = run.duration_seconds
        level = logging.INFO if run.outcome in (RunOutcome.OK, RunOutcome.UNCONFIGURED) \
            else logging.WARNING
        logger.log(level, "%s: run %s %s — %s items (%s new, %s updated), %s errors, %s",
                   source, run.id, run.outcome, run.items_seen, run.items_new,
                   run.items_updated, run.errors,
                   f"{duration:.1f} s" if duration is not None else "unfinished",
                   extra=for_reader(self._run_line(run)))

    @staticmethod
    def _run_line(run: Any) -> str:
        """A crawl's outcome in the reader's words (the console shows those not ok)."""
        line = _("%(source)s: crawl %(run)s: %(outcome)s, %(new)s new, %(errors)s errors") % {
            "source": run.source, "outcome": state_name(run.outcome), "run": run.id,
            "new": run.items_new, "errors": run.errors}
        note = note_line(run.error_summary)
        return f"{line} — {note}" if note else line

    # -- the queue ---------------------------------------------------------------------------

    def submit(self, source: str) -> bool:
        """Queue a crawl of ``source``; False when stopping, or already queued or crawling."""
        with self._cond:
            if self._stopping:
                return False
            if source in self._queue or source in self._active:
                logger.info("%s: already %s, not queued again", source,
                            "crawling" if source in self._active else "queued")
                return False
            self._queue.append(source)
            self._cond.notify_all()
            return True

    def _next_task(self) -> str | None:
        """Wait for a source to crawl (returned), or for the post-crawl steps to be due
        (returns ""), or for stopping (None)."""
        with self._cond:
            while True:
                if self._stopping:
                    return None
                if self._queue:
                    source = self._queue.popleft()
                    self._active.add(source)
                    return source
                if self._post_pending and not self._active:
                    wait = self._idle_since + self.settle_seconds - time.monotonic()
                    if wait <= 0:
                        self._post_pending = False
                        return ""
                    self._cond.wait(wait)
                else:
                    self._cond.wait()

    def _work(self) -> None:
        while (source := self._next_task()) is not None:
            if source == "":
                self.post_crawl()
                continue
            ran = False
            try:
                ran = self._safe_crawl(source) is not None
            finally:
                with self._cond:
                    self._active.discard(source)
                    self._post_pending = self._post_pending or ran
                    if not self._active and not self._queue:
                        self._idle_since = time.monotonic()
                    self._cond.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is queued, crawling or waiting to run post-crawl steps."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._queue or self._active or self._post_pending or self._in_post:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining if remaining is None else min(remaining, 0.5))
            return True

    def post_crawl(self, steps: Iterable[Step] | None = None) -> dict[str, Any]:
        """The post-crawl steps (or ``steps``), under the ``post-crawl`` lock (one scheduler
        at a time)."""
        from aggregator.store.locks import held_lock

        with self._cond:
            self._in_post = True
        try:
            with held_lock(self.engine, POST_CRAWL_LOCK, self.owner, lease=LOCK_LEASE) as held:
                if not held:
                    logger.info("post-crawl steps: another scheduler is running them")
                    return {}
                return run_steps(self.engine, self.config,
                                 self.post_crawl_steps if steps is None else steps)
        finally:
            with self._cond:
                self._in_post = False
                self._cond.notify_all()

    # -- the stored jobs -------------------------------------------------------------------

    def sync_jobs(self) -> dict[str, list[str]]:
        """Make the stored jobs match the enabled sources and their triggers."""
        return jobs.sync_jobs(self.aps, self.triggers, self.grace)

    def resync(self) -> None:
        """Re-read the configuration; on a change, update the triggers and stored jobs.

        Schedules, enabled sources and the time limit apply at once; ``jobs`` and
        ``grace_hours`` when the scheduler restarts."""
        try:
            config = load_config()
            if config == self.config:
                return
            triggers = self._triggers(config)
        except ConfigError as exc:
            logger.error("configuration not reloaded: %s", exc, extra=for_reader(
                _("configuration not reloaded (the schedule stays as it was): %(error)s")
                % {"error": exc}))
            return
        logger.info("configuration changed: updating the schedule")
        self.config, self.triggers = config, triggers
        self.sync_jobs()

    def next_runs(self) -> dict[str, datetime | None]:
        return jobs.next_runs(self.aps)

    # -- running -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers and APScheduler; queue what is due now (within the grace)."""
        global _current

        _current = self
        workers = max(1, int(self.config.schedule.jobs))
        self._workers = [threading.Thread(target=self._work, name=f"crawl-worker-{i}",
                                          daemon=True) for i in range(workers)]
        for worker in self._workers:
            worker.start()
        self.aps = jobs.build_apscheduler(self.engine, tz=self.tz, grace=self.grace,
                                          factory=self._apscheduler_factory)
        self.aps.start(paused=True)  # job stores open, nothing fires before the sync
        self.sync_jobs()
        self.aps.add_job(self.resync, "interval", seconds=RESYNC_SECONDS, id="resync",
                         jobstore="local", replace_existing=True)
        self.aps.add_job(self.post_crawl, "interval", minutes=PERIODIC_MINUTES,
                         args=[PERIODIC_STEPS], id="periodic", jobstore="local",
                         replace_existing=True)
        for source in self.due_sources(grace=self.grace):
            logger.info("%s: due since its last scheduled time, crawling now", source)
            self.submit(source)
        self.aps.resume()
        for source, when in sorted(self.next_runs().items()):
            logger.info("%s: next crawl %s", source,
                        f"{when.astimezone(self.tz):%Y-%m-%d %H:%M %Z}" if when else "never")

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking work, stop running crawls (bounded), release every lock we hold."""
        global _current
        from aggregator.crawling.runner import STOP_GRACE_SECONDS
        from aggregator.store.locks import release_all

        with self._cond:
            self._stopping = True
            dropped = list(self._queue)
            self._queue.clear()
            running = sorted(self._active)
            self._cond.notify_all()
        if dropped:
            logger.info("stopping: not crawling %s", ", ".join(dropped))
        if running:
            logger.info("stopping: stopping the running crawl of %s", ", ".join(running))
        if self.aps is not None and self.aps.running:
            self.aps.shutdown(wait=False)
        self.stop_crawls.set()
        deadline = time.monotonic() + (timeout if timeout is not None
                                       else STOP_GRACE_SECONDS + 15)
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        still = [w.name for w in self._workers if w.is_alive()]
        if still:
            logger.error("stopping: %s did not finish in time", ", ".join(still))
        released = release_all(self.engine, self.owner)
        if released:
            logger.info("stopping: released %d lock(s)", released)
        if _current is self:
            _current = None
        logger.info("scheduler stopped")

    def serve(self) -> int:
        """Run until SIGTERM or SIGINT (main thread only); returns the exit status (0)."""
        stop = threading.Event()

        def on_signal(signum: int, _frame: Any) -> None:
            logger.info("received %s: stopping", signal.Signals(signum).name)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM,
                                                                   signal.SIGINT)}
        try:
            logger.info("scheduler started (pid %d, %s, %d source(s), timezone %s)",
                        os.getpid(), self.owner, len(self.triggers), self.tz.key)
            self.start()
            while not stop.wait(1):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def run_once(self, now: datetime | None = None) -> dict[str, int | None]:
        """Crawl every source due now (whatever the age of its slot), then the post-crawl
        steps; returns the run id of each source crawled."""
        due = self.due_sources(now)
        logger.info("due now: %s", ", ".join(due) or "nothing")
        with PoolExecutor(max_workers=max(1, int(self.config.schedule.jobs)),
                          thread_name_prefix="crawl") as pool:
            results = dict(zip(due, pool.map(self._safe_crawl, due), strict=True))
        if not self.stop_crawls.is_set():
            self.post_crawl()
        from aggregator.store.locks import release_all

        release_all(self.engine, self.owner)
        return {source: run_id for source, run_id in results.items() if run_id is not None}

    def _safe_crawl(self, source: str) -> int | None:
        from redis.exceptions import RedisError

        try:
            return self.crawl_source(source)
        except RedisError as exc:  # [distributed] enabled, Redis unreachable: health shows it
            from aggregator.crawling.runner import record_failed

            why = f"cannot reach Redis: {exc}"
            logger.error("%s: not crawled, %s", source, why, extra=for_reader(
                _("%(source)s: not crawled, %(why)s") % {"source": source,
                                                        "why": run_note(why)}))
            return record_failed(source, why, database_url=self.database_url)
        except Exception:
            logger.exception("%s: the crawl could not be run", source)
            return None
