"""`aggregator export -f csv` on a store holding hostile text, NULLs, accents, multi-valued
fields and instants given in two time zones: byte for byte the golden files (written by the
export that read ORM rows), on SQLite and PostgreSQL, and what write_csv makes of the same
listings."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from aggregator.cli import UserError, _register, app
from aggregator.export import write_csv
from aggregator.store.models import Listing, ListingChange
from tests.factories import PARIS, row

GOLDEN = Path(__file__).parent / "golden"


def hostile() -> list[Listing]:
    """Every kind of cell the CSV writes, with what a spreadsheet or a terminal must not get
    (no NUL: PostgreSQL text cannot hold one)."""
    return [
        row(1, title='Travaux "urgents", lot 1 ; électricité ☃', organization="Ville d'Aix",
            description="Ligne 1\r\nLigne 2\n=SUM(A1) en début de ligne\n\"cité\"",
            city="Aix-en-Provence", postal_code="13100", insee_code="13001", department="13",
            region="93", cpv=["45310000", "45311000", "99999999"],
            published_at=datetime(2026, 3, 20, 9, 30, 15, 123456, tzinfo=PARIS),
            deadline_at=datetime(2026, 12, 15, 11, 0, tzinfo=UTC), deadline_time_given=True,
            estimated_value=-1250.5, currency="EUR", procedure="open",
            details={"place_source": "buyer", "other": [1, 2]}),
        row(2, kind="job", source="greenhouse", source_id="4426707007",
            title='=HYPERLINK("http://evil.example","Cliquez")', organization="+33 1 23 45",
            description="-2+3 \x1b[31mrouge\x1b[0m \x7f\x85", city="Pa\u202eris",
            postal_code="75001", department="75", region="11", remote=True,
            deadline_at=datetime(2026, 12, 31, 23, 0, 0, 1, tzinfo=PARIS),
            deadline_time_given=False, cpv=[], contract_type="cdi", working_time="full_time",
            salary_min=42000.0, salary_max=48000.5, salary_currency="EUR",
            salary_period="year"),
        row(3, kind="award", source="decp", source_id="decp-3", status="awarded",
            title="@SUM(A1:A9) Câblage", organization="\tTab Corp", description="\rretour",
            buyer_id="21130055300016", amount=1e6, duration_months=12, offers_received=3,
            nature="Marché", awarded_at=datetime(2026, 2, 1, tzinfo=PARIS),
            ends_at=datetime(2027, 2, 1, 12, tzinfo=UTC),
            suppliers=[{"name": 'Société "Ä" ; -1', "siret": "12345678900011"},
                       {"name": "=Autre", "siret": None}], cpv=["45310000"]),
        row(4, title="Sans rien", organization=None, description=None, city=None,
            postal_code=None, department="2A", region="94", country=None, cpv=None,
            suppliers=None, details={}, deadline_at=None, deadline_time_given=None,
            status="cancelled"),
        row(5, title="-Moins, ' apostrophe", department="999", region="XX", cpv=["45310000"],
            description="", details={"place_source": "=formula"}, status="closed",
            deadline_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=PARIS)),
        # what SQL writes and Python checks: a formula behind a control character, controls
        # beside quotes and line breaks, every kind of non-ASCII control, text that only
        # looks like them (ÿ, ’, «…», an ellipsis), cells ending in a quote or a comma
        row(6, title="\x1b[0m=1+1", organization='\x07"Quoted" \u2066Corp\u2069',
            description='"\r\n\x9b31m\u061c,\u200e"', city="\tTabulé", postal_code="\r",
            contract_type='"', nature="«\xa0plein\xa0» – ’temps’…", procedure="ÿ\xff,",
            salary_min=0.1 + 0.2, salary_max=1e16, salary_currency="@EU", amount=-0.5,
            estimated_value=123456789.125, details={"place_source": '"quoted"'},
            deadline_at=datetime(2026, 12, 20, tzinfo=UTC)),
        row(7, title="+33 \u202eevil\u202c", description="-", organization="", city="Lyon ,",
            source_id='id,"7"', cpv=["45310000", "=1"], department="69", region="84",
            deadline_at=datetime(2026, 12, 20, tzinfo=UTC)),
    ]


@pytest.fixture
def hostile_store(engine):
    with Session(engine) as session:
        listings = hostile()
        for listing in listings:
            listing.content_hash = "0" * 32
        session.add_all(listings)
        session.flush()
        # closed after 1 June: open as of that day
        session.add(ListingChange(listing_id=5, field="status", old_value="open",
                                  new_value="closed",
                                  changed_at=datetime(2026, 6, 2, tzinfo=UTC)))
        session.commit()
    return engine


def export(*args: str) -> str:
    _register()
    result = CliRunner().invoke(app, ["export", "status:all", "-f", "csv", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


def test_export_csv_is_byte_for_byte_the_golden_file(hostile_store):
    text = export()
    assert text == (GOLDEN / "store.csv").read_bytes().decode("utf-8")
    with Session(hostile_store) as session:
        listings = session.scalars(select(Listing).order_by(
            Listing.deadline_at.is_(None), Listing.deadline_at, Listing.published_at.desc(),
            Listing.id)).all()
        out = io.StringIO(newline="")
        write_csv(listings, out)
    assert out.getvalue() == text


def test_export_csv_as_of_a_day_is_the_golden_file(hostile_store):
    text = export("--as-of", "2026-06-01", "--bom")
    assert text == (GOLDEN / "store-as-of.csv").read_bytes().decode("utf-8")


def test_excel_export_splits_in_columns_for_a_french_spreadsheet(hostile_store,
                                                                default_language):
    """`--excel` in French: the same cells as the RFC 4180 export, separated by ';', the
    decimal numbers with a comma, the byte-order mark first; SQL's lines as write_csv's."""
    from aggregator.export import CSV_FIELDS, spreadsheet_style

    excel, plain = export("--excel"), export()
    assert excel.startswith('\ufeff"kind";"source";"source_id";')
    excel_rows = list(csv.reader(io.StringIO(excel[1:], newline=""), delimiter=";"))
    plain_rows = list(csv.reader(io.StringIO(plain, newline="")))
    assert len(excel_rows) == len(plain_rows) == 8
    numbers = [CSV_FIELDS.index(f) for f in ("salary_min", "salary_max", "estimated_value",
                                             "amount")]
    for excel_row, plain_row in zip(excel_rows, plain_rows, strict=True):
        assert len(excel_row) == len(plain_row) == len(CSV_FIELDS)
        expected = [cell.replace(".", ",") if index in numbers else cell
                    for index, cell in enumerate(plain_row)]
        assert excel_row == expected
    values = {row[numbers[2]] for row in excel_rows}
    assert {"-1250,5", "123456789,125"} <= values
    with Session(hostile_store) as session:
        listings = session.scalars(select(Listing).order_by(
            Listing.deadline_at.is_(None), Listing.deadline_at, Listing.published_at.desc(),
            Listing.id)).all()
        out = io.StringIO(newline="")
        write_csv(listings, out, bom=True, style=spreadsheet_style())
    assert out.getvalue() == excel


def test_excel_export_in_english_is_the_plain_csv_with_a_byte_order_mark(hostile_store):
    assert export("--excel") == "\ufeff" + export()


def test_excel_is_a_csv_option(hostile_store):
    _register()
    result = CliRunner().invoke(app, ["export", "status:all", "-f", "json", "--excel"])
    assert isinstance(result.exception, UserError)
    assert str(result.exception) == "--excel writes a CSV: leave out --format json."
