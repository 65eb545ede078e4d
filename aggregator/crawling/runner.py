"""Running crawls: one child process per source, progress read from its stdout.

Used by `aggregator crawl` and by the scheduler. Each child is
``python -m aggregator.crawling.process SOURCE`` and writes its own run record; this side
adds what only a parent can know (a timeout, a stop, a crash).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

from aggregator.config import DATABASE_URL_ENV, PROJECT_ROOT, in_checkout
from aggregator.crawling.outcome import STOP_REASON
from aggregator.crawling.registry import SETTINGS_MODULE
from aggregator.i18n import LANGUAGE_ENV, N_, language
from aggregator.store.run_outcome import RunOutcome
from aggregator.store.runs import (
    close_dead_runs,
    close_run,
    finish_run,
    get_run,
    hand_over,
    start_run,
)

LOG_KEEP_DAYS = 30  # a crawl's own log file is deleted after this many days
STOP_GRACE_SECONDS = 20  # after SIGTERM, how long a crawl may take to close cleanly
CRAWL_LOCK = "crawl:{source}"  # one crawl of a source at a time (the scheduler's lock too)


class CrawlState(StrEnum):
    """Where a crawl is; a skipped one says why in ``CrawlProgress.skip``."""

    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"


class SkipReason(StrEnum):
    """Why a crawl was skipped (its words are the display's: aggregator.cli.crawl)."""

    DISTRIBUTED_RUNNING = "distributed"  # the source's last distributed crawl still runs
    STOPPED = "stopped"  # stopped (Ctrl-C, a shutdown) before its turn came
    LOCKED = "locked"  # another process holds the source's lock: it is crawling it


_SKIP_MESSAGES = {
    SkipReason.DISTRIBUTED_RUNNING: N_("skipped: distributed crawl %(run)s still running "
                                       "(%(queued)s queued, %(inflight)s in flight)"),
    SkipReason.STOPPED: N_("skipped: stopped before it started"),
    SkipReason.LOCKED: N_("skipped: being crawled by %(holder)s"),
}
_UNKNOWN_HOLDER = N_("skipped: being crawled by another process")


@dataclass(frozen=True)
class Skip:
    """Why a crawl did not run, with what the reader is told of it."""

    reason: SkipReason
    holder: str | None = None  # LOCKED: the process crawling the source, if known
    generation: int | None = None  # DISTRIBUTED_RUNNING: that crawl's run id
    queued: int = 0  # DISTRIBUTED_RUNNING: its requests still queued...
    inflight: int = 0  # ... and being crawled

    def text(self, say: Callable[[str], str] = str) -> str:
        """What the reader is told, through ``say``: gettext's ``_`` for the reader's
        language (aggregator crawl), as written for the logs."""
        message = _SKIP_MESSAGES[self.reason]
        if self.reason is SkipReason.LOCKED and not self.holder:
            message = _UNKNOWN_HOLDER
        return say(message) % {"run": self.generation, "queued": self.queued,
                               "inflight": self.inflight, "holder": self.holder}

    def __str__(self) -> str:  # in the logs
        return self.text()


@dataclass
class CrawlProgress:
    source: str
    state: CrawlState = CrawlState.WAITING
    skip: Skip | None = None  # why, when ``state`` is SKIPPED
    run_id: int | None = None
    items: int = 0
    dropped: int = 0
    requests: int = 0
    responses: int = 0
    started: float | None = None

    def skipped(self, why: Skip) -> None:
        self.state, self.skip = CrawlState.SKIPPED, why

    @property
    def finished(self) -> bool:
        """Done or skipped: nothing more will happen to it."""
        return self.state in (CrawlState.DONE, CrawlState.SKIPPED)


@dataclass
class CrawlRequest:
    source: str
    args: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    # seed a distributed crawl (queue its start requests in Redis for `aggregator worker`s)
    seed: bool = False


def log_dir() -> Path:
    if in_checkout():
        return PROJECT_ROOT / "db" / "logs"
    return Path(platformdirs.user_log_dir("aggregator"))


def _command(request: CrawlRequest, *, replay: Path | None, record: Path | None) -> list[str]:
    command = [sys.executable, "-m", "aggregator.crawling.process", request.source, "--progress",
               "--parent", str(os.getpid())]
    for key, value in request.args.items():
        command += ["-a", f"{key}={value}"]
    for key, value in request.settings.items():
        command += ["-s", f"{key}={value}"]
    # absolute: the child runs in the project's directory, not the caller's
    if replay is not None:
        command += ["--replay", str(replay.resolve())]
    if record is not None:
        command += ["--record", str(record.resolve())]
    if request.seed:
        command.append("--seed")
    return command


def _read_progress(stream: Any, progress: CrawlProgress) -> None:
    for line in stream:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        progress.run_id = event.get("run_id") or progress.run_id
        for key in ("items", "dropped", "requests", "responses"):
            if isinstance(event.get(key), int):
                setattr(progress, key, event[key])


def _stop(process: subprocess.Popen[str], grace: float) -> None:
    """SIGTERM (Scrapy closes the spider cleanly), then SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_crawl(request: CrawlRequest, *, progress: CrawlProgress | None = None,
              replay: Path | None = None, record: Path | None = None,
              timeout: float | None = None, database_url: str | None = None,
              stop_event: threading.Event | None = None) -> int | None:
    """Run one crawl in a child process; returns its run id (None only if nothing could
    be recorded). A child that crashes, hangs past ``timeout`` or is stopped is recorded
    as such."""
    from aggregator.store.engine import get_engine

    progress = progress or CrawlProgress(request.source)
    if request.seed and (busy := _distributed_crawl_running(request)):
        progress.skipped(busy)
        return None
    progress.state, progress.started = CrawlState.RUNNING, time.monotonic()
    logs = log_dir()
    logs.mkdir(parents=True, exist_ok=True)
    prune_logs(logs)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    log_path = logs / f"{request.source}-{stamp}-{os.getpid()}.log"
    # The child speaks the parent's language even when it came from [ui] language, which
    # the child does not read.
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE=SETTINGS_MODULE,
               **{LANGUAGE_ENV: language()})
    if database_url:
        env[DATABASE_URL_ENV] = database_url
    engine = get_engine(database_url)
    started_at = datetime.now(UTC)
    ended: RunOutcome | None = None  # TIMEOUT or STOPPED: this side ended the crawl
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(_command(request, replay=replay, record=record),
                                   cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=log, text=True, start_new_session=True)
        reader = threading.Thread(target=_read_progress, args=(process.stdout, progress),
                                  daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout if timeout else None
        while process.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                ended = RunOutcome.TIMEOUT
                _stop(process, STOP_GRACE_SECONDS)
            elif stop_event is not None and stop_event.is_set():
                ended = RunOutcome.STOPPED
                _stop(process, STOP_GRACE_SECONDS)
            else:
                time.sleep(0.1)
        reader.join(timeout=5)
    announced = progress.run_id is not None
    if progress.run_id is None:  # the child died before it opened its run: record it here
        progress.run_id = start_run(engine, request.source, args=request.args,
                                    started_at=started_at, replayed=replay is not None)
    run_id = progress.run_id
    run = get_run(engine, run_id)
    if ended is RunOutcome.TIMEOUT:
        finish_run(engine, run_id, outcome=ended, finish_reason="timeout",
                   error_summary=f"stopped after the time limit of {timeout:.0f} s")
    elif request.seed and announced and process.returncode == 0:
        if run is not None and run.outcome is RunOutcome.RUNNING:
            hand_over(engine, run_id)  # a clean seeding leaves its run to the workers
    elif run is not None and run.outcome is RunOutcome.RUNNING:
        # killed, stopped or crashed mid-way; the run keeps the counts it stored
        outcome, reason, note = _ending(ended, process.returncode, log_path)
        close_run(engine, run_id, outcome, note, reason)
        if request.seed and announced:
            from aggregator.crawling.distributed.seeding import Seeding

            Seeding(_redis_of(request), request.source).abandon(run_id)
    progress.state = CrawlState.DONE  # after the run's record is complete
    return run_id


def _ending(ended: RunOutcome | None, returncode: int,
            log_path: Path) -> tuple[RunOutcome, str, str]:
    """(outcome, finish reason, note) of a child that ended without closing its run."""
    if ended is not None:
        return ended, STOP_REASON, "stopped before the crawl could close its run"
    if returncode < 0:  # killed by a signal from outside: says nothing of the source
        name = signal.Signals(-returncode).name
        return (RunOutcome.INTERRUPTED, "interrupted",
                f"the crawl process was killed ({name})")
    # exit status 2: the child refused its command in one line (in the user's language)
    refused = _last_line(log_path) if returncode == 2 else None
    return (RunOutcome.FAILED, "crashed", _exception_line(log_path) or refused
            or f"the crawl process exited with {returncode}")


def _redis_of(request: CrawlRequest) -> str:
    from aggregator.crawling.distributed import redis_url

    return request.settings.get("REDIS_URL") or redis_url()


def _distributed_crawl_running(request: CrawlRequest) -> Skip | None:
    """Why a source cannot be seeded now (its last distributed crawl still runs), or None."""
    from aggregator.crawling.distributed import connect
    from aggregator.crawling.distributed.seeding import busy_generation

    busy = busy_generation(connect(_redis_of(request)), request.source)
    if busy is None:
        return None
    generation, queued, inflight = busy
    return Skip(SkipReason.DISTRIBUTED_RUNNING, generation=generation, queued=queued,
                inflight=inflight)


def prune_logs(directory: Path, keep_days: float = LOG_KEEP_DAYS) -> int:
    """Delete the crawl logs (``SOURCE-STAMP-PID.log``) older than ``keep_days``; a daily
    schedule writes a dozen a day. Other files (the scheduler's rotating log) are left."""
    cutoff = time.time() - keep_days * 86400
    removed = 0
    for path in directory.glob("*-*-*.log"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # another process pruned it, or it is not ours to delete
            continue
    return removed


def _last_line(path: Path) -> str | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        return None
    return next((line.strip()[:500] for line in reversed(lines) if line.strip()), None)


def _exception_line(path: Path) -> str | None:
    """The exception that ended a crashed child: the last line of the last traceback in its
    log (``ValueError: ...``), not any line that happens to contain "Error"."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent")]
    if not starts:
        return None
    for line in lines[starts[-1] + 1:]:
        if line and not line[0].isspace():  # the first unindented line ends the traceback
            return line.strip()[:500]
    return None


def run_locked_crawl(request: CrawlRequest, *, owner: str, progress: CrawlProgress,
                     **options: Any) -> int | None:
    """``run_crawl`` holding the source's database lock, so that a manual crawl and the
    scheduler never crawl one source at once; None when another process holds it, or when
    ``stop_event`` was set before its turn came."""
    from aggregator.store.engine import get_engine
    from aggregator.store.locks import held_lock, holder

    stop_event = options.get("stop_event")
    if stop_event is not None and stop_event.is_set():
        progress.skipped(Skip(SkipReason.STOPPED))
        return None
    engine = get_engine(options.get("database_url"))
    name = CRAWL_LOCK.format(source=request.source)
    with held_lock(engine, name, owner) as held:
        if not held:
            progress.skipped(Skip(SkipReason.LOCKED, holder=holder(engine, name)))
            return None
        return run_crawl(request, progress=progress, **options)


def run_crawls(requests: Sequence[CrawlRequest], *, jobs: int = 4,
               replay: Path | None = None, record: Path | None = None,
               timeout: float | None = None, database_url: str | None = None,
               on_start: Callable[[dict[str, CrawlProgress]], None] | None = None,
               stop_event: threading.Event | None = None) -> dict[str, int | None]:
    """Run crawls, at most ``jobs`` at a time, each under its source's lock; returns each
    source's run id (None for a source another process was crawling). Setting ``stop_event``
    stops the running crawls cleanly and starts no other."""
    from aggregator.store.engine import get_engine
    from aggregator.store.locks import new_owner

    owner = new_owner()
    close_dead_runs(get_engine(database_url))  # crawls killed earlier: closed `interrupted`
    progress = {r.source: CrawlProgress(r.source) for r in requests}
    if on_start:
        on_start(progress)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {r.source: pool.submit(run_locked_crawl, r, owner=owner,
                                         progress=progress[r.source], replay=replay,
                                         record=record, timeout=timeout,
                                         database_url=database_url, stop_event=stop_event)
                   for r in requests}
        return {source: future.result() for source, future in futures.items()}


def record_unconfigured(source: str, reason: str, database_url: str | None = None) -> int:
    """A run record for a source that cannot run as configured (so health can say so)."""
    return _record_not_run(source, RunOutcome.UNCONFIGURED, reason, database_url)


def record_failed(source: str, reason: str, database_url: str | None = None) -> int:
    """A ``failed`` run record for a crawl that could not be started (Redis unreachable)."""
    return _record_not_run(source, RunOutcome.FAILED, reason, database_url)


def _record_not_run(source: str, outcome: RunOutcome, reason: str,
                    database_url: str | None) -> int:
    from aggregator.store.engine import get_engine

    engine = get_engine(database_url)
    run_id = start_run(engine, source)
    finish_run(engine, run_id, outcome=outcome, error_summary=reason)
    return run_id
