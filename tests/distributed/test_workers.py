"""Two worker processes on one Redis queue, a local server, the shared PostgreSQL store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.config import PROJECT_ROOT
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun, Listing
from tests.distributed.sites import BOARDS, MassSite, board, expected_listings
from tests.sites import serve

AGGREGATOR = str(Path(sys.executable).with_name("aggregator"))
pytestmark = pytest.mark.slow
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=INFO"]


def endpoints(base: str) -> list[str]:
    return ["-s", f"GREENHOUSE_API_URL={base}/v1", *FAST]


def seed(base: str) -> None:
    boards = ",".join(board(i) for i in range(BOARDS))
    for source, arg in (("jobposting", f"urls={base}/careers/sitemap_index.xml"),
                        ("greenhouse", f"boards={boards}")):
        result = subprocess.run([AGGREGATOR, "crawl", "--distributed", source, "-a", arg,
                                 *endpoints(base)], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr


def start_worker(base: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([AGGREGATOR, "worker", "--sources", "jobposting,greenhouse",
                             *endpoints(base), *extra], cwd=PROJECT_ROOT,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def finished_runs(url: str) -> list[CrawlRun]:
    with Session(get_engine(url)) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def wait_for_runs(url: str, count: int, timeout: float = 240) -> list[CrawlRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = finished_runs(url)
        if len(runs) >= count and all(r.finished_at is not None for r in runs):
            return runs
        time.sleep(1)
    raise AssertionError(f"runs not finished in time: {[(r.source, r.outcome) for r in runs]}")


def stored(url: str) -> list[tuple[str, str]]:
    """(source, id) of every stored listing; a career page's id is scoped by its site."""
    with Session(get_engine(url)) as session:
        rows = session.execute(select(Listing.source, Listing.source_id)).all()
    return [(source, source_id.rsplit(":", 1)[-1]) for source, source_id in rows]


def page_fetches(site: MassSite) -> Counter[str]:
    # robots.txt is read by every worker's robots.txt middleware: it is not a listing page
    return Counter(r.path for r in site.received if not r.path.endswith("robots.txt"))


def stop(*workers: subprocess.Popen[bytes]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        assert worker.wait(60) == 0


def fetched_by(site: MassSite) -> Counter[str]:
    """Pages fetched per worker (each worker runs with its own User-Agent)."""
    return Counter(r.headers.get("User-Agent", "") for r in site.received
                   if not r.path.endswith("robots.txt"))


def test_two_workers_share_the_crawl_and_a_second_day_fetches_again(
        redis_url, shared_store, tmp_path):
    site = MassSite()
    with serve(site) as base:
        workers = [start_worker(base, tmp_path / f"worker-{name}.log",
                                "-s", f"USER_AGENT=worker-{name}") for name in "ab"]
        try:
            seed(base)
            first = wait_for_runs(shared_store, 2)
            assert {(r.source, r.outcome) for r in first} == {
                ("jobposting", "ok"), ("greenhouse", "ok")}
            listings = stored(shared_store)
            assert len(listings) == len(set(listings)) == 2000
            assert set(listings) == expected_listings()
            fetched = page_fetches(site)
            assert sum(fetched.values()) == 2000 + 3  # the pages, a sitemap index, 2 sitemaps
            assert set(fetched.values()) == {1}, "a page was fetched twice"
            shares = fetched_by(site)
            assert set(shares) == {"worker-a", "worker-b"}, shares
            assert min(shares.values()) > 200, f"one worker did nearly all the work: {shares}"
            by_source = {r.source: r for r in first}
            assert by_source["greenhouse"].items_new == 1000
            assert by_source["jobposting"].items_new == 1000

            seed(base)  # the next day: a new generation, a fresh dupe filter
            second = wait_for_runs(shared_store, 4)
            assert set(page_fetches(site).values()) == {2}
            assert len(stored(shared_store)) == 2000
            assert {r.items_unchanged for r in second[2:]} == {1000}
        finally:
            stop(*workers)


def test_killing_a_worker_mid_crawl_loses_nothing(redis_url, shared_store, tmp_path):
    site = MassSite()
    lease = ["-s", "DISTRIBUTED_LEASE_SECONDS=4"]
    with serve(site) as base:
        victim = start_worker(base, tmp_path / "victim.log", *lease, "-s", "USER_AGENT=victim")
        survivor = start_worker(base, tmp_path / "survivor.log", *lease)
        try:
            seed(base)
            deadline = time.monotonic() + 120
            # killed once it holds pages of its own (on a loaded machine the survivor alone
            # could fetch the first 400 while the victim starts: nothing would be lost)
            while (len(site.received) < 400 or fetched_by(site)["victim"] < 20) \
                    and time.monotonic() < deadline:
                time.sleep(0.2)
            os.kill(victim.pid, signal.SIGKILL)  # no clean stop: its requests are in flight
            victim.wait(10)
            runs = wait_for_runs(shared_store, 2)
            assert {r.outcome for r in runs} == {"ok"}
            listings = stored(shared_store)
            assert set(listings) == expected_listings()
            assert len(listings) == 2000
            assert sum(r.items_new for r in runs) == 2000
            # what the victim held was taken back from its lapsed leases, not skipped
            assert "back in the queue" in (tmp_path / "survivor.log").read_text()
        finally:
            stop(survivor)
