"""Bad input where a user meets it, through the `aggregator` command itself (a subprocess, as
a shell runs it): a broken configuration, unsupported URLs, out-of-range options and crawl
options are one line on stderr and a non-zero exit, never a traceback, and a refused crawl
stores no run; hostile listing text (Unicode bidirectional controls) never reaches what a
person reads; a server asking to wait a day is not waited for."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aggregator.config import PROJECT_ROOT
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun
from aggregator.store.runs import recent_runs
from tests.factories import item, write
from tests.sites import FixtureSite, Reply, serve
from tests.sites.greenhouse import site as greenhouse_site

pytestmark = pytest.mark.slow

AGGREGATOR = Path(sys.executable).with_name("aggregator")
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def aggregator(*args: str, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AGGREGATOR), *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=os.environ | (env or {}), timeout=timeout)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a refused command: exit 2, one line on stderr, no traceback."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def stored_runs() -> int:
    with get_engine(os.environ["AGGREGATOR_DATABASE_URL"]).connect() as conn:
        return conn.execute(select(func.count()).select_from(CrawlRun)).scalar_one()


# --- the configuration file ----------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ('[databse]\nurl = "sqlite:///x"\n', "[databse]: unknown section (did you mean [database]?)"),
    ("[sources.boampp]\nenabled = false\n",
     "[sources.boampp]: unknown source (did you mean [sources.boamp]?)"),
    ('[sources.greenhouse]\nbord = ["x"]\n',
     "[sources.greenhouse] bord: unknown key (did you mean boards?)"),
    ('[schedule]\ntime = "25:99"\n',
     "[schedule] time must be \"HH:MM\" (00:00 to 23:59) or a 5-field cron expression, "
     "not '25:99'"),
])
@pytest.mark.parametrize("command", [["list"], ["runs"], ["alerts", "list"], ["sources", "list"]])
def test_a_broken_configuration_is_refused_by_every_command(isolated_environment, text,
                                                            message, command):
    config = isolated_environment / "aggregator.toml"
    config.write_text(text, encoding="utf-8")
    assert one_line_error(aggregator(*command)) == f"error: {config}: {message}"


@pytest.mark.parametrize("content", [None, "[database\nurl = 1\n"])
def test_a_config_named_on_the_command_line_is_read_even_with_a_database_url(tmp_path,
                                                                           content):
    named = tmp_path / "named.toml"
    if content is not None:
        named.write_text(content, encoding="utf-8")
    # (AGGREGATOR_DATABASE_URL is set by the suite: the store needs nothing from the file)
    error = one_line_error(aggregator("--config", str(named), "runs"))
    assert str(named) in error and ("not found" in error) == (content is None)


# --- database and Redis URLs, numbers --------------------------------------------------------

def test_an_unsupported_database_names_the_supported_ones():
    error = one_line_error(aggregator("runs", env={"AGGREGATOR_DATABASE_URL": "mysql://u@h/db"}))
    assert "unsupported database 'mysql'" in error
    assert "sqlite:///" in error and "postgresql+psycopg://" in error


def test_a_sqlite_file_in_a_missing_folder_is_an_error_not_a_new_folder(tmp_path):
    missing = tmp_path / "nonexistent" / "dir"
    error = one_line_error(aggregator(
        "runs", env={"AGGREGATOR_DATABASE_URL": f"sqlite:///{missing}/x.db"}))
    assert f"the folder {missing} does not exist" in error
    assert not missing.parent.exists()


@pytest.mark.parametrize("args, env", [
    (["worker"], {"AGGREGATOR_REDIS_URL": "notredis://x"}),
    (["worker", "--redis", "notredis://x"], {}),
])
def test_a_redis_url_that_is_none_is_one_line(args, env):
    assert one_line_error(aggregator(*args, env=env)) == (
        "error: Redis URL 'notredis://x': expected redis://HOST:PORT/DB, rediss:// (TLS) or "
        "unix://PATH")


@pytest.mark.parametrize("args, option", [
    (["list", "--limit", "99999999999999999999"], "--limit"),
    (["search", "x", "--offset", "-1"], "--offset"),
    (["runs", "--limit", "99999999999999999999"], "--limit"),
    (["crawl", "boamp", "--jobs", "0"], "--jobs"),
])
def test_counts_out_of_range_are_one_line_naming_the_option(args, option):
    assert f"error: {option} '" in one_line_error(aggregator(*args))
    assert stored_runs() == 0


def test_a_timeout_out_of_range_is_refused_naming_the_option():
    assert "--timeout '-1'" in one_line_error(aggregator("crawl", "boamp", "--timeout", "-1"))
    assert stored_runs() == 0


def test_closing_within_names_the_flag_and_its_forms():
    error = one_line_error(aggregator("search", "--closing-within", "abc"))
    assert "--closing-within" in error and "7d" in error and "2w" in error


# --- crawl options: checked before any crawl starts ------------------------------------------

@pytest.mark.parametrize("option, message", [
    (["-a", "since=yesterday"], "-a since='yesterday': expected a date YYYY-MM-DD"),
    (["-a", "days=2026-08-12,2006-13-05"], "-a days='2006-13-05': expected a date YYYY-MM-DD"),
    (["-a", "page_size=many"], "-a page_size='many': expected a whole number >= 1"),
    (["-s", "DOWNLOAD_DELAY=fast"], "-s DOWNLOAD_DELAY='fast': expected a number"),
    (["-s", "ITEM_PIPELINES=nonsense"],
     "-s ITEM_PIPELINES='nonsense': expected a JSON object ({\"NAME\": 1})"),
    (["-s", "BOAMP_API_URL=notaurl"], "-s BOAMP_API_URL='notaurl': expected an http(s) URL"),
    (["-s", "ROBOTSTXT_OBEY=maybe"], "-s ROBOTSTXT_OBEY='maybe': expected true or false"),
])
def test_a_bad_crawl_option_is_refused_before_the_crawl_and_no_run_is_stored(option,
                                                                             message):
    assert one_line_error(aggregator("crawl", "boamp", *option)) == f"error: {message}"
    assert stored_runs() == 0  # nothing against the source's health


def test_credentials_given_as_settings_count_as_configured():
    """One rule (a -s setting, else the environment) for the check and for the spider."""
    from aggregator.config import load_config
    from aggregator.crawling.registry import configuration_problem

    assert "not set" in configuration_problem("francetravail", load_config(), {})
    given = {"FRANCE_TRAVAIL_CLIENT_ID": "id", "FRANCE_TRAVAIL_CLIENT_SECRET": "secret"}
    assert configuration_problem("francetravail", load_config(), {}, given) is None


# --- e-mail addresses --------------------------------------------------------------------------

def test_a_recipient_with_a_display_name_is_kept_and_a_bad_one_is_one_line():
    added = aggregator("alerts", "add", "lyon", "kind:tender", "--to",
                       "Jean Dupont <jean@example.fr>, marie@example.fr")
    assert added.returncode == 0, added.stderr
    shown = aggregator("alerts", "show", "lyon")
    assert "Jean Dupont <jean@example.fr>, marie@example.fr" in shown.stdout
    error = one_line_error(aggregator("alerts", "add", "other", "kind:tender", "--to",
                                      "Jean <jean@example.fr> junk"))
    assert "not an e-mail address: 'junk'" in error


# --- hostile text -------------------------------------------------------------------------------

def test_bidirectional_controls_never_reach_a_reader(tmp_path):
    """Stored as a source gave them (an older store may hold them): list, show, CSV, ICS and
    both parts of a digest neutralise them, as they do the other control characters."""
    from sqlalchemy import update

    from aggregator.store.models import Listing

    engine = get_engine(os.environ["AGGREGATOR_DATABASE_URL"])
    ids = write(engine, [item("26-1", title="Marché de voirie", organization="Ville de Lyon",
                              deadline_at="2099-04-30T12:00:00+02:00")])
    with engine.begin() as conn:  # as a store written before the normalisers stripped them
        conn.execute(update(Listing).values(title=f"Marché {BIDI}de voirie",
                                            organization=f"Ville{BIDI} de Lyon"))
    outputs = {
        "list": aggregator("list").stdout,
        "show": aggregator("show", str(ids["26-1"])).stdout,
        "csv": aggregator("export", "status:all", "--format", "csv").stdout,
        "ics": aggregator("export", "status:all", "--format", "ics").stdout,
    }
    assert "Marché de voirie" in next(csv.DictReader(io.StringIO(outputs["csv"])))["title"]
    assert aggregator("alerts", "add", "voirie", "voirie", "--to", "a@example.fr"
                      ).returncode == 0
    out = tmp_path / "digests"
    sent = aggregator("alerts", "run", "--dry-run", "--out", str(out))
    assert sent.returncode == 0, sent.stderr
    (eml,) = out.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    for part in ("plain", "html"):
        outputs[part] = message.get_body((part,)).get_content()
    for name, text in outputs.items():
        assert "voirie" in text, name
        assert not set(BIDI) & set(text), name


# --- a server asking to wait a day ------------------------------------------------------------

def test_a_retry_after_beyond_the_cap_fails_the_request_and_the_crawl_goes_on():
    busy = Reply.json(b'{"error": "slow down"}', 429, **{"Retry-After": "86400"})
    front = FixtureSite().add("GET", r"/v1/boards/busy/jobs", busy)
    front.routes += greenhouse_site().routes
    with serve(front) as base:
        result = aggregator("crawl", "greenhouse", "-a", "boards=busy,codepath",
                            "-s", f"GREENHOUSE_API_URL={base}/v1", "-s", "DOWNLOAD_DELAY=0",
                            "-s", "AUTOTHROTTLE_ENABLED=False",
                            "-s", "RETRY_AFTER_MAX_SECONDS=2", timeout=90)
    assert "Traceback" not in result.stderr
    (run,) = recent_runs(get_engine(os.environ["AGGREGATOR_DATABASE_URL"]))
    assert run.stats["retry_after/gave_up"] == 1 and "retry_after/waits" not in run.stats
    assert run.errors >= 1 and run.items_new > 0  # the other board was read
    assert front.count(r"/v1/boards/busy/jobs") == 1  # asked once, never waited for
    assert (run.finished_at - run.started_at).total_seconds() < 60


@pytest.mark.asyncio
async def test_the_tui_shows_no_bidirectional_control(sqlite_url, clock):
    from sqlalchemy import update

    from aggregator.store.models import Listing
    from aggregator.tui.app import AggregatorApp
    from aggregator.tui.results_table import ResultsTable

    engine = get_engine(sqlite_url)
    write(engine, [item("26-1", deadline_at="2026-04-30T12:00:00+02:00")])
    with engine.begin() as conn:
        conn.execute(update(Listing).values(title=f"Marché {BIDI}de voirie",
                                            organization=f"Ville{BIDI} de Lyon"))
    app = AggregatorApp(engine, query="", health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        cells = [cell.plain for cell in app.query_one(ResultsTable).get_row_at(0)]
    assert "Marché de voirie" in cells and "Ville de Lyon" in cells
