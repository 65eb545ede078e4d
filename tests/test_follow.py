"""`aggregator sources follow URL`: the platform and board behind a web address — from the
address (each platform's own pattern), from the page's links, frames and scripts, or from
schema.org JobPosting on the page (real recorded career pages) — written to the
configuration as `sources add` does; a page that cannot be read is one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aggregator.cli import UserError, _register, app
from aggregator.config import load_config
from aggregator.crawling.follow import board_of, platform_patterns
from tests.sites import FixtureSite, Reply, fixture, serve

_register()
runner = CliRunner()

# Each platform's address forms → (platform, the board written to the configuration).
ADDRESSES = [
    ("https://boards.greenhouse.io/stripe", "greenhouse", "stripe"),
    ("https://job-boards.greenhouse.io/stripe/jobs/123", "greenhouse", "stripe"),
    ("https://boards.greenhouse.io/embed/job_board?for=stripe&b=x", "greenhouse", "stripe"),
    ("https://jobs.lever.co/gotogroup/5f1a", "lever", "gotogroup"),
    ("https://jobs.eu.lever.co/acme", "lever", "eu:acme"),
    ("https://jobs.smartrecruiters.com/Gousto1/744000005051195", "smartrecruiters", "Gousto1"),
    ("https://manual.recruitee.com/o/designer", "recruitee", "manual"),
    ("https://apply.workable.com/kroo/j/ABC123/", "workable", "kroo"),
    ("https://motorolasolutions.wd5.myworkdayjobs.com/en-US/Careers/job/X_R1", "workday",
     "https://motorolasolutions.wd5.myworkdayjobs.com/Careers"),
    ("https://jobs.ashbyhq.com/linear/abc", "ashby", "linear"),
    ("https://anyip.bamboohr.com/careers/24", "bamboohr", "anyip"),
    ("https://breezy.breezy.hr/p/123-engineer", "breezy", "breezy"),
    ("https://edf.talent-soft.com/offre-de-emploi/emploi-x_1.aspx", "talentsoft",
     "https://edf.talent-soft.com"),
    ("https://abcfinlab.jobs.personio.de/job/2661291", "personio", "abcfinlab"),
    ("https://footasylum.teamtailor.com/jobs/8115390-sales", "teamtailor",
     "https://footasylum.teamtailor.com"),
]


@pytest.mark.parametrize(("url", "platform", "board"), ADDRESSES)
def test_each_platforms_addresses(url: str, platform: str, board: str) -> None:
    found = board_of(url, platform_patterns())
    assert found is not None and (found.platform, found.board) == (platform, board)


def test_an_unknown_address_is_no_board() -> None:
    assert board_of("https://www.example.com/careers", platform_patterns()) is None


@pytest.fixture
def config(isolated_environment: Path) -> Path:
    return isolated_environment / "aggregator.toml"


def follow(*args: str):
    return runner.invoke(app, ["sources", "follow", *args])


def test_a_board_address_is_followed_without_fetching_anything(config: Path) -> None:
    result = follow("https://jobs.ashbyhq.com/linear")
    assert result.exit_code == 0, result.output
    assert "ashby: linear (found in the address)" in result.output
    assert load_config().source("ashby").params["boards"] == ["linear"]
    again = follow("https://jobs.ashbyhq.com/linear/")
    assert "already followed" in again.output
    assert load_config().source("ashby").params["boards"] == ["linear"]


EMBEDDING = b"""<!doctype html><html><head><title>Careers at Acme</title>
<script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script></head>
<body><h1>Join us</h1><div id="grnhse_app"></div>
<a href="/about">About</a></body></html>"""


def test_an_embedded_board_widget_is_found_on_the_page(config: Path) -> None:
    site = FixtureSite().add("GET", r"/careers", Reply.html(EMBEDDING))
    with serve(site) as base:
        result = follow(f"{base}/careers")
    assert result.exit_code == 0, result.output
    assert "greenhouse: acme (found in a link on the page" in result.output
    assert load_config().source("greenhouse").params["boards"] == ["acme"]


@pytest.mark.parametrize("page", ["jsonld_meta_software_engineer.html",
                                  "jsonld_neura_robotics_manager.html"])
def test_a_page_with_jobposting_makes_a_career_site(page: str, config: Path) -> None:
    site = FixtureSite().add("GET", r"/jobs/1", Reply.html(fixture(f"jobs/{page}")))
    with serve(site) as base:
        result = follow(f"{base}/jobs/1")
        assert result.exit_code == 0, result.output
        assert "schema.org JobPosting on the page" in result.output
        assert load_config().source("jobposting").params["sites"] == [base]


def test_nothing_found_says_what_was_tried(config: Path) -> None:
    site = FixtureSite().add("GET", r"/", Reply.html(b"<html><body>Hello</body></html>"))
    with serve(site) as base:
        result = follow(base + "/")
    assert isinstance(result.exception, UserError)
    message = str(result.exception)
    assert "no job board found" in message and "schema.org JobPosting" in message
    assert config.read_text(encoding="utf-8") == ""


def test_an_unreadable_page_is_one_line(config: Path) -> None:
    site = FixtureSite()  # every path: 404
    with serve(site) as base:
        result = follow(f"{base}/careers")
    assert isinstance(result.exception, UserError)
    assert str(result.exception).startswith("cannot read the page")
    assert "HTTP 404" in str(result.exception) and "\n" not in str(result.exception)


def test_an_address_that_cannot_be_followed_says_why_in_words():
    import socket

    from aggregator.crawling.follow import FollowError, follow

    with pytest.raises(FollowError, match=r"^ftp://x\.fr: only http\(s\) pages can be followed"):
        follow("ftp://x.fr", "test")
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(FollowError, match=r"connection refused$"):
        follow(f"http://127.0.0.1:{port}/careers", "test")
