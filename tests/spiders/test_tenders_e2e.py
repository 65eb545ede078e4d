"""End to end: the real crawl process against a local server serving the recorded responses.

Each test runs ``python -m aggregator.crawling.process SOURCE`` with the source's endpoint set
to 127.0.0.1, then reads the listings and the crawl_runs record back from the store. The
server answers a 429 with ``Retry-After: 1`` and a 500 before the real pages; the extra
records (a broken ``donnees``, no title) and the split pages are derived here from the
recorded ones.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import select

from aggregator.config import PROJECT_ROOT
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun
from aggregator.store.models import Listing as ListingRow
from tests.sites import FixtureSite, Reply, serve
from tests.sites.boamp import RECORDS_PATH, BoampSite
from tests.sites.boamp import recorded as boamp_records
from tests.sites.ocds import SEARCH_PATH as OCDS_PATH
from tests.sites.ocds import OcdsSite
from tests.sites.ted import SEARCH_PATH as TED_PATH
from tests.sites.ted import TedSite
from tests.sites.ted import recorded as ted_recorded


def crawl(source: str, url: str, setting: str, *args: str) -> None:
    command = [sys.executable, "-m", "aggregator.crawling.process", source,
               "-s", f"{setting}={url}", "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]
    for arg in args:
        command += ["-a", arg]
    subprocess.run(command, cwd=PROJECT_ROOT, env=os.environ.copy(), check=True, timeout=120)


def rows_and_run(url: str, source: str) -> tuple[dict[str, ListingRow], CrawlRun]:
    engine = get_engine(url)
    with engine.connect() as conn:
        rows = {r.source_id: r for r in conn.execute(
            select(ListingRow).where(ListingRow.source == source))}
        (run,) = conn.execute(select(CrawlRun).where(CrawlRun.source == source)).all()
    return rows, run


def with_retries(site: FixtureSite, method: str, path: str) -> FixtureSite:
    """A 429 (Retry-After: 1) then a 500 before the site's real answers."""
    front = FixtureSite()
    front.add(method, path, Reply.json(b'{"error": "too many requests"}', 429,
                                       **{"Retry-After": "1"}), times=1)
    front.add(method, path, Reply.json(b'{"error": "internal"}', 500), times=1)
    front.routes += site.routes
    return front


def test_boamp_crawl(sqlite_url):
    good = boamp_records()
    broken = {**copy.deepcopy(good[0]), "idweb": "26-79590", "id": "26_79590",
              "donnees": good[0]["donnees"][:3000]}
    untitled = {**copy.deepcopy(good[1]), "idweb": "26-79591", "id": "26_79591",
                "objet": "", "donnees": "{"}
    site = with_retries(BoampSite([*good, broken, untitled]), "GET", RECORDS_PATH)
    with serve(site) as base:
        crawl("boamp", f"{base}/api/explore/v2.1", "BOAMP_API_URL",
              "since=2026-08-11", "until=2026-08-12", "page_size=2")
    rows, run = rows_and_run(sqlite_url, "boamp")

    assert sorted(rows) == ["26-79589", "26-79590", "26-79592"]
    paris_noon = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    assert rows["26-79592"].deadline_at == paris_noon  # not the flat field's 12:00 UTC
    assert (rows["26-79592"].department, rows["26-79592"].region,
            rows["26-79592"].city) == ("95", "11", "Pontoise")
    assert rows["26-79589"].deadline_at == datetime(2026, 9, 22, 10, 0, tzinfo=UTC)
    assert rows["26-79590"].deadline_at == datetime(2026, 9, 22, 10, 0, tzinfo=UTC)  # gestion
    assert rows["26-79589"].cpv == ["44113310"]
    # the store closes a listing whose deadline has passed (the recorded ones are of 2026-09)
    expected = "open" if datetime.now(UTC) < datetime(2026, 9, 22, 10, 0, tzinfo=UTC) \
        else "closed"
    assert rows["26-79589"].status == expected

    assert (run.outcome, run.complete, run.items_new) == ("ok", True, 3)
    assert run.dropped_reasons == {"missing title": 1}
    assert run.stats["retry_after/waits"] == 1
    assert run.stats["aggregator/unreadable/donnees"] == 2
    assert run.args == {"since": "2026-08-11", "until": "2026-08-12", "page_size": "2"}
    pages = [(r.param("where"), r.param("offset"), r.param("limit"))
             for r in site.received if r.path.endswith("/records")]
    day, before = "dateparution = date'2026-08-12'", "dateparution = date'2026-08-11'"
    assert pages == [(day, "0", "2")] * 3 + [(day, "2", "2"), (before, "0", "2")]


def test_ted_crawl(sqlite_url):
    first = ted_recorded()["notices"][0]
    second = {**copy.deepcopy(first), "publication-number": "543999-2026",
              "notice-identifier": "0b6f7d1e-8c2a-4e5b-9a77-3f1d2c4b5a69"}
    ted = TedSite(pages=[[first], [second]])
    site = with_retries(ted, "POST", TED_PATH)
    with serve(site) as base:
        crawl("ted", f"{base}/v3", "TED_API_URL", "since=2026-08-05", "until=2026-08-12")
    rows, run = rows_and_run(sqlite_url, "ted")

    assert sorted(rows) == ["543742-2026", "543999-2026"]
    row = rows["543742-2026"]
    assert row.deadline_at == datetime(2026, 9, 16, 14, 30, tzinfo=UTC)
    assert (row.department, row.region, row.country, row.organization) == (
        "83", "93", "FR", "Commune d'Hyères")
    assert (run.outcome, run.items_new, run.stats["retry_after/waits"]) == ("ok", 2, 1)
    assert [b.get("iterationNextToken") for b in ted.bodies] == [None, "page-2"]
    assert {b["paginationMode"] for b in ted.bodies} == {"ITERATION"}
    assert "(publication-date >= 20260805)" in ted.bodies[0]["query"]


def test_ocds_crawl(sqlite_url):
    site = with_retries(OcdsSite(), "GET", OCDS_PATH)
    with serve(site) as base:
        crawl("ocds", f"{base}{OCDS_PATH}", "OCDS_API_URL",
              "since=2022-10-19", "until=2022-10-20", "page_size=40")
    rows, run = rows_and_run(sqlite_url, "ocds")

    assert len(rows) == 84  # one per process, planning releases not asked for
    kinds = [r.notice_type for r in rows.values()]
    assert sum("award" in k for k in kinds) == 48  # awarded processes
    # every deadline of the 2022 sample has passed: the store closes them all
    assert {r.status for r in rows.values()} == {"closed"}
    amended = rows["ocds-b5fd17-4336529a-8781-49a7-af7f-1293827c28f6"]
    assert amended.notice_type == "tenderAmendment"
    assert amended.deadline_at == datetime(2022, 11, 18, 23, 59, 59, tzinfo=UTC)
    assert (run.outcome, run.items_new) == ("ok", 84)
    assert run.stats["aggregator/superseded"] == 13
    asked = [(r.param("stages"), r.param("cursor")) for r in site.received
             if r.path == OCDS_PATH]
    # 429 and 500 on the first request; tender: 44 releases (2 pages), award: 53 (2 pages)
    assert asked == [("tender", None)] * 3 + [("tender", "40"), ("award", None),
                                               ("award", "40")]


def test_empty_days_complete_without_listings(sqlite_url):
    with serve(BoampSite(json.loads("[]"))) as base:
        crawl("boamp", f"{base}/api/explore/v2.1", "BOAMP_API_URL",
              "since=2026-08-11", "until=2026-08-12")
    rows, run = rows_and_run(sqlite_url, "boamp")
    assert rows == {} and (run.outcome, run.complete, run.requests) == ("ok", True, 3)
