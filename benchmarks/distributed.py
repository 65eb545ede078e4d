"""Distributed crawling: pages/min with 1 worker vs 2, and SQLite vs PostgreSQL ingest.

    .venv/bin/python benchmarks/distributed.py [--ingest-n 50000]

Needs PostgreSQL (AGGREGATOR_BENCH_POSTGRES_URL, default postgres@127.0.0.1:5432) and Redis
(AGGREGATOR_BENCH_REDIS_URL, default redis://127.0.0.1:6379/14 — emptied by the run).

The crawl: the 2,000 listing pages of the distributed tests (tests/distributed/sites.py:
1,000 career pages found through sitemaps and 1,000 Greenhouse boards, derived from recorded
responses) served on 127.0.0.1, seeded with `aggregator crawl --distributed`, drained by N
`aggregator worker` processes into a scratch PostgreSQL database. Pages/min is counted by
the server, from the first page it served to the last. Server, workers and database share
this machine's cores, so the speed-up of a second worker is bounded by them, not by Redis.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ingest_backends import POSTGRES_URL, lines, measure, scratch_database  # noqa: E402
from tests.distributed.sites import BOARDS, MassSite, board  # noqa: E402
from tests.sites import Reply, serve  # noqa: E402

REDIS_URL = os.environ.get("AGGREGATOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
AGGREGATOR = str(Path(sys.executable).with_name("aggregator"))
SETTINGS = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=WARNING"]


class TimedSite(MassSite):
    """The test site, noting when each listing page was served."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._times_lock = threading.Lock()

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Reply:
        reply = super().handle(method, url, headers, body)
        if "robots.txt" not in url:
            with self._times_lock:
                self.times.append(time.monotonic())
        return reply


def crawl_with(workers: int, database: str) -> float:
    """Pages per minute for ``workers`` worker processes draining one seeded crawl."""
    from aggregator.crawling.distributed import connect
    from aggregator.store.engine import get_engine
    from aggregator.store.runs import recent_runs

    connect(REDIS_URL).flushdb()
    env = os.environ | {"AGGREGATOR_DATABASE_URL": database, "AGGREGATOR_REDIS_URL": REDIS_URL}
    site = TimedSite()
    with serve(site) as base:
        settings = ["-s", f"GREENHOUSE_API_URL={base}/v1", *SETTINGS]
        procs = [subprocess.Popen([AGGREGATOR, "worker", "--sources", "jobposting,greenhouse",
                                   *settings], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]
        try:
            boards = ",".join(board(i) for i in range(BOARDS))
            for source, arg in (("jobposting", f"urls={base}/careers/sitemap_index.xml"),
                                ("greenhouse", f"boards={boards}")):
                subprocess.run([AGGREGATOR, "crawl", "--distributed", source, "-a", arg,
                                *settings], cwd=ROOT, env=env, check=True,
                               stdout=subprocess.DEVNULL)
            engine = get_engine(database)
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                runs = recent_runs(engine, limit=2)
                if len(runs) == 2 and all(r.finished_at is not None for r in runs):
                    break
                time.sleep(0.5)
            else:
                raise RuntimeError("the crawl did not finish in 10 minutes")
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(60)
    pages = len(site.times)
    return pages / (site.times[-1] - site.times[0]) * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingest-n", type=int, default=50_000)
    options = parser.parse_args()

    rates = {}
    for workers in (1, 2):
        with scratch_database(POSTGRES_URL) as database:
            print(f"crawling with {workers} worker(s)…", flush=True)
            rates[workers] = crawl_with(workers, database)
    print(f"preparing {options.ingest_n:,} listings for the ingest figures…", flush=True)
    ingest = measure(options.ingest_n)

    print("\ndistributed crawl of 2,000 listing pages (local server, PostgreSQL store):")
    print(f"{'':30} {'pages/min':>12} {'vs 1 worker':>12}")
    for workers, rate in rates.items():
        print(f"{f'{workers} worker(s)':30} {rate:>12,.0f} {rate / rates[1]:>11.2f}×")
    print()
    print("\n".join(lines(ingest)))


if __name__ == "__main__":
    main()
