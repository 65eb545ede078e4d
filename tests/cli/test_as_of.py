"""`--as-of`: the reading commands judge open/closed, "closing within" and days left at an
instant, from the history; a store holding a replay is read as of its recording, saying so."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import pytest
from typer.testing import CliRunner

from aggregator.cli import _register, app, main
from aggregator.config import LOCAL_TZ
from aggregator.presentation import read_as_of
from aggregator.store.lifecycle import close_past_deadlines
from aggregator.store.state import set_recorded_as_of
from aggregator.terminal import console as output
from tests.factories import item, write

_register()
runner = CliRunner()


@pytest.fixture(autouse=True)
def present_again():
    """The reading instant is the process's: back to the present after each test."""
    yield
    read_as_of(None)


@pytest.fixture
def closed_since(engine, clock, monkeypatch):
    """A tender seen on 27 March, open until 10 April, closed by the store on 20 April."""
    monkeypatch.setattr(output.console, "width", 160)
    write(engine, [item("enrobes", title="Fourniture d'enrobés", cpv=["44113600"],
                        deadline_at="2026-04-10T12:00:00+02:00")])
    clock.move_to(datetime(2026, 4, 20, 8, 0, tzinfo=LOCAL_TZ))
    assert close_past_deadlines(engine) == 1
    return engine


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def found(*args: str) -> list[str]:
    return [json.loads(line)["source_id"]
            for line in run(*args, "--json").splitlines() if line.startswith("{")]


def test_what_was_open_on_a_past_day(closed_since):
    assert found("search") == []  # closed today
    assert found("search", "--as-of", "2026-04-05") == ["enrobes"]  # open then
    assert found("search", "status:closed", "--as-of", "2026-04-05") == []
    assert found("search", "status:closed") == ["enrobes"]


def test_days_left_and_closing_within_are_counted_from_that_day(closed_since):
    table = run("search", "--as-of", "2026-04-05")
    assert "10/04/2026 12:00 (5d)" in table
    assert "As of 05/04/2026 23:59" in table.splitlines()[0]
    assert found("search", "--closing-within", "7d", "--as-of", "2026-04-05") == ["enrobes"]
    assert found("search", "deadline<7d", "--as-of", "2026-03-28") == []  # 13 days then


def test_a_listing_first_seen_after_that_instant_does_not_show(closed_since):
    assert found("search", "status:all", "--as-of", "2026-03-26") == []
    assert found("search", "status:all", "--as-of", "2026-03-27T10:00") == ["enrobes"]


def test_export_list_and_show_read_at_the_same_instant(closed_since):
    exported = run("export", "--format", "json", "--as-of", "2026-04-05")
    assert [json.loads(line)["source_id"] for line in exported.splitlines()
            if line.startswith("{")] == ["enrobes"]
    assert found("list", "--as-of", "2026-04-05") == ["enrobes"]
    assert found("list") == []
    assert "(5d)" in run("show", "1", "--as-of", "2026-04-05")


def test_a_store_holding_a_replay_is_read_as_of_its_recording_and_says_so(closed_since):
    set_recorded_as_of(closed_since, datetime(2026, 4, 5, 23, 59, 59, tzinfo=LOCAL_TZ))
    table = run("search", "kind:tender")
    assert table.splitlines()[0].startswith("Recorded listings")
    assert "as of Sunday, 5 April 2026" in table
    assert "Fourniture d'enrobés" in table
    assert found("search", "--as-of", "2026-04-20") == []  # another day on request
    assert json.loads(run("cpv", "4411", "--json"))["open_tenders"] == 1  # counted then too
    set_recorded_as_of(closed_since, None)  # a live crawl: the present again
    assert found("search") == []
    assert json.loads(run("cpv", "4411", "--json"))["open_tenders"] == 0


@pytest.mark.parametrize("command", [["search"], ["list"], ["export"], ["show", "1"]])
def test_a_bad_instant_names_the_option_and_its_forms(closed_since, command, monkeypatch,
                                                       capsys):
    monkeypatch.setattr(sys, "argv", ["aggregator", *command, "--as-of", "1er septembre"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("error: --as-of '1er septembre': expected a date such as "
                            "2026-12-01 or a local time") and error.count("\n") == 1
