"""`aggregator crawl` and `aggregator list` end to end: real spider, local server, real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.config import PROJECT_ROOT
from aggregator.export import LISTING_FIELDS
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun, Listing
from tests.sites import serve
from tests.sites.greenhouse import site as greenhouse_site

AGGREGATOR = str(Path(sys.executable).with_name("aggregator"))
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
pytestmark = pytest.mark.slow


def aggregator(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGGREGATOR, *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=180, env=os.environ | {"COLUMNS": "200"} | env)


def stored(url: str) -> list[Listing]:
    with Session(get_engine(url)) as session:
        return list(session.scalars(select(Listing).order_by(Listing.source_id)))


def runs(url: str) -> list[CrawlRun]:
    with Session(get_engine(url)) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def test_crawl_twice_stores_once_and_summarises(sqlite_url):
    with serve(greenhouse_site()) as base:
        first = aggregator("crawl", "greenhouse", "-a", "boards=codepath",
                           "-s", f"GREENHOUSE_API_URL={base}/v1", *FAST)
        second = aggregator("crawl", "greenhouse", "-a", "boards=codepath",
                            "-s", f"GREENHOUSE_API_URL={base}/v1", *FAST)

    assert first.returncode == 0, first.stderr
    assert "Crawl summary" in first.stdout and "greenhouse" in first.stdout
    listings = stored(sqlite_url)
    assert len(listings) == 15
    assert len({listing.source_id for listing in listings}) == 15
    first_run, second_run = runs(sqlite_url)
    assert (first_run.outcome, first_run.items_new, first_run.items_unchanged) == ("ok", 15, 0)
    assert (second_run.outcome, second_run.items_new, second_run.items_unchanged) == (
        "ok", 0, 15)
    assert second_run.finished_at >= second_run.started_at
    assert second.returncode == 0


def test_unreachable_network_is_one_line_per_source_not_a_traceback(sqlite_url):
    result = aggregator("crawl", "greenhouse", "lever", "-a", "boards=codepath",
                        "-s", "GREENHOUSE_API_URL=https://boards-api.greenhouse.invalid/v1",
                        "-s", "LEVER_API_URL=https://api.lever.invalid/v0",
                        "-s", "RETRY_TIMES=0", *FAST)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    # piped: one line per source as it ends (then the summary table)
    lines = [line for line in result.stdout.splitlines()
             if line.startswith(("greenhouse: offline", "lever: offline"))
             and "network unreachable" in line]
    assert len(lines) == 2, result.stdout
    assert {run.outcome for run in runs(sqlite_url)} == {"offline"}


def test_unknown_source_is_refused_with_the_known_ones(sqlite_url):
    result = aggregator("crawl", "nosuchsource")
    assert result.returncode == 2
    assert "unknown source nosuchsource" in result.stderr and "greenhouse" in result.stderr
    assert "Traceback" not in result.stderr


def test_record_then_replay_without_the_server(sqlite_url, tmp_path):
    replay_dir = tmp_path / "replay"
    with serve(greenhouse_site()) as base:
        recorded = aggregator("crawl", "greenhouse", "--record", str(replay_dir),
                              "-a", "boards=codepath",
                              "-s", f"GREENHOUSE_API_URL={base}/v1", *FAST)
    assert recorded.returncode == 0, recorded.stderr
    manifest = json.loads((replay_dir / "manifest.json").read_text())
    assert manifest["sources"]["greenhouse"]["args"]["boards"] == "codepath"

    other_store = f"sqlite:///{tmp_path}/other.sqlite3"
    replayed = aggregator("crawl", "--replay", str(replay_dir),
                          AGGREGATOR_DATABASE_URL=other_store)  # the server is gone
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert [x.source_id for x in stored(other_store)] == [
        x.source_id for x in stored(sqlite_url)]


def test_quick_start_replays_the_bundled_set_when_offline(sqlite_url):
    result = aggregator("crawl", "--fallback-replay", "greenhouse", "boamp",
                        AGGREGATOR_PROBE_HOSTS="probe.invalid")
    assert "No network: replaying the bundled recorded responses" in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    sources = {listing.source for listing in stored(sqlite_url)}
    assert sources == {"greenhouse", "boamp"}


def test_a_replay_is_read_as_of_its_recording_until_a_live_crawl(sqlite_url):
    from aggregator.crawling.replay import BUNDLED_REPLAY, read_manifest, recorded_as_of
    from aggregator.store.state import recorded_as_of as store_as_of

    replayed = aggregator("crawl", "--replay", str(BUNDLED_REPLAY), "boamp")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "These are recorded listings" in replayed.stdout
    recorded = recorded_as_of(read_manifest(BUNDLED_REPLAY))
    assert recorded is not None and store_as_of(get_engine(sqlite_url)) == recorded
    # judged when recorded: the calls of August 2026 open then, their recorded dates as the
    # source gave them; the recorded award notice is closed; the corrigendum and the
    # cancellation of July 2006 (tests/fixtures/tenders/PROVENANCE.md) are applied to the
    # notices they name: moved to a deadline long past, and cancelled
    listings = stored(sqlite_url)
    status = {x.source_id: (x.status, x.notice_type) for x in listings}
    assert {x.status for x in listings if x.notice_type == "cn-standard"} == {"open"}
    assert {x.status for x in listings if x.notice_type == "award"} == {"closed"}
    assert all(x.deadline_at > recorded for x in listings if x.status == "open")
    for original in ("BWP06173060423D", "BWP06173080211A"):  # what the RECTIFICATIF corrects
        assert status[original] == ("closed", "corrigendum")
    corrected = next(x for x in listings if x.source_id == "BWP06173060423D")
    assert corrected.deadline_at == datetime(2006, 7, 24, 10, 0, tzinfo=UTC)
    assert corrected.details["extra"]["applied_notice"] == "BWP06184060013B"
    assert status["BWP06151100141C"] == ("cancelled", "cancellation")
    assert "Recorded listings" in aggregator("search", "kind:tender").stdout
    with serve(greenhouse_site()) as base:
        live = aggregator("crawl", "greenhouse", "-a", "boards=codepath",
                          "-s", f"GREENHOUSE_API_URL={base}/v1", *FAST)
    assert live.returncode == 0, live.stdout + live.stderr
    assert store_as_of(get_engine(sqlite_url)) is None
    assert "Recorded listings" not in aggregator("search", "kind:tender").stdout


def test_list_json_prints_design_fields_one_object_per_line(sqlite_url):
    with serve(greenhouse_site()) as base:
        aggregator("crawl", "greenhouse", "-a", "boards=codepath",
                   "-s", f"GREENHOUSE_API_URL={base}/v1", *FAST)
    result = aggregator("list", "--json", "--limit", "5")
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    for line in lines:
        record = json.loads(line)
        assert list(record)[:len(LISTING_FIELDS)] == list(LISTING_FIELDS)
        assert record["kind"] == "job" and record["source"] == "greenhouse"
        assert record["published_at"] is None or "+00:00" in record["published_at"]
    table = aggregator("list", "--limit", "3")
    assert table.returncode == 0 and "greenhouse" in table.stdout


def test_a_source_being_crawled_elsewhere_is_skipped(sqlite_url):
    from aggregator.store.locks import acquire, release

    engine = get_engine(sqlite_url)
    assert acquire(engine, "crawl:greenhouse", "scheduler-on-host-a")
    try:
        result = aggregator("crawl", "greenhouse", "-a", "boards=codepath")
    finally:
        release(engine, "crawl:greenhouse", "scheduler-on-host-a")
    assert "greenhouse: skipped: being crawled by scheduler-on-host-a" in result.stdout
    assert runs(sqlite_url) == []


def test_ctrl_c_stops_the_crawls_cleanly_and_leaves_no_process(sqlite_url):
    import signal
    import threading
    import time

    from tests.sites import FixtureSite, Reply

    answered = threading.Event()

    def slow(_request):
        answered.set()
        time.sleep(20)
        return Reply.json(b'{"jobs": []}')

    site = FixtureSite().add("GET", r"/v1/boards/slow/jobs", slow)
    with serve(site) as base:
        process = subprocess.Popen(
            [AGGREGATOR, "crawl", "greenhouse", "-a", "boards=slow", "-s",
             f"GREENHOUSE_API_URL={base}/v1", "-s", "DOWNLOAD_TIMEOUT=5", *FAST],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert answered.wait(60), "the crawl never asked the server"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert "Stopping the crawls" in out and "Traceback" not in out + err
    (run,) = runs(sqlite_url)
    assert run.finished_at is not None and run.outcome != "running"
    with pytest.raises(ProcessLookupError):  # the crawl process is gone too
        os.kill(run.pid, 0)


@pytest.mark.parametrize("args, env, message", [
    (["list"], {"AGGREGATOR_DATABASE_URL": "foo://x"}, "error: database URL:"),
    (["list"], {"AGGREGATOR_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"},
     "error: database: connection failed"),
    (["export", "", "-o", "/nonexistent/dir/x.csv"], {},
     "error: no such file or folder: /nonexistent/dir/x.csv"),
    (["crawl", "--distributed", "boamp"], {"AGGREGATOR_REDIS_URL": "redis://127.0.0.1:1/0"},
     "error: cannot reach Redis"),
])
def test_user_mistakes_are_one_line_not_a_traceback(sqlite_url, args, env, message):
    result = aggregator(*args, **env)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
