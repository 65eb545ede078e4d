"""Where a spider reads from: its endpoint settings (the documented names), declared by the spider
class, set in aggregator.toml (``[sources.NAME] api_url``, for every run, the scheduler's
too), and overridden by ``-s`` on a command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from aggregator.config import ConfigError, load_config
from aggregator.crawling.registry import (
    endpoint_defaults,
    spider_class,
    spider_names,
)
from aggregator.crawling.runner import CrawlRequest, run_crawl
from aggregator.store.engine import get_engine
from aggregator.store.runs import get_run
from tests.sites import serve
from tests.sites.greenhouse import site as greenhouse_site

# The documented endpoint settings and defaults: a contract (`-s NAME=URL` must keep working).
DOCUMENTED = {
    "BOAMP_API_URL": "https://boamp-datadila.opendatasoft.com/api/explore/v2.1",
    "TED_API_URL": "https://api.ted.europa.eu/v3",
    "FRANCE_TRAVAIL_API_URL": "https://api.francetravail.io/partenaire/offresdemploi/v2",
    "GREENHOUSE_API_URL": "https://boards-api.greenhouse.io/v1",
    "LEVER_API_URL": "https://api.lever.co/v0",
    "SMARTRECRUITERS_API_URL": "https://api.smartrecruiters.com/v1",
    "RECRUITEE_URL_TEMPLATE": "https://{board}.recruitee.com",
    "WORKABLE_API_URL": "https://apply.workable.com/api/v1",
    "ASHBY_API_URL": "https://api.ashbyhq.com/posting-api/job-board",
    "BREEZY_URL_TEMPLATE": "https://{board}.breezy.hr",
}


def test_the_spiders_declare_design_s_endpoint_settings() -> None:
    declared = endpoint_defaults()
    assert {name: declared.get(name) for name in DOCUMENTED} == DOCUMENTED
    assert {"OCDS_API_URL", "FRANCE_TRAVAIL_TOKEN_URL", "LEVER_EU_API_URL"} <= set(declared)


def _endpoint(name: str, cmdline: dict[str, str] | None = None) -> str:
    settings = Settings()
    settings.setdict(cmdline or {}, priority="cmdline")  # as -s does
    spider_class(name).update_settings(settings)  # as a Crawler does with its spider class
    return settings[spider_class(name).endpoints()[0].setting]


@pytest.mark.parametrize("name", [n for n in spider_names() if spider_class(n).endpoints()])
def test_the_default_then_the_configuration_then_the_command_line(
        name: str, isolated_environment: Path) -> None:
    main = spider_class(name).endpoints()[0]
    assert _endpoint(name) == main.default
    (isolated_environment / "aggregator.toml").write_text(
        f'[sources.{name}]\n{main.key} = "http://127.0.0.1:9/configured"\n', encoding="utf-8")
    assert _endpoint(name) == "http://127.0.0.1:9/configured"
    assert _endpoint(name, {main.setting: "http://127.0.0.1:9/cmdline"}) == (
        "http://127.0.0.1:9/cmdline")


@pytest.mark.parametrize("name, text", [("ocds", "api_url = 5"),
                                        ("greenhouse", 'api_url = "boards-api"')])
def test_an_endpoint_key_without_a_url_is_refused_with_the_file(
        name: str, text: str, isolated_environment: Path) -> None:
    (isolated_environment / "aggregator.toml").write_text(
        f'[sources.{name}]\n{text}\n', encoding="utf-8")
    value = text.split(" = ")[1].strip('"')
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value).endswith(
        f"[sources.{name}] api_url must be an http(s) URL in quotes, not "
        f"{int(value) if value.isdigit() else value!r}")


def test_every_spider_has_a_configuration_section_with_its_endpoint_keys() -> None:
    """The declared schema (aggregator.config.sources) and the spiders agree."""
    from aggregator.config.sources import SECTIONS

    assert set(spider_names()) <= set(SECTIONS)
    for name in spider_names():
        keys = set(SECTIONS[name].model_fields)
        assert {endpoint.key for endpoint in spider_class(name).endpoints()} <= keys, name


@pytest.mark.slow
def test_a_crawl_reads_the_endpoint_of_the_configuration_unless_s_says_otherwise(
        sqlite_url: str, isolated_environment: Path) -> None:
    """`aggregator crawl` and the scheduler run crawls through the same runner."""
    config = isolated_environment / "aggregator.toml"
    fast = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
    with serve(greenhouse_site()) as base:
        config.write_text(f'[sources.greenhouse]\nboards = ["codepath"]\napi_url = "{base}/v1"\n',
                          encoding="utf-8")
        run = get_run(get_engine(sqlite_url), run_crawl(
            CrawlRequest("greenhouse", settings=fast), database_url=sqlite_url, timeout=120))
        assert (run.outcome, run.items_new) == ("ok", 15)
        config.write_text('[sources.greenhouse]\nboards = ["codepath"]\n'
                          'api_url = "http://127.0.0.1:9/nothing-here"\n', encoding="utf-8")
        run = get_run(get_engine(sqlite_url), run_crawl(
            CrawlRequest("greenhouse", settings={**fast, "GREENHOUSE_API_URL": f"{base}/v1"}),
            database_url=sqlite_url, timeout=120))
        assert (run.outcome, run.items_unchanged) == ("ok", 15)
