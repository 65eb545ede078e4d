"""Exports: spreadsheet-safe CSV, JSON lines, iCalendar with stable UIDs; `aggregator export`."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from typer.testing import CliRunner

from aggregator.cli import UserError, _register, app
from aggregator.export import (
    CSV_FIELDS,
    event_uid,
    ics_calendar,
    listing_record,
    neutralise_formula,
    write_csv,
    write_ics,
    write_jsonl,
)
from aggregator.normalize.cpv import lookup
from tests.factories import NOW, item, row, write
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
# a tender of Marseille due on 15 December 2026 at 12:00 in Paris
TENDER = {"organization": "Ville de Marseille", "city": "Marseille", "postal_code": "13001",
          "insee_code": "13201", "department": "13", "region": "93",
          "published_at": datetime(2026, 3, 20, tzinfo=UTC),
          "deadline_at": datetime(2026, 12, 15, 11, 0, tzinfo=UTC), "deadline_time_given": True,
          "cpv": ["45310000"]}


def tender(id: int, **fields) -> Any:
    return row(id, **TENDER | {"title": f"Travaux d'électricité {id}"} | fields)


def sample() -> list:
    """A tender with lots, a job with a date-only deadline, a cancelled tender, and cells
    a spreadsheet would run as formulas."""
    return [
        tender(1, cpv=["45310000", "45311000"], estimated_value=-1250.5, currency="EUR",
                  procedure="open", lots=[
                      {"id": "1", "title": "Courants forts", "deadline_at":
                       "2026-12-15T11:00:00+00:00", "cpv": [], "estimated_value": None},
                      {"id": "2", "title": "Courants faibles", "deadline_at":
                       "2026-12-18T11:00:00+00:00", "cpv": [], "estimated_value": None}]),
        tender(2, kind="job", source="greenhouse", source_id="4426707007",
                  url="https://boards.greenhouse.io/codepath/jobs/4426707007",
                  title="=HYPERLINK(\"http://evil.example\",\"Cliquez\")",
                  organization="+33 1 23 45 67 89", description="-2+3 \x1b[31mrouge\x1b[0m",
                  city="Paris", postal_code="75001", insee_code="75101", department="75",
                  region="11",
                  deadline_at=datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
                  deadline_time_given=False, cpv=[], contract_type="cdi",
                  working_time="full_time", salary_min=42000.0, salary_max=48000.0,
                  salary_currency="EUR", salary_period="year", remote=True),
        tender(3, title="@SUM(A1:A9) Câblage", organization="\tTab Corp",
                  description="\rretour", status="cancelled", deadline_time_given=None),
    ]


def csv_text(listings, **kwargs) -> str:
    out = io.StringIO(newline="")
    write_csv(listings, out, **kwargs)
    return out.getvalue()


def test_csv_golden():
    assert_golden(GOLDEN / "listings.csv", csv_text(sample()))


def test_csv_has_the_json_fields_and_reads_back():
    rows = list(csv.DictReader(io.StringIO(csv_text(sample()))))
    assert tuple(rows[0]) == CSV_FIELDS
    assert CSV_FIELDS[-2:] == ("place_source", "cpv_labels")
    record = listing_record(sample()[0])
    # the JSON fields in their order; beside the codes, their names; where the place came
    # from; the CPV codes in words
    assert [f for f in CSV_FIELDS if f in record] == list(record)
    assert [f for f in CSV_FIELDS if f not in record] == [
        "department_name", "region_name", "place_source", "cpv_labels"]
    assert CSV_FIELDS.index("department_name") == CSV_FIELDS.index("department") + 1
    assert (rows[0]["department"], rows[0]["department_name"]) == ("13", "Bouches-du-Rhône")
    assert (rows[0]["region"], rows[0]["region_name"]) == ("93", "Provence-Alpes-Côte d'Azur")
    assert rows[0]["title"] == record["title"] == "Travaux d'électricité 1"
    assert rows[0]["deadline_at"] == record["deadline_at"] == "2026-12-15T11:00:00+00:00"
    assert rows[0]["cpv"] == "45310000 45311000"
    # in the reader's language (the suite reads English), from the shipped nomenclature
    assert rows[0]["cpv_labels"] == "; ".join(f"{c} {lookup(c).en}"
                                              for c in ("45310000", "45311000"))
    assert rows[0]["estimated_value"] == "-1250.5"  # a number we computed: left as is
    assert rows[1]["remote"] == "true" and rows[0]["remote"] == "false"
    assert rows[2]["deadline_time_given"] == ""


def test_csv_neutralises_formulas_and_strips_escapes():
    rows = list(csv.DictReader(io.StringIO(csv_text(sample()))))
    assert rows[1]["title"] == "'=HYPERLINK(\"http://evil.example\",\"Cliquez\")"
    assert rows[1]["organization"] == "'+33 1 23 45 67 89"
    assert rows[1]["description"] == "'-2+3 rouge"
    assert rows[2]["title"] == "'@SUM(A1:A9) Câblage"
    assert rows[2]["organization"] == "'\tTab Corp"
    assert rows[2]["description"] == "'\rretour"
    for written in rows:
        for value in written.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or \
                value.lstrip("-").replace(".", "", 1).isdigit()
            assert "\x1b" not in value


def test_csv_cleans_each_cell_on_its_own():
    # rows are checked whole first: a formula or an escape in one cell must change that
    # cell only, and a line of a description starting like a formula is no formula
    listings = [tender(1, description="Lots:\n- voirie\n=réseaux", organization="Ville"),
                tender(2, description="ok", organization="=1+1"),
                tender(3, description="a\x1b[31mb", city="\u202eMarseille", title="T")]
    rows = list(csv.DictReader(io.StringIO(csv_text(listings))))
    assert rows[0]["description"] == "Lots:\n- voirie\n=réseaux"
    assert rows[0]["organization"] == "Ville"
    assert (rows[1]["description"], rows[1]["organization"]) == ("ok", "'=1+1")
    assert (rows[2]["description"], rows[2]["city"], rows[2]["title"]) == ("ab", "Marseille", "T")
    assert rows[2]["source"] == rows[0]["source"] == "boamp"


@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("\0x", "'\0x"), ("a=b", "a=b"), ("'=1", "'=1"), ("", ""),
    ("Électricité", "Électricité"),
])
def test_neutralise_formula(cell, safe):
    assert neutralise_formula(cell) == safe


def test_csv_bom_option():
    with_bom, without = csv_text(sample(), bom=True), csv_text(sample())
    assert with_bom == "\ufeff" + without
    assert with_bom.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert without.startswith('"kind","source"') and "\r\n" in without


def test_json_lines_are_the_list_json_records():
    out = io.StringIO()
    assert write_jsonl(sample(), out) == 3
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [listing_record(listing) for listing in sample()]
    assert lines[1]["title"].startswith("=HYPERLINK")  # JSON keeps the data as it is


def test_ics_golden():
    assert_golden(GOLDEN / "deadlines.ics", ics_calendar(sample(), now=NOW).decode("utf-8"))


def test_ics_one_event_per_deadline_with_stable_uids():
    calendar = icalendar.Calendar.from_ical(ics_calendar(sample(), now=NOW))
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    # listing 1: its deadline (= lot 1's) and lot 2's own; the job; the cancelled tender
    assert set(events) == {event_uid("boamp", "26-1"), event_uid("boamp", "26-1", "2"),
                           event_uid("greenhouse", "4426707007"), event_uid("boamp", "26-3")}
    lot = events[event_uid("boamp", "26-1", "2")]
    assert str(lot["SUMMARY"]) == "Tender deadline (lot 2): Travaux d'électricité 1"
    assert lot.decoded("DTSTART") == datetime(2026, 12, 18, 11, 0, tzinfo=UTC)
    job = events[event_uid("greenhouse", "4426707007")]
    assert job.decoded("DTSTART") == datetime(2027, 1, 1).date()  # a day, in Paris time
    assert str(events[event_uid("boamp", "26-3")]["STATUS"]) == "CANCELLED"
    assert "evil.example" not in str(job.get("URL", ""))


def test_ics_uid_is_stable_across_exports_and_sequence_grows_on_change():
    before = tender(1)
    after = tender(1, deadline_at=before.deadline_at + timedelta(days=7),
                      updated_at=NOW + timedelta(days=2))
    (first,) = icalendar.Calendar.from_ical(ics_calendar([before], now=NOW)).walk("VEVENT")
    (second,) = icalendar.Calendar.from_ical(
        ics_calendar([after], now=NOW + timedelta(days=2))).walk("VEVENT")
    assert first["UID"] == second["UID"] == event_uid("boamp", "26-1")
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert event_uid("boamp", "26-1") != event_uid("ted", "26-1") != event_uid("boamp", "26-2")
    assert event_uid("boamp", "26-1") == "79516e4a-ba68-50fa-a93c-f2c5dc7afb46@aggregator.invalid"


def test_write_ics_counts_events():
    out = io.BytesIO()
    assert write_ics(sample(), out, now=NOW) == 4
    assert out.getvalue().startswith(b"BEGIN:VCALENDAR\r\n")


# --- `aggregator export` -----------------------------------------------------------------------

@pytest.fixture
def cli(store_url):
    _register()
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


@pytest.fixture
def exported(engine, clock):
    due = {"deadline_at": "2026-12-15T12:00:00+01:00", "location": "Marseille",
           "postal_code": "13001"}
    write(engine, [item("26-1", **due),
                   item("26-2", title="=cmd|' /C calc'!A0 électricité", **due),
                   item("26-3", location="Lille", postal_code="59000",
                        deadline_at="2026-12-15T12:00:00+01:00")])


def test_export_csv_with_bom_to_a_file(cli, exported, tmp_path):
    target = tmp_path / "out.csv"
    result = cli("export", "dep:13", "--format", "csv", "--bom", "-o", str(target))
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\"kind\"")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert sorted(r["source_id"] for r in rows) == ["26-1", "26-2"]
    assert {r["title"] for r in rows} >= {"'=cmd|' /C calc'!A0 électricité"}


def test_export_json_to_stdout(cli, exported):
    result = cli("export", "dep:13 cmd", "--format", "json")
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert json.loads(line)["source_id"] == "26-2"


def test_export_ics(cli, exported, tmp_path):
    target = tmp_path / "deadlines.ics"
    result = cli("export", "", "-f", "ics", "-o", str(target))
    assert result.exit_code == 0
    assert f"3 deadline events written to {target}" in result.output
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert sorted(str(e["UID"]) for e in calendar.walk("VEVENT")) == sorted(
        event_uid("boamp", i) for i in ("26-1", "26-2", "26-3"))


def test_export_ics_of_no_deadline_writes_nothing_and_says_so(cli, exported, engine, tmp_path):
    write(engine, [item("J1", kind="job", source="lever", title="Électricien", location="Lyon")])
    target = tmp_path / "jobs.ics"
    # jobs without a deadline, then no match at all: no calendar (an empty one is invalid)
    for query in ("kind:job", "dep:Var"):
        result = cli("export", query, "-f", "ics", "-o", str(target))
        assert result.exit_code == 1, result.output
        assert "Nothing to export" in result.output and "has a deadline" in result.output
        assert "0 " not in result.output and "written to" not in result.output
        assert not target.exists()
    result = cli("export", "kind:job", "-f", "ics")  # to stdout: not a byte of calendar
    assert result.exit_code == 1 and "BEGIN:VCALENDAR" not in result.output


def test_no_deadline_no_calendar():
    job = row(9, kind="job", deadline_at=None, lots=[])
    assert ics_calendar([job], now=NOW) is None
    out = io.BytesIO()
    assert write_ics([job], out, now=NOW) == 0 and out.getvalue() == b""


def test_export_refuses_a_bad_query_with_the_reason(cli, store_url):
    result = cli("export", "dep:Atlantis")
    assert isinstance(result.exception, UserError)
    assert "unknown place 'dep:Atlantis'" in str(result.exception)


def test_write_ics_counts_the_events_it_builds_not_the_text():
    out = io.BytesIO()
    assert write_ics([tender(1, title="BEGIN:VEVENT END:VEVENT")], out, now=NOW) == 1
    assert out.getvalue().count(b"BEGIN:VEVENT") == 2  # the event and its title


def test_a_lot_deadline_without_a_time_is_a_day_in_the_calendar():
    from aggregator.export import deadline_events

    listing = row(1, source="ted", source_id="543742-2026", title="Éclairage",
                  url="https://ted.europa.eu/fr/notice/-/detail/543742-2026",
                  deadline_at=datetime(2026, 9, 16, 14, 30, tzinfo=UTC),
                  deadline_time_given=True,
                  lots=[{"id": "LOT-0002", "deadline_at": "2026-09-20T23:59:59+02:00",
                         "deadline_time_given": False}])
    listing_event, lot_event = deadline_events(listing, datetime(2026, 8, 7, tzinfo=UTC))
    assert listing_event.decoded("dtstart") == datetime(2026, 9, 16, 14, 30, tzinfo=UTC)
    assert lot_event.decoded("dtstart") == date(2026, 9, 20)



def test_a_french_reader_gets_french_calendar_events(default_language):
    calendar = icalendar.Calendar.from_ical(ics_calendar(sample(), now=NOW))
    assert str(calendar["X-WR-CALNAME"]) == "échéances aggregator"
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert summaries[event_uid("boamp", "26-1", "2")] == (
        "Date limite de réponse (lot 2) : Travaux d'électricité 1")
    assert summaries[event_uid("greenhouse", "4426707007")].startswith(
        "Date limite de candidature : ")
