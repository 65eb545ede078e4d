"""Helpers of the fault suite: a slow multi-board site, crawls as subprocesses, polling."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aggregator.config import PROJECT_ROOT
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun, Listing
from tests.sites import FixtureSite, Received, Reply
from tests.sites.greenhouse import content_list

AGGREGATOR = str(Path(sys.executable).with_name("aggregator"))
SCRAPY = str(Path(sys.executable).with_name("scrapy"))
BOARDS = 30  # boards crawled one after another: long enough to be killed mid-way
JOBS_PER_BOARD = len(content_list()["jobs"])
# One request at a time, small store batches: a kill lands between stored batches.
SLOW = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS=1", "-s", "STORE_BATCH_SIZE=5"]
PATIENCE = 90.0  # seconds: generous, the machine may be loaded


def board_names(count: int = BOARDS) -> str:
    return ",".join(f"board{n:02d}" for n in range(count))


def boards_site(delay: float = 0.3) -> FixtureSite:
    """Greenhouse boards ``board00``… each answering the recorded ``codepath`` board
    (tests/sites/greenhouse.py), its job ids made unique per board so that every board adds
    listings of its own; each answer takes ``delay`` seconds."""
    recorded = content_list()

    def board(request: Received) -> Reply:
        number = int(request.path.split("/")[3].removeprefix("board"))
        jobs = [{**job, "id": number * 10**11 + job["id"]} for job in recorded["jobs"]]
        time.sleep(delay)
        return Reply.json(json.dumps({**recorded, "jobs": jobs}).encode())

    return FixtureSite().add("GET", r"/v1/boards/board\d+/jobs", board)


def start_crawl(base: str, *extra: str, boards: int = BOARDS,
                env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [AGGREGATOR, "crawl", "greenhouse", "-a", f"boards={board_names(boards)}",
         "-s", f"GREENHOUSE_API_URL={base}/v1", *SLOW, *extra],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=os.environ | {"COLUMNS": "200"} | (env or {}))


def aggregator(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGGREGATOR, *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=timeout, env=os.environ | {"COLUMNS": "200"})


def wait_for(condition: Callable[[], Any], timeout: float = PATIENCE,
             what: str = "condition", every: float = 0.2) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if value := condition():
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def crawl_child(parent: subprocess.Popen[str]) -> psutil.Process | None:
    """The crawl process `aggregator crawl` started (``python -m aggregator.crawling...``)."""
    try:
        children = psutil.Process(parent.pid).children()
    except psutil.NoSuchProcess:
        return None
    return next((c for c in children if "aggregator.crawling.process" in c.cmdline()), None)


def catches_sigterm(pid: int) -> bool:
    """Whether process ``pid`` has a SIGTERM handler of its own (Linux's /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def kill(pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def stored_count(url: str) -> int:
    with Session(get_engine(url)) as session:
        return session.scalar(select(func.count()).select_from(Listing)) or 0


def duplicates(url: str) -> int:
    """Listings stored more than once (one source id twice)."""
    query = (select(Listing.source, Listing.source_id).group_by(Listing.source, Listing.source_id)
             .having(func.count() > 1))
    with Session(get_engine(url)) as session:
        return len(session.execute(query).all())


def all_runs(url: str) -> list[CrawlRun]:
    with Session(get_engine(url)) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
