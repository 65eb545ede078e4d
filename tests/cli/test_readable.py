"""Readable in an ordinary terminal: at 80 columns and more every row of the results shows
its id, title, place and deadline, words are never split, and places read by name (with the
buyer's address standing in when a tender names no commune)."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from aggregator.cli import _register, app
from aggregator.terminal import console as output
from tests.factories import item, write

_register()
runner = CliRunner()

LONG_TITLE = ("Supply, installation and maintenance of playground equipment and surfacing "
              "for the parks and recreation department of Arlington County")
ITEMS = [
    item("arl", source="ocds", title=LONG_TITLE, organization="Arlington County Government",
         location="Arlington", country="US", deadline_at="2026-04-30T17:00:00-04:00",
         cpv=["37535200", "45112723", "50870000"]),
    # TED's Commune d'Hyères notice: the place of work is only FRL05 (the Var); the buyer's
    # address says Hyères
    item("hyeres", source="ted", title="Location de matériel électrique et d'éclairage",
         organization="Commune d'Hyères", location=None, nuts=["FRL05", "FRA"],
         buyer_location="Hyères", buyer_postal_code="83400",
         deadline_at="2026-04-16T16:30:00+02:00", cpv=["31600000"]),
    item("var", title="Entretien des routes départementales", organization="Département du Var",
         location=None, department="83", deadline_at="2026-05-02T12:00:00+02:00"),
    item("marseille", title="Travaux d'électricité", organization="Ville de Marseille",
         location="Marseille 13e", postal_code="13013",
         deadline_at="2026-04-03T12:00:00+02:00", cpv=["45310000"]),
]


@pytest.fixture(autouse=True)
def terminal_width_from_columns(monkeypatch):
    """COLUMNS decides the width, as in a terminal (a test that set ``console.width``
    leaves it pinned: monkeypatch restores a property through its setter)."""
    monkeypatch.setattr(output.console, "_width", None)


@pytest.fixture
def ids(engine, clock):
    return write(engine, ITEMS)


def run(*args: str, columns: int = 160) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


def rows(out: str) -> list[str]:
    """The table's body lines (between its header rule and its bottom rule)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    end = next(i for i, line in enumerate(lines) if line.startswith("└"))
    return lines[start + 1:end]


def cells(out: str, name: str) -> str:
    """The words of one column, every row's lines joined."""
    column = [c.strip() for c in out.splitlines()[1].split("┃")].index(name)
    return " ".join(line.split("│")[column].strip() for line in rows(out))


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_every_row_shows_id_title_place_and_deadline(ids, columns):
    out = run("search", "status:all", columns=columns)
    assert max(len(line) for line in out.splitlines()) <= columns
    header = out.splitlines()[1]
    for name in ("id", "title", "place", "deadline"):
        assert name in header
    assert "…" not in out  # no heading, place, deadline or word cut
    for source_id, place, deadline in (("arl", "Arlington US", "30/04/2026 23:00"),
                                       ("hyeres", "Hyères (83)", "16/04/2026 16:30"),
                                       ("var", "Var (83)", "02/05/2026 12:00"),
                                       ("marseille", "Marseille 13e (13)", "03/04/2026 12:00")):
        first = next(line for line in rows(out)
                     if line.split("│")[1].strip() == str(ids[source_id]))
        assert deadline in first
        assert place.split()[0] in first
    words = cells(out, "title").split()
    # the long title's every word is whole (neither "Arlingto" nor a lone "n")
    for word in LONG_TITLE.replace(",", "").split():
        assert word in words or f"{word}," in words or any(
            w.endswith("…") and word.startswith(w[:-1]) for w in words)
    assert "Arlingto" not in words and "n" not in words


def test_a_long_place_name_still_fits_the_terminal(engine, clock):
    # a word of 20 letters in the place column, a long title and a dated deadline: at 76
    # columns here (80 with the 5-digit ids of a real store) the columns' narrowest widths
    # add up to more than the terminal; the place's word is cut, not the table's right side
    write(engine, [item("long", title=LONG_TITLE, location="Saint-Rémy-de-Provence",
                        postal_code="13210", deadline_at="2026-04-30T17:00:00+02:00")])
    table = run("list", columns=76).splitlines()[:-1]
    assert max(len(line) for line in table) <= 76
    assert all(line.endswith(("┓", "┃", "┩", "│", "┘")) for line in table)
    assert "30/04/2026 17:00" in "".join(table) and "│ Saint-Rémy-de" in "".join(table)


def test_columns_shrink_by_priority(ids):
    def header(columns: int) -> list[str]:
        return run("search", "status:all", columns=columns).splitlines()[1].replace(
            "┃", " ").split()

    assert header(160) == ["id", "kind", "title", "organisation", "place", "deadline",
                           "contract/CPV", "source"]
    # a narrower terminal only ever leaves columns out, least useful first
    dropped = ["source", "contract/CPV", "kind", "organisation"]
    for columns in range(80, 170, 10):
        shown = header(columns)
        gone = [name for name in dropped if name not in shown]
        assert gone == dropped[:len(gone)], (columns, shown)
        assert {"id", "title", "place", "deadline"} <= set(shown)
    assert header(80) == ["id", "title", "place", "deadline"]


def test_show_names_the_department_and_region(ids):
    out = run("show", str(ids["marseille"]))
    assert "Marseille 13e Arrondissement, 13013 — Bouches-du-Rhône (13), " \
           "Provence-Alpes-Côte d'Azur" in out
    assert "department 13" not in out and "region 93" not in out
    out = run("show", str(ids["var"]))  # no commune: no empty " — "
    place = next(line for line in out.splitlines() if line.startswith("place"))
    assert place.split(None, 1)[1].strip() == "Var (83), Provence-Alpes-Côte d'Azur"


@pytest.mark.parametrize(("language", "abroad"), [("en", "Arlington — United States"),
                                                 ("fr", "Arlington — États-Unis")])
def test_show_names_a_country_abroad_in_the_readers_language(ids, monkeypatch, language,
                                                            abroad):
    from aggregator.i18n import LANGUAGE_ENV, set_language

    monkeypatch.setenv(LANGUAGE_ENV, language)
    set_language(None)
    out = run("show", str(ids["arl"]))
    place = next(line for line in out.splitlines() if line.split(None, 1)[0] in ("place", "lieu"))
    assert place.split(None, 1)[1].strip() == abroad
    assert "Arlington US" in run("search", "arlington")  # the results' column keeps the code


def test_the_buyers_address_places_a_tender_that_names_no_commune(ids):
    out = run("search", "--location", "Hyères")
    assert "Location de matériel électrique" in out
    assert "Entretien des routes" not in out  # the Var, but not Hyères
    out = run("show", str(ids["hyeres"]))
    assert "Hyères, 83400 — Var (83), Provence-Alpes-Côte d'Azur (from the buyer's address)" in out
    sheet = list(csv.DictReader(io.StringIO(run("search", "--location", "Hyères", "--csv"))))
    assert [(r["city"], r["department"], r["department_name"], r["region_name"],
             r["place_source"]) for r in sheet] == [
        ("Hyères", "83", "Var", "Provence-Alpes-Côte d'Azur", "buyer address")]


def test_a_long_deadline_goes_under_its_date_rather_than_off_the_screen(engine, clock,
                                                                        monkeypatch):
    from datetime import timedelta

    from aggregator import i18n
    from tests.factories import NOW

    monkeypatch.setenv(i18n.LANGUAGE_ENV, "fr")
    i18n.set_language(None)
    (listing_id,) = write(engine, [item(
        "today", title="Marché de travaux d'électricité de l'EHPAD",
        organization="Ville de Labarthe-Inard", location="Labarthe-Inard",
        postal_code="31800", deadline_at=(NOW + timedelta(hours=3)).isoformat())]).values()
    out = run("search", "électricité", columns=80)
    assert max(len(line) for line in out.splitlines()) <= 80, out
    assert all(line.endswith(("│", "┃", "┓", "┩", "┘")) for line in out.splitlines()[:-1]
               if line[:1] in "┏┃┡│└"), out  # the right border is there: nothing cut off
    deadline = cells(out, "date limite")
    assert "(aujourd'hui)" in deadline and "…" not in deadline, out
    assert str(listing_id) in out


@pytest.mark.parametrize(("language", "contract", "pay", "hourly", "fee", "value"), [
    ("fr", "CDI, temps partiel", "1\u202f801,8 € par mois", "11,65–12 € brut de l'heure",
     "138,85 € par cachet", "960\u202f000 €"),
    ("en", "CDI, part time", "1,801.8 € a month", "11.65–12 € gross an hour",
     "138.85 € a performance", "960,000 €"),
])
def test_show_writes_pay_contract_and_value_in_the_readers_language(
        engine, clock, monkeypatch, language, contract, pay, hourly, fee, value):
    from aggregator.i18n import LANGUAGE_ENV, set_language

    ids = write(engine, [
        item("ft", kind="job", source="francetravail", contract_type="CDI",
             working_time="part_time", salary="Mensuel de 1801.80 Euros sur 12 mois"),
        item("hour", kind="job", source="francetravail", salary="11,65 à 12 € brut de l'heure"),
        item("fee", kind="job", source="francetravail", salary="Cachet de 138.85 Euros"),
        item("works", estimated_value=960000, currency="EUR")])
    monkeypatch.setenv(LANGUAGE_ENV, language)
    set_language(None)
    fields = {}
    for name in ("ft", "hour", "fee", "works"):
        for line in run("show", str(ids[name]), columns=80).splitlines()[1:]:
            if line[:1].isalpha() and "  " in line:
                key, _, shown = line.partition("  ")
                fields.setdefault(name, {})[key] = shown.strip()
    assert contract in fields["ft"].values()
    assert pay in fields["ft"].values()  # a single figure, not "1,802–1,802"
    assert hourly in fields["hour"].values()
    assert fee in fields["fee"].values()  # France Travail's "cachet"
    assert value in fields["works"].values()


@pytest.mark.parametrize(("language", "restricted", "adapted", "awarded"), [
    ("en", "restricted procedure", "adapted procedure", "awarded"),
    ("fr", "procédure restreinte", "procédure adaptée", "attribuée")])
def test_show_names_a_procedure_and_an_award_status_in_words(
        engine, clock, monkeypatch, language, restricted, adapted, awarded):
    from aggregator.i18n import LANGUAGE_ENV, set_language

    ids = write(engine, [item("ocds-1", source="ocds", procedure="selective"),
                         item("boamp-1", procedure="PROCEDURE_ADAPTEE"),
                         item("decp-1", kind="award", source="decp",
                              procedure="Procédure adaptée")])
    monkeypatch.setenv(LANGUAGE_ENV, language)
    set_language(None)
    shown = {name: [line.split(None, 1)[1].strip() for line in
                    run("show", str(ids[name])).splitlines()[1:]
                    if line[:1].isalpha() and "  " in line] for name in ids}
    assert restricted in shown["ocds-1"]  # OCDS's code
    assert adapted in shown["boamp-1"]  # BOAMP's code
    assert "Procédure adaptée" in shown["decp-1"]  # the source's own words, as given
    assert awarded in shown["decp-1"]


def test_a_page_past_the_last_says_how_many_match(ids):
    out = run("search", "status:all", "--offset", "9999")
    assert "Past the last page: 4 listings match status:all (--offset 9999)" in out
    assert "No listing matches" in run("search", "zzzzzz")


def test_a_listings_changes_name_their_fields_and_write_their_values(engine, clock):
    from datetime import timedelta

    from tests.factories import NOW

    first = write(engine, [item("chg", estimated_value=1500000, status="open")])
    write(engine, [item("chg", estimated_value=1750000, status="cancelled")],
          now=NOW + timedelta(days=1))
    out = run("show", str(first["chg"]), columns=120)
    rows = [[cell.strip() for cell in line.strip("│").split("│")]
            for line in out.split("Changes", 1)[1].splitlines() if line.startswith("│")]
    assert [row[1:] for row in rows] == [["status", "open", "cancelled"],
                                         ["estimated value", "1,500,000", "1,750,000"]]
