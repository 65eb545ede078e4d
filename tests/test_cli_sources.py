"""`aggregator sources add/remove`: boards written to the configuration file, its comments
and layout kept; `aggregator sources` alone shows their health, `sources list` what each
source reads, needs and where (all from the spider classes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aggregator.cli import UserError, _register, app
from aggregator.cli import sources as sources_cli
from aggregator.config import load_config
from aggregator.crawling.registry import board_platforms, source_info, spider_names

_register()
runner = CliRunner()

COMMENTED = """\
# my aggregator
[database]
url = "sqlite:///somewhere.sqlite3"  # keep this comment

[sources.greenhouse]
# companies I follow
boards = [
    "codepath",  # the first one
]
enabled = true
"""


@pytest.fixture
def config(isolated_environment: Path) -> Path:
    path = isolated_environment / "aggregator.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_add_appends_to_the_list_and_keeps_the_file_as_it_was(config: Path) -> None:
    result = invoke("sources", "add", "greenhouse", "https://boards.greenhouse.io/stripe")
    assert result.exit_code == 0, result.output
    assert "greenhouse: stripe now followed" in result.output
    assert config.read_text(encoding="utf-8") == COMMENTED.replace(
        '    "codepath",  # the first one\n',
        '    "codepath",  # the first one\n    "stripe",\n')
    assert load_config().source("greenhouse").params["boards"] == ["codepath", "stripe"]


def test_add_creates_the_section_of_a_new_platform(config: Path) -> None:
    result = invoke("sources", "add", "workday",
                    "https://motorolasolutions.wd5.myworkdayjobs.com/en-US/Careers")
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED)
    assert text[len(COMMENTED):] == (
        '\n[sources.workday]\nboards = ["https://motorolasolutions.wd5.myworkdayjobs.com/Careers"]\n')
    result = invoke("sources", "add", "lever", "eu:acme", "https://jobs.lever.co/GoToGroup")
    assert load_config().source("lever").params["boards"] == ["eu:acme", "GoToGroup"]


def test_a_board_already_followed_is_not_added_twice(config: Path) -> None:
    result = invoke("sources", "add", "greenhouse", "https://job-boards.greenhouse.io/codepath")
    assert result.exit_code == 0
    assert "greenhouse: codepath already followed" in result.output
    assert config.read_text(encoding="utf-8") == COMMENTED


def test_add_a_board_of_any_platform_by_its_name_or_address(config: Path) -> None:
    result = invoke("sources", "add", "ashby", "linear", "https://jobs.ashbyhq.com/ramp")
    assert result.exit_code == 0, result.output
    assert "ashby: linear now followed" in result.output
    assert config.read_text(encoding="utf-8") == COMMENTED + (
        '\n[sources.ashby]\nboards = ["linear", "ramp"]\n')
    invoke("sources", "add", "breezy", "https://breezy.breezy.hr/")
    assert load_config().source("breezy").params["boards"] == ["breezy"]
    assert load_config().source("ashby").params["boards"] == ["linear", "ramp"]


@pytest.mark.parametrize("args, message", [
    (("boamp", "x"), f"'boamp' is not a job-board platform (platforms: "
                     f"{', '.join(board_platforms())})"),
    (("workday", "Careers"), "is not a workday site URL"),
    (("greenhouse", "two words"), "is not a greenhouse board name"),
])
def test_add_refuses_unknown_platforms_and_unusable_boards(config: Path, args, message) -> None:
    result = invoke("sources", "add", *args)
    assert isinstance(result.exception, UserError)
    assert message in str(result.exception)
    assert config.read_text(encoding="utf-8") == COMMENTED


def test_remove_takes_a_board_out_and_keeps_the_rest(config: Path) -> None:
    invoke("sources", "add", "greenhouse", "stripe")
    result = invoke("sources", "remove", "greenhouse", "https://boards.greenhouse.io/codepath")
    assert result.exit_code == 0, result.output
    assert "greenhouse: codepath no longer followed" in result.output
    assert load_config().source("greenhouse").params["boards"] == ["stripe"]
    assert "# keep this comment" in config.read_text(encoding="utf-8")


def test_remove_says_what_is_followed_when_the_board_is_not(config: Path) -> None:
    result = invoke("sources", "remove", "greenhouse", "stripe")
    assert isinstance(result.exception, UserError)
    assert "greenhouse does not follow stripe (followed: codepath;" in str(result.exception)
    result = invoke("sources", "remove", "lever", "acme")
    assert "lever does not follow acme (followed: none;" in str(result.exception)


def test_with_no_file_the_project_file_is_created(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("AGGREGATOR_CONFIG")
    monkeypatch.setattr(sources_cli, "find_config_file", lambda: None)
    monkeypatch.setattr(sources_cli, "PROJECT_ROOT", tmp_path)
    (tmp_path / "scrapy.cfg").write_text("", encoding="utf-8")
    assert sources_cli.config_path() == tmp_path / "aggregator.toml"
    result = invoke("sources", "add", "recruitee", "https://manual.recruitee.com")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "aggregator.toml").read_text(encoding="utf-8") == (
        '[sources.recruitee]\nboards = ["manual"]\n')


def test_sources_alone_shows_the_health_table(config: Path) -> None:
    result = invoke("sources")
    assert result.exit_code == 0, result.output
    assert "greenhouse" in result.output and "unconfigured" in result.output


def test_the_example_configuration_is_valid_and_names_only_real_sources() -> None:
    example = Path(sources_cli.PROJECT_ROOT) / "aggregator.example.toml"
    config = load_config(example)
    text = example.read_text(encoding="utf-8")
    assert set(config.sources) <= set(spider_names())
    assert "`aggregator sources list`" in text  # where the rest is, for any source
    assert config.smtp.security == "none" and "AGGREGATOR_SMTP_PASSWORD" in text
    assert config.source("greenhouse").params == {"boards": []}


def test_list_shows_every_source_with_what_it_needs_and_its_endpoints(config: Path) -> None:
    result = invoke("sources", "list")
    assert result.exit_code == 0, result.output
    for name in spider_names():
        info = source_info(name)
        assert f"{name} ({info.kind}): {info.about}" in result.output
        for endpoint in info.endpoints:
            assert (f"{endpoint.setting} = {endpoint.default}  "
                    f"([sources.{name}] {endpoint.key})") in result.output
    assert "needs: boards: BOARD (as in jobs.ashbyhq.com/BOARD)" in result.output
    assert "needs: FRANCE_TRAVAIL_CLIENT_ID and FRANCE_TRAVAIL_CLIENT_SECRET" in result.output


def test_list_shows_the_endpoint_the_configuration_sets(config: Path) -> None:
    config.write_text('[sources.ocds]\napi_url = "http://127.0.0.1:9/ocds"\n', encoding="utf-8")
    result = invoke("sources", "list", "ocds")
    assert result.exit_code == 0, result.output
    assert ("OCDS_API_URL = http://127.0.0.1:9/ocds (default https://www.contractsfinder."
            "service.gov.uk/Published/Notices/OCDS/Search)") in result.output
    assert "boamp" not in result.output
    result = invoke("sources", "list", "nosuch")
    assert isinstance(result.exception, UserError) and "unknown source nosuch" in str(
        result.exception)


def test_the_readme_shows_what_sources_list_prints() -> None:
    readme = (Path(sources_cli.PROJECT_ROOT) / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ aggregator sources list ashby\n", 1)[1].split("```", 1)[0]
    assert invoke("sources", "list", "ashby").output == block


def test_list_says_what_a_source_needs_in_french(config: Path, monkeypatch) -> None:
    from aggregator.i18n import LANGUAGE_ENV, set_language

    monkeypatch.setenv(LANGUAGE_ENV, "fr")
    set_language(None)
    try:
        result = invoke("sources", "list", "ashby", "francetravail", "jobposting")
    finally:
        monkeypatch.setenv(LANGUAGE_ENV, "en")
        set_language(None)
    assert result.exit_code == 0, result.output
    assert "ashby (emploi) : Sites d'offres Ashby" in result.output
    assert "requiert : boards : SITE (comme dans jobs.ashbyhq.com/SITE)" in result.output
    assert ("requiert : FRANCE_TRAVAIL_CLIENT_ID et FRANCE_TRAVAIL_CLIENT_SECRET dans "
            "l'environnement (ou -s NOM=VALEUR)") in result.output
    assert "requiert : sites (URL de sites carrières), ou -a urls=..." in result.output


def test_a_board_written_wrong_is_refused_in_french(config: Path, monkeypatch) -> None:
    from aggregator.i18n import LANGUAGE_ENV, set_language

    monkeypatch.setenv(LANGUAGE_ENV, "fr")
    set_language(None)
    try:
        result = invoke("sources", "add", "lever", "deux mots")
    finally:
        monkeypatch.setenv(LANGUAGE_ENV, "en")
        set_language(None)
    assert str(result.exception) == ("'deux mots' ne convient pas comme site lever (attendu : "
                                     "SITE (eu:SITE pour l'instance européenne))")
    assert config.read_text(encoding="utf-8") == COMMENTED
