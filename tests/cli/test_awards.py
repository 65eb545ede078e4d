"""`aggregator buyer`, `supplier` and `renewals` on a known set of awards: the same answers on
SQLite and PostgreSQL; names found from SIRETs and SIRETs from names; one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aggregator.cli import _register, app
from spiders.boamp import BoampSpider
from tests.factories import item, write
from tests.sites import fixture
from tests.spiders.support import make_spider

_register()
runner = CliRunner()
BUYER, OTHER = "21590392300013", "20006787400012"
WINNER = {"id": "42241454000035", "id_type": "SIRET", "name": "EURO IIS"}
RIVAL = {"id": "69850349700035", "id_type": "SIRET", "name": "ELECTRIFICATION INDUSTRIELLE"}


def award(source_id: str, **fields) -> dict:
    return item(source_id, **{"kind": "award", "source": "decp", "organization": None,
                              "location": None, "country": "FR", "buyer_id": BUYER,
                              "department": "59", "nature": "Marché",
                              "duration_months": 12} | fields)


ITEMS = [
    award("a1", title="Électricité de l'école", organization="COMMUNE DE MAUBEUGE",
          awarded_at="2024-03-01", amount=100000, suppliers=[WINNER], cpv=["45310000"],
          offers_received=1),
    award("a2", title="Câblage du gymnase", awarded_at="2025-06-01", amount=50000,
          suppliers=[WINNER, RIVAL], cpv=["45311000-0"], offers_received=3),
    award("a3", title="Nettoyage des écoles", awarded_at="2025-09-15", amount=25000,
          suppliers=[RIVAL], cpv=["90910000"], duration_months=48),
    award("a4", title="Couverture", buyer_id=OTHER, organization="CA HAGUENAU",
          department="67", awarded_at="2025-01-10", amount=70000, suppliers=[RIVAL],
          duration_months=18),
    item("t-open", title="Éclairage du stade", organization="COMMUNE DE MAUBEUGE",
         deadline_at="2026-04-30T12:00:00+02:00", cpv=["45316000"]),
    item("t-closed", title="Voirie", organization="COMMUNE DE MAUBEUGE", status="closed"),
    # the notice gives the SIRET: the buyer's, whatever the name it writes
    item("t-siret", title="Réfection de la mairie", organization="Ville de Maubeuge",
         buyer_id=BUYER, deadline_at="2026-05-15T12:00:00+02:00"),
    # the same name under another SIRET: another buyer
    item("t-homonym", title="Piscine", organization="COMMUNE DE MAUBEUGE", buyer_id=OTHER,
         deadline_at="2026-04-10T12:00:00+02:00"),
]


@pytest.fixture
def store(engine, clock):
    return write(engine, ITEMS)


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_buyer_dossier(store):
    dossier = run_json("buyer", BUYER)
    assert dossier == {
        "buyer_id": BUYER, "name": "COMMUNE DE MAUBEUGE", "awards": 3,
        "amount_total": 175000.0,
        "by_year": [{"year": 2024, "awards": 1, "amount": 100000.0},
                    {"year": 2025, "awards": 2, "amount": 75000.0}],
        "cpv": [{"class": "45310", "awards": 1, "amount": 100000.0},
                {"class": "45311", "awards": 1, "amount": 50000.0},
                {"class": "90910", "awards": 1, "amount": 25000.0}],
        "suppliers": [
            {"id": WINNER["id"], "name": "EURO IIS", "wins": 2, "amount": 150000.0,
             "last_win": "2025-05-31T22:00:00+00:00"},
            {"id": RIVAL["id"], "name": RIVAL["name"], "wins": 2, "amount": 75000.0,
             "last_win": "2025-09-14T22:00:00+00:00"}],
        "single_bid_rate": 0.5, "mean_offers": 2.0,
        "open_tenders": [{"id": store["t-siret"], "title": "Réfection de la mairie",
                          "deadline_at": "2026-05-15T10:00:00+00:00", "matched_by": "siret"},
                         {"id": store["t-open"], "title": "Éclairage du stade",
                          "deadline_at": "2026-04-30T10:00:00+00:00", "matched_by": "name"}],
        "renewals": [{"id": store["a2"], "title": "Câblage du gymnase", "buyer_id": BUYER,
                      "ends_at": "2026-05-31T22:00:00+00:00", "amount": 50000.0,
                      "suppliers": ["EURO IIS", RIVAL["name"]]}],
    }


def test_a_buyers_open_tenders_from_the_recorded_boamp_notices_by_siret(engine, clock):
    """The real BOAMP notice 26-79589 gives the Haute-Vienne's SIRET under a name no award
    writes the same way: the dossier of that SIRET lists it."""
    recorded = json.loads(fixture("tenders/boamp_explore_v21_records_recent_first2.json"))
    spider = make_spider(BoampSpider)
    notices = [i for r in recorded["results"] for i in spider.parse_record(r)]
    ids = write(engine, [*notices, award("d1", title="Enrobés", buyer_id="22870851700989",
                                         organization="DEPARTEMENT DE LA HAUTE VIENNE",
                                         awarded_at="2024-05-01", amount=90000)])
    dossier = run_json("buyer", "22870851700989")
    assert dossier["name"] in ("DEPARTEMENT DE LA HAUTE VIENNE",
                               "Conseil Départemental Haute-Vienne")
    assert [(t["id"], t["matched_by"]) for t in dossier["open_tenders"]] == [
        (ids["26-79589"], "siret")]
    assert [t["id"] for t in run_json("buyer", "26950015300011")["open_tenders"]] == [
        ids["26-79592"]]


def test_a_buyer_is_found_by_words_of_its_name(store):
    assert run_json("buyer", "maubeuge")["buyer_id"] == BUYER
    assert run_json("buyer", "2159 0392 3000 13")["awards"] == 3


def test_a_buyer_without_a_name_shows_its_siret(engine, clock):
    write(engine, [award("x", title="Sans nom", awarded_at="2025-01-01", amount=1,
                         buyer_id="11111111111111", suppliers=[WINNER])])
    assert run_json("buyer", "11111111111111")["name"] == "11111111111111"
    heading = runner.invoke(app, ["buyer", "11111111111111"]).output.splitlines()[0]
    assert heading == "11111111111111"  # once, not "11111111111111 (11111111111111)"


def test_supplier_dossier(store):
    dossier = run_json("supplier", RIVAL["id"])
    assert dossier["name"] == RIVAL["name"] and dossier["awards"] == 3
    assert dossier["amount_total"] == 145000.0
    assert [(b["id"], b["wins"], b["amount"]) for b in dossier["buyers"]] == [
        (BUYER, 2, 75000.0), (OTHER, 1, 70000.0)]
    assert dossier["places"] == [{"department": "59", "awards": 2},
                                 {"department": "67", "awards": 1}]
    assert [r["id"] for r in dossier["renewals"]] == [store["a2"], store["a4"]]
    assert run_json("supplier", "electrification")["supplier_id"] == RIVAL["id"]


@pytest.mark.parametrize(("args", "expected"), [
    ([], ["a2", "a4"]),  # 12 months by default, soonest end first
    (["dep:67"], ["a4"]),
    ([f"buyer:{BUYER}", "--within", "1y"], ["a2"]),
    (["câblage"], ["a2"]),
    (["--within", "90d"], ["a2"]),
    (["--within", "2m"], []),
])
def test_renewals(store, args, expected):
    result = runner.invoke(app, ["renewals", *args, "--json"])
    assert result.exit_code == 0, result.output
    ids = {v: k for k, v in store.items()}
    assert [ids[json.loads(line)["id"]] for line in result.output.splitlines()] == expected


def test_the_tables_read_at_80_columns(store):
    result = runner.invoke(app, ["buyer", BUYER], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "COMMUNE DE MAUBEUGE" in result.output and "EURO IIS" in result.output
    result = runner.invoke(app, ["renewals"], env={"COLUMNS": "80"})
    assert "Câblage" in result.output and "01/06/2026" in result.output  # as every date reads
    assert "Contracts ending within 12 months" in result.output


def test_a_dossier_at_80_columns_in_french_keeps_each_siret_and_name_whole(
        store, default_language):
    out = runner.invoke(app, ["buyer", BUYER], env={"COLUMNS": "80"}).output
    # a SIRET is what `supplier` takes: cut ("698503497000…"), it was no use
    assert WINNER["id"] in out and RIVAL["id"] in out
    assert "…" not in out and "ELECTRIFICATION INDUSTRIELLE" in out
    assert "45310 Travaux d'équipement électrique" in out  # a CPV class says what it covers
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize(("args", "message"), [
    (["buyer", "nobody here"], "no buyer named 'nobody here'"),
    (["renewals", "--within", "soon"], "expected a length such as 12m"),
    (["renewals", "kind:"], "invalid query"),
])
def test_mistakes_are_one_line(store, args, message):
    import subprocess
    import sys
    from pathlib import Path

    from aggregator.config import PROJECT_ROOT

    command = str(Path(sys.executable).with_name("aggregator"))
    result = subprocess.run([command, *args], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_show_names_every_file_an_award_was_read_from(engine, clock):
    files = ["https://pes.example.org/decp.json",
             "https://data.example.org/consolidated/decp.json"]
    ids = write(engine, [award("f1", title="Éclairage public", awarded_at="2025-01-01",
                               amount=1000, suppliers=[WINNER], extra={"files": files})])
    shown = runner.invoke(app, ["show", str(ids["f1"])], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    row = next(line for line in shown.output.splitlines() if files[0] in line)
    assert row.split()[0] in ("fichiers", "files")
    assert files[1] in shown.output.split(files[0], 1)[1]
    assert run_json("show", str(ids["f1"]))["files"] == files


def test_show_says_who_won_an_award_for_how_much_and_until_when(engine, clock):
    ids = write(engine, [award("w1", title="Éclairage public", awarded_at="2025-01-15",
                               amount=57379.41, suppliers=[WINNER, RIVAL],
                               duration_months=12)])
    shown = runner.invoke(app, ["show", str(ids["w1"])], env={"COLUMNS": "100"})
    assert shown.exit_code == 0, shown.output
    fields = {line.split(None, 1)[0]: line.split(None, 1)[1].strip()
              for line in shown.output.splitlines()[1:] if line[:1].isalpha() and "  " in line}
    # each with its SIRET, what `aggregator supplier` takes, one a line
    assert fields["suppliers"] == f"EURO IIS ({WINNER['id']})"
    assert f"  {RIVAL['name']} ({RIVAL['id']})" in shown.output
    assert fields["amount"] == "57,379 €"
    assert fields["awarded"] == "15/01/2025"
    assert fields["ends"] == "15/01/2026"


def test_a_dossier_says_none_for_an_empty_section_and_undated_for_a_missing_year(engine,
                                                                              clock):
    write(engine, [award("u1", title="Sans date", awarded_at=None, amount=5835,
                         buyer_id="11111111111111", suppliers=[WINNER])])
    out = runner.invoke(app, ["buyer", "11111111111111"], env={"COLUMNS": "100"}).output
    assert "Open tenders now: none" in out  # a line, not an empty table
    year_row = next(line for line in out.splitlines() if "undated" in line)
    assert year_row.split("│")[2].strip() == "1"  # the count, right-aligned in its column
