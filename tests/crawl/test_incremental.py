"""An incremental crawl starts from what the store already has.

The crawl process reads the newest stored listing of the source and hands it to the spider as
an argument (a spider never reads the store); `-a since=` still wins. End to end: `aggregator
crawl boamp` in a subprocess, against the local BOAMP site serving the recorded records
(published on 2026-08-12), into a real store; and `scrapy crawl` from the checkout does the
same.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.config import PROJECT_ROOT
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun
from aggregator.store.runs import recent_runs
from tests.crawl.test_crawl_command import FAST, aggregator
from tests.sites import serve
from tests.sites.boamp import BoampSite

SCRAPY = str(Path(sys.executable).with_name("scrapy"))
pytestmark = pytest.mark.slow
_DAY = re.compile(r"date'(\d{4}-\d{2}-\d{2})'")


def crawl(site: BoampSite, url: str, *args: str) -> tuple[CrawlRun, list[str]]:
    """Crawl BOAMP with ``args``; the run, and the publication days it asked the site for."""
    asked = len(site.received)
    with serve(site) as base:
        result = aggregator("crawl", "boamp", "-s", f"BOAMP_API_URL={base}/api/explore/v2.1",
                            *FAST, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    days = [m.group(1) for r in site.received[asked:]
            if (m := _DAY.search(r.param("where", "")))]
    return recent_runs(get_engine(url), source="boamp", limit=1)[0], days


def test_a_crawl_starts_from_the_newest_stored_listing_unless_told_since(sqlite_url):
    site = BoampSite()
    first, days = crawl(site, sqlite_url, "-a", "since=2026-08-12", "-a", "until=2026-08-12")
    assert (first.outcome, first.items_new, days) == ("ok", 2, ["2026-08-12"])

    # Nothing said: from the day before the newest stored publication (a day of overlap),
    # not from the 30 days a first crawl reads.
    second, days = crawl(site, sqlite_url, "-a", "until=2026-08-14")
    assert second.args["since"] == "2026-08-11"
    assert days == ["2026-08-14", "2026-08-13", "2026-08-12", "2026-08-11"]
    assert (second.outcome, second.items_new, second.items_unchanged) == ("ok", 0, 2)

    third, days = crawl(site, sqlite_url, "-a", "since=2026-08-13", "-a", "until=2026-08-14")
    assert third.args["since"] == "2026-08-13"
    assert days == ["2026-08-14", "2026-08-13"]


def test_plain_scrapy_crawl_records_its_run_and_starts_from_the_store(sqlite_url):
    site = BoampSite()
    crawl(site, sqlite_url, "-a", "since=2026-08-12", "-a", "until=2026-08-12")
    with serve(site) as base:
        result = subprocess.run(
            [SCRAPY, "crawl", "boamp", "-s", f"BOAMP_API_URL={base}/api/explore/v2.1",
             *FAST, "-a", "until=2026-08-13"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    run = recent_runs(get_engine(sqlite_url), source="boamp", limit=1)[0]
    assert (run.outcome, run.items_unchanged, run.args["since"]) == ("ok", 2, "2026-08-11")
