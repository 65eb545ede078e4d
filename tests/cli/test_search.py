"""`aggregator search`, `list` and `show`: flags and compact form, table, JSON, CSV, and
listing text shown as data (never markup, never terminal escapes)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from aggregator.cli import UserError, _register, app
from aggregator.export import CSV_FIELDS, LISTING_FIELDS
from aggregator.query import Filter, search
from aggregator.terminal import console as output
from aggregator.terminal.listings import deadline_cell
from tests.factories import item, write

_register()
runner = CliRunner()

ITEMS = [
    item("elec", title="Travaux d'électricité", location="Marseille 13e",
         deadline_at="2026-04-03T12:00:00+02:00", cpv=["45310000"],
         description="Mise en concurrence des lots.", match_keys=["proc:1"]),
    item("elec-ted", source="ted", title="Travaux d'électricité (TED)", location="Marseille 13e",
         deadline_at="2026-04-03T12:00:00+02:00", cpv=["45310000"], match_keys=["proc:1"]),
    item("far", title="Peinture", location="Nice (06)", deadline_at="2026-05-20T12:00:00+02:00",
         cpv=["45442100"]),
    item("evil", kind="job", source="lever",
         title="[bold]Évil[/bold] \x1b[31mred\x1b[0m\x07 [link=http://x]y[/link]",
         organization="[red]ACME[/red]", location="Lyon 3e", contract_type="CDI",
         published_at="2026-03-26T09:00:00+01:00"),
]


@pytest.fixture
def store(engine, clock):
    return write(engine, ITEMS)


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setattr(output.console, "width", 160)


def run(*args: str):
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_table_shows_place_local_deadline_and_days_left(store, wide):
    out = run("search", "kind:tender").output
    lines = [line for line in out.splitlines() if "électricité" in line]
    assert len(lines) == 1  # the TED duplicate is shown once, as the BOAMP listing
    assert "Marseille 13e" in lines[0] and "(13)" in out
    assert "03/04/2026 12:00 (7d)" in lines[0]  # Paris time; 7 days left
    assert "45310000" in lines[0] and "boamp" in lines[0]
    assert "1-2 of 2 · kind:tender" in out


def test_deadlines_within_seven_days_are_highlighted(store, engine):
    listings = {s.source_id: s for s in search(engine, Filter())}
    assert deadline_cell(listings["elec"]).style == "bold red"  # 7 days left
    assert deadline_cell(listings["far"]).style == ""


def test_flags_search(store, wide):
    out = run("search", "--kind", "tender", "--location", "Marseille", "--closing-within",
              "7d", "--cpv", "45", "électricité").output
    assert "Travaux d'électricité" in out and "Peinture" not in out
    assert "Mise en concurrence" not in out
    out = run("search", '"mise en concurrence"').output  # a phrase, in the description
    assert "Travaux d'électricité" in out
    assert "No listing matches" in run("search", '"mise concurrence"').output


def test_json_lines_are_the_design_listing(store):
    out = run("search", "--json", "kind:tender").output
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["source_id"] for r in records] == ["elec", "far"]
    assert set(LISTING_FIELDS) <= set(records[0])
    assert records[0]["deadline_at"] == "2026-04-03T10:00:00+00:00"
    assert records[0]["department"] == "13"


def test_csv_has_the_json_fields(store):
    out = run("list", "--csv").output
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_FIELDS
    assert len(rows) == 1 + 3


def test_listing_text_is_never_markup_nor_escapes(store, wide):
    out = run("search", "kind:job").output
    shown = run("show", str(store["evil"])).output
    for text in (out, shown):
        assert "[bold]Évil[/bold]" in text and "[red]ACME[/red]" in text
        assert "\x1b" not in text and "\x07" not in text
        assert "[link=http://x]y[/link]" in text


def test_errors_name_the_problem(store):
    with pytest.raises(UserError, match="unknown key 'dpt'"):
        run("search", "dpt:13")
    with pytest.raises(UserError, match="unknown place 'Atlantis'"):
        run("search", "loc:Atlantis")
    with pytest.raises(UserError, match="--location 'Atlantis': expected a commune, postal"):
        run("search", "--location", "Atlantis")
    with pytest.raises(UserError, match="--closing-within 'soon': expected a number of days"):
        run("search", "--closing-within", "soon")
    with pytest.raises(UserError, match="no listing 999"):
        run("show", "999")


def test_list_is_search_without_a_filter_newest_first(store, wide):
    listed = run("list", "--json").output
    searched = run("search", "--json", "--sort", "published").output
    by_deadline = run("list", "--json", "--sort", "deadline").output
    searched_default = run("search", "--json").output
    assert listed == searched
    assert json.loads(listed.splitlines()[0])["source_id"] == "evil"
    assert by_deadline == searched_default
    published = [json.loads(line)["published_at"] for line in listed.splitlines()]
    assert published == sorted(published, reverse=True)
    # a filter typed after `list` is pointed to `search`, not "extra argument(s)"
    with pytest.raises(UserError, match=r"to filter: aggregator search kind:tender dep:13$"):
        run("list", "kind:tender", "dep:13")


def test_show_prints_description_sources_and_changes(store, engine, wide):
    write(engine, [item("elec", title="Travaux d'électricité", location="Marseille 13e",
                        deadline_at="2026-04-10T12:00:00+02:00", cpv=["45310000"],
                        description="Mise en concurrence des lots.",
                        match_keys=["proc:1"])])
    out = run("show", str(store["elec"])).output
    record = json.loads(run("show", str(store["elec"]), "--json").output)
    assert "Mise en concurrence des lots." in out
    assert "Also published by" in out and "ted" in out and "elec-ted" in out
    assert "deadline" in out and "03/04/2026 12:00" in out and "10/04/2026 12:00" in out
    assert [s["source_id"] for s in record["sources"]] == ["elec-ted"]
    assert record["changes"][0]["field"] == "deadline_at"


def test_a_narrow_terminal_keeps_title_and_deadline(store, monkeypatch):
    monkeypatch.setattr(output.console, "width", 70)
    out = run("search", "kind:tender").output
    header = next(line for line in out.splitlines() if "title" in line)
    assert "deadline" in header and "source" not in header and "organisation" not in header


def test_a_place_that_could_not_be_read_is_shown_in_the_sources_words(engine, clock, wide):
    # Personio's "Köln": a city abroad whose country the feed does not say
    ids = write(engine, [item("koln", kind="job", source="personio", title="Full-Stack Dev",
                              location="Köln"),
                         item("evil", kind="job", source="personio", title="Ops",
                              location="[red]Berlin[/red] \x1b[31m")])
    rows = {cells[3].strip(): cells[5].strip() for line in run("search", "kind:job").output
            .splitlines() if len(cells := line.split("│")) > 5}
    assert rows == {"Full-Stack Dev": "Köln", "Ops": "[red]Berlin[/red]"}  # as text
    shown = run("show", str(ids["koln"])).output
    assert [line.split() for line in shown.splitlines() if line.startswith("place")] == [
        ["place", "Köln"]]


def test_a_job_valid_for_years_shows_no_deadline_but_the_date_it_gives(engine, clock, wide):
    ids = write(engine, [item("neura", kind="job", source="jobposting", title="Manager",
                              published_at="2025-11-06T00:00:00+01:00",
                              deadline_at="2035-11-06T00:00:00+01:00")])
    listed = run("search", "kind:job").output
    assert "2035" not in listed and "days" not in listed
    shown = [line.split(maxsplit=1) for line in run("show", str(ids["neura"])).output
             .splitlines() if line.startswith("deadline")]
    assert shown == [["deadline", "none (the offer says it is valid until 06/11/2035)"]]


def test_an_award_whose_buyer_is_named_nowhere_shows_its_siret(engine, clock, wide):
    # DECP files of the 2022 format give the buyer's SIRET alone
    ids = write(engine, [item("maximilien", kind="award", source="decp", organization=None,
                              buyer_id="13001845000028", title="Site web institutionnel",
                              awarded_at="2024-01-02", amount=1000, status="awarded")])
    rows = [line for line in run("search", "kind:award").output.splitlines()
            if "Site web" in line]
    assert "13001845000028" in rows[0]
    shown = run("show", str(ids["maximilien"])).output.splitlines()
    assert ["organisation", "13001845000028"] in [line.split() for line in shown]


def test_a_place_name_of_several_words_stays_on_one_line(engine, clock, monkeypatch):
    monkeypatch.setattr(output.console, "width", 80)
    write(engine, [item("penne", title="Travaux de voirie et de réseaux divers",
                        organization="Commune de La Penne-sur-Huveaune",
                        location="La Penne-sur-Huveaune (13)",
                        deadline_at="2026-04-20T12:00:00+02:00")])
    lines = run("search", "voirie").output.splitlines()
    column = [c.strip() for c in next(x for x in lines if "title" in x).split("┃")].index("place")
    cells = [line.split("│")[column].strip() for line in lines if line.count("│") > column]
    assert cells[:2] == ["La Penne-sur-Huveaune", "(13)"]  # was "La" / "Penne-sur-Huveaune"


def test_a_page_without_deadlines_gives_their_column_to_the_employer(store, monkeypatch):
    monkeypatch.setattr(output.console, "width", 80)
    jobs = run("search", "kind:job").output
    header = next(line for line in jobs.splitlines() if "title" in line)
    assert "deadline" not in header and "organisation" in header
    assert "[red]ACME[/red]" in jobs  # the employer, as text
    tenders = run("search", "kind:tender").output
    header = next(line for line in tenders.splitlines() if "title" in line)
    assert "deadline" in header and "organisation" not in header  # no room for both
