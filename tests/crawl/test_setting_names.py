"""`-s NAME=VALUE` of `aggregator crawl`, `schedule` and `worker`: a name no crawl reads (a
misspelt one Scrapy would silently ignore) and a value of the wrong type are refused in one
line, before anything starts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aggregator.config import PROJECT_ROOT
from aggregator.crawling.overrides import known_settings
from aggregator.store.engine import get_engine
from aggregator.store.models import CrawlRun
from tests.test_i18n import aggregator

COMMANDS = [("crawl", "boamp"), ("schedule",), ("schedule", "--once"),
            ("worker", "--redis", "redis://127.0.0.1:1/0")]


def stored_runs(url: str) -> int:
    with get_engine(url).connect() as conn:
        return conn.scalar(select(func.count()).select_from(CrawlRun))


@pytest.fixture
def store(tmp_path: Path) -> dict[str, str]:
    return {"AGGREGATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
            "LANG": "en_GB.UTF-8"}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("setting", "error"), [
    ("DOWNLOAD_DELAI=2", "error: -s DOWNLOAD_DELAI: unknown setting (did you mean "
                         "DOWNLOAD_DELAY?)"),
    ("download_delay=2", "error: -s download_delay: unknown setting (did you mean "
                         "DOWNLOAD_DELAY?)"),
    ("GREENHOUSE_API=http://127.0.0.1:1", "error: -s GREENHOUSE_API: unknown setting (did "
                                          "you mean GREENHOUSE_API_URL?)"),
    ("NOTHING_LIKE_IT=1", "error: -s NOTHING_LIKE_IT: unknown setting"),
    ("DOWNLOAD_DELAY=fast", "error: -s DOWNLOAD_DELAY='fast': expected a number"),
])
def test_a_bad_setting_is_one_line_before_anything_starts(command, setting, error, store,
                                                          tmp_path):
    result = aggregator(*command, "-s", setting, **store)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [error]  # no "Logging to", no traceback
    assert stored_runs(store["AGGREGATOR_DATABASE_URL"]) == 0


def test_the_error_speaks_french_by_default(store):
    result = aggregator("schedule", "--once", "-s", "DOWNLOAD_DELAI=2",
                        AGGREGATOR_DATABASE_URL=store["AGGREGATOR_DATABASE_URL"])
    assert result.stderr.splitlines() == [
        "erreur : -s DOWNLOAD_DELAI : réglage inconnu (vouliez-vous dire DOWNLOAD_DELAY ?)"]


def test_every_setting_the_code_reads_is_known():
    """A setting read by the project's code or spiders by name must not be refused."""
    # settings.get...("NAME") or settings["NAME"] not assigned (dateparser's are assigned)
    read = re.compile(r"settings(?:\.get\w*\(|\[)\s*\"([A-Z][A-Z0-9_]*)\"(?!\]\s*=[^=])")
    names = {name for folder in ("aggregator", "spiders")
             for path in (PROJECT_ROOT / folder).rglob("*.py")
             for name in read.findall(path.read_text(encoding="utf-8"))}
    assert {"DATABASE_URL", "STORE_BATCH_SIZE", "REPLAY_AS_OF", "REDIS_URL"} <= names
    assert names - known_settings() == set()


@pytest.mark.filterwarnings("ignore:There are several spiders with the same name")
def test_credentials_endpoints_and_test_spiders_endpoints_are_known():
    known = known_settings()
    assert {"FRANCE_TRAVAIL_CLIENT_ID", "TALENTSOFT_CLIENT_SECRET", "BOAMP_API_URL",
            "AGGREGATOR_PROGRESS", "DISTRIBUTED_LEASE_SECONDS", "ROBOTSTXT_OBEY"} <= known
    assert "SCHED_TEST_URL" not in known
    # a spider of another module (-s SPIDER_MODULES=...) brings its endpoint setting
    assert "SCHED_TEST_URL" in known_settings(("spiders", "tests.scheduler.spiders_for_tests"))
