"""The batched upsert: idempotence, history, links across sources, bad values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from aggregator.normalize import normalize_listing
from aggregator.store.models import Listing, ListingChange, ListingCpv, ListingKey
from aggregator.store.writer import ListingWriter

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def record(source_id: str, **fields) -> dict:
    item = {
        "kind": "tender", "source": "boamp", "source_id": source_id,
        "url": f"https://www.boamp.fr/pages/avis/?q=idweb:{source_id}",
        "title": f"Travaux d'électricité {source_id}", "organization": "Ville de Marseille",
        "published_at": "2026-11-20T00:00:00+01:00",
        "deadline_at": "2026-12-15T12:00:00+01:00", "cpv": ["45310000"],
        "raw": {"idweb": source_id},
    } | fields
    return normalize_listing(item, crawled_at=NOW) | {"scope": None}


def rows(engine) -> list[Listing]:
    with Session(engine) as session:
        return list(session.scalars(select(Listing).order_by(Listing.source_id)))


def test_same_records_twice_create_nothing_new_and_count_unchanged(engine):
    writer = ListingWriter(engine)
    batch = [record(f"26-{i}") for i in range(50)]

    first = writer.write(batch, now=NOW)
    second = writer.write(batch, now=NOW + timedelta(days=1))

    assert (first.new, first.updated, first.unchanged) == (50, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 50)
    stored = rows(engine)
    assert len(stored) == 50
    assert {r.first_seen_at for r in stored} == {NOW}
    assert {r.last_seen_at for r in stored} == {NOW + timedelta(days=1)}
    assert {r.updated_at for r in stored} == {NOW}
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ListingChange)) == 0
        assert session.scalar(select(func.count()).select_from(ListingCpv)) == 50


@pytest.mark.postgres
def test_postgres_rewrites_an_unchanged_listing_on_its_page(postgres_url):
    """A re-crawl's rewrite of an unchanged listing stays on its page on PostgreSQL: the
    listings table leaves room there (db/versions/0013) and the rewrite changes no indexed
    column, so it is a heap-only (HOT) update that adds no index entry (the GIN ones
    included). On full pages every index would get an entry per listing re-crawled."""
    from aggregator.store.engine import get_engine

    engine = get_engine(postgres_url)
    writer = ListingWriter(engine)
    batch = [record(f"26-page-{i}") for i in range(50)]
    pages = text("SELECT source_id, (ctid::text::point)[0] FROM listings "
                 "WHERE source_id LIKE '26-page-%'")
    writer.write(batch, now=NOW)
    with engine.connect() as conn:
        before = dict(conn.execute(pages).all())

    assert writer.write(batch, now=NOW + timedelta(days=1)).unchanged == 50

    with engine.connect() as conn:
        assert dict(conn.execute(pages).all()) == before


def test_a_moved_deadline_keeps_both_dates_in_the_history(engine):
    writer = ListingWriter(engine)
    writer.write([record("26-1")], now=NOW)

    result = writer.write([record("26-1", deadline_at="2026-12-22T16:30:00+01:00")],
                          now=NOW + timedelta(hours=5))

    assert (result.new, result.updated) == (0, 1)
    (listing,) = rows(engine)
    assert listing.deadline_at == datetime(2026, 12, 22, 15, 30, tzinfo=UTC)
    with Session(engine) as session:
        (change,) = session.scalars(select(ListingChange))
    assert change.listing_id == listing.id
    assert change.field == "deadline_at"
    assert change.old_value == "2026-12-15T11:00:00+00:00"
    assert change.new_value == "2026-12-22T15:30:00+00:00"
    assert change.changed_at == NOW + timedelta(hours=5)


def test_every_instant_reads_back_aware_and_equal(engine):
    ListingWriter(engine).write([record("26-1")], now=NOW)
    (listing,) = rows(engine)
    assert listing.published_at == datetime(2026, 11, 19, 23, 0, tzinfo=UTC)
    assert listing.deadline_at.tzinfo is not None


def test_open_listing_past_its_deadline_is_stored_closed(engine):
    ListingWriter(engine).write([record("26-1", deadline_at="2026-11-01T12:00:00+01:00")],
                                now=NOW)
    assert rows(engine)[0].status == "closed"


def test_listings_of_two_sources_sharing_a_key_are_linked_to_the_older(engine):
    writer = ListingWriter(engine)
    writer.write([record("26-79589", match_keys=["eforms-procedure:8322a903"])], now=NOW)
    ted = record("543742-2026", match_keys=["eforms-procedure:8322a903"]) | {"source": "ted"}
    other = record("26-2", match_keys=["eforms-procedure:other"])

    writer.write([ted, other], now=NOW)

    by_id = {r.source_id: r for r in rows(engine)}
    assert by_id["26-79589"].duplicate_of is None
    assert by_id["543742-2026"].duplicate_of == by_id["26-79589"].id
    assert by_id["26-2"].duplicate_of is None
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ListingKey)) == 3


def test_same_source_sharing_a_key_is_not_a_duplicate(engine):
    writer = ListingWriter(engine)
    writer.write([record("26-1", match_keys=["k"]), record("26-2", match_keys=["k"])], now=NOW)
    assert [r.duplicate_of for r in rows(engine)] == [None, None]


def test_overlong_short_fields_are_cut_not_failing_the_batch(engine):
    long_city = record("26-1")
    long_city["city"] = "x" * 500
    long_city["postal_code"] = "1" * 40
    result = ListingWriter(engine).write([long_city, record("26-2")], now=NOW)
    assert result.new == 2
    assert len(rows(engine)[0].city) == 120


def test_within_a_batch_the_last_sighting_wins(engine):
    result = ListingWriter(engine).write(
        [record("26-1", title="first"), record("26-1", title="second")], now=NOW)
    assert result.new == 1
    assert rows(engine)[0].title == "second"


def test_an_amendment_keeps_the_fields_it_leaves_empty(engine):
    writer = ListingWriter(engine)
    writer.write([record("26-1")], now=NOW)
    award = record("26-1", deadline_at=None, cpv=[], description=None, status="closed",
                   title="Attribution: travaux d'électricité 26-1") | {"amends": True}

    writer.write([award], now=NOW + timedelta(days=3))

    (listing,) = rows(engine)
    assert listing.status == "closed"
    assert listing.deadline_at == datetime(2026, 12, 15, 11, 0, tzinfo=UTC)
    assert listing.cpv == ["45310000"]
    with Session(engine) as session:
        fields = set(session.scalars(select(ListingChange.field)))
    assert fields == {"status", "title"}


def test_an_older_version_met_after_a_newer_one_does_not_undo_it(engine):
    writer = ListingWriter(engine)
    corrected = record("26-1", deadline_at="2026-12-22T16:30:00+01:00",
                       modified_at="2026-11-25T00:00:00+01:00")
    original = record("26-1", modified_at="2026-11-20T00:00:00+01:00")
    writer.write([corrected], now=NOW)

    result = writer.write([original], now=NOW + timedelta(hours=1))

    assert (result.updated, result.unchanged) == (0, 1)
    (listing,) = rows(engine)
    assert listing.deadline_at == datetime(2026, 12, 22, 15, 30, tzinfo=UTC)
    assert listing.last_seen_at == NOW + timedelta(hours=1)


def test_an_older_version_fills_only_what_the_newer_one_lacks(engine):
    writer = ListingWriter(engine)
    correction = record("26-1", deadline_at="2026-12-22T16:30:00+01:00", cpv=[],
                        modified_at="2026-11-25T00:00:00+01:00")
    writer.write([correction], now=NOW)
    original = record("26-1", cpv=["45310000"], modified_at="2026-11-20T00:00:00+01:00")

    result = writer.write([original], now=NOW + timedelta(hours=1))

    assert result.updated == 1
    (listing,) = rows(engine)
    assert listing.cpv == ["45310000"]  # filled in from the original
    assert listing.deadline_at == datetime(2026, 12, 22, 15, 30, tzinfo=UTC)  # kept
