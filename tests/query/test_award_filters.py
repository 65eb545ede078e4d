"""Awards in the store and the query language: neither open nor closed, filtered by buyer,
supplier, notification and end dates like any listing by place and CPV; amendments in the
history; the award fields in the JSON and CSV exports. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.export import listing_record, write_csv
from aggregator.query import Filter, search
from aggregator.store.models import ListingChange
from tests.factories import NOW, PARIS, item, write

BUYER, OTHER_BUYER = "21590392300013", "20006787400012"
WINNER, RIVAL = "42241454000035", "69850349700035"


def award(source_id: str, **fields) -> dict:
    return item(source_id, kind="award", source="decp", organization=None,
                location=None, **{"buyer_id": BUYER, "amount": 100000,
                                  "awarded_at": "2025-06-01", "duration_months": 12,
                                  "nature": "Marché", "cpv": ["45310000"],
                                  "department": "59", "country": "FR",
                                  "suppliers": [{"id": WINNER, "id_type": "SIRET",
                                                 "name": "EURO IIS"}]} | fields)


AWARDS = [
    award("a-elec", title="Travaux d'électricité de l'école"),
    award("a-old", title="Vidéo surveillance", awarded_at="2019-01-15", cpv=["35125300"]),
    award("a-other", title="Couverture du gymnase", buyer_id=OTHER_BUYER, department="67",
          suppliers=[{"id": RIVAL, "id_type": "SIRET", "name": "ELECTRIFICATION"}],
          awarded_at="2024-05-01", duration_months=24),
]


@pytest.fixture
def store(engine):
    write(engine, [*AWARDS, item("t-open", title="Travaux d'électricité du collège",
                                 deadline_at="2026-06-01T12:00:00+02:00")])
    return engine


def ids(engine, query: str) -> list[str]:
    found = search(engine, Filter.parse(query, limit=None), now=NOW)
    return sorted(listing.source_id for listing in found)


@pytest.mark.parametrize(("query", "expected"), [
    ("kind:award", ["a-elec", "a-old", "a-other"]),  # no status:all needed
    ("", ["t-open"]),  # an award is not an open listing
    ("status:closed", []),
    (f"kind:award buyer:{BUYER}", ["a-elec", "a-old"]),
    (f"kind:award supplier:{RIVAL}", ["a-other"]),
    (f"kind:award supplier:{WINNER},{RIVAL}", ["a-elec", "a-old", "a-other"]),
    ("kind:award awarded>2024-01-01", ["a-elec", "a-other"]),
    ("kind:award awarded<2020-01-01", ["a-old"]),
    ("kind:award dep:59 cpv:45", ["a-elec"]),
    ("kind:award électricité", ["a-elec"]),
    # ends: a-elec on 2026-06-01, a-other on 2026-05-01 (NOW is 2026-03-27)
    ("kind:award ends<60d", ["a-other"]),
    ("kind:award ends<90d", ["a-elec", "a-other"]),
    ("kind:award ends>2026-05-15", ["a-elec"]),
])
def test_awards_filter_like_any_listing(store, query, expected):
    assert ids(store, query) == expected


def test_the_award_filters_round_trip_through_the_text_form():
    text = f"kind:award buyer:{BUYER} supplier:{WINNER} awarded>2024-01-01 ends<365d"
    assert Filter.parse(Filter.parse(text).to_text()) == Filter.parse(text)


def test_an_amendment_on_a_later_crawl_goes_to_the_history(store):
    amended = award("a-elec", title="Travaux d'électricité de l'école",
                    amendments=[{"date": "2025-09-01", "amount": 120000,
                                 "duration_months": 18}])
    listing_ids = write(store, [amended], now=NOW + timedelta(days=1))
    [listing] = search(store, Filter.parse("kind:award buyer:" + BUYER + " électricité"),
                       now=NOW)
    assert (listing.amount, listing.duration_months) == (120000, 18)
    assert listing.ends_at.astimezone(PARIS).date().isoformat() == "2026-12-01"
    with Session(store) as session:
        changes = {c.field: (c.old_value, c.new_value) for c in session.scalars(
            select(ListingChange).where(ListingChange.listing_id == listing_ids["a-elec"]))}
    assert changes["amount"] == (100000, 120000) and changes["duration_months"] == (12, 18)


def test_exports_carry_the_award_fields(store):
    listings = search(store, Filter.parse(f"kind:award supplier:{RIVAL}"), now=NOW)
    record = json.loads(json.dumps(listing_record(listings[0])))
    assert record["buyer_id"] == OTHER_BUYER and record["amount"] == 100000
    assert record["suppliers"] == [{"id": RIVAL, "id_type": "SIRET", "name": "ELECTRIFICATION"}]
    assert record["duration_months"] == 24 and record["nature"] == "Marché"
    assert record["awarded_at"].startswith("2024-04-30T22:00:00")
    out = io.StringIO()
    write_csv(listings, out)
    [row] = csv.DictReader(io.StringIO(out.getvalue()))
    assert json.loads(row["suppliers"])[0]["id"] == RIVAL and row["amount"] == "100000.0"
