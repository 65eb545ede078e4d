"""The full-text index follows the listings: inserts (writer hook), changes, deletes."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update

from aggregator.query import Filter, count, search
from aggregator.store.bulk_insert import HELP_FROM
from aggregator.store.models import Listing
from aggregator.store.search_index import check, rebuild
from tests.conftest import _truncate_postgres
from tests.factories import item, write

pytestmark = pytest.mark.usefixtures("clock")


def titles(engine, query: str) -> list[str]:
    return [listing.title for listing in search(engine, Filter.parse(f"status:all {query}"))]


def test_a_changed_title_is_found_by_its_new_words_only(engine):
    write(engine, [item("a", title="Travaux de peinture")])
    write(engine, [item("a", title="Travaux de plomberie")])  # a re-crawl: changed listing
    assert titles(engine, "plomberie") == ["Travaux de plomberie"]
    assert titles(engine, "peinture") == []
    with engine.connect() as conn:
        assert check(conn)


def test_a_large_batch_is_indexed_whole_and_in_order(engine):
    """PostgreSQL has another backend compute the tsvectors of part of a large batch
    (store/bulk_insert.py): they are those the index computes, and ids follow the batch."""
    count = 2 * HELP_FROM
    batch = [item(f"26-{i:04d}", title=f"Travaux n°{i}", description=f"Lot {i}")
             for i in range(1, count - 1)]
    batch += [item("26-0000", title="Travaux d'électricité", description="Câblage"),
              item("26-9999", title="Électricité des écoles",
                   organization="Mairie de Saint-Étienne", description="Réfection de la vitrerie")]
    ids = write(engine, batch)
    assert [ids[i["source_id"]] for i in batch] == sorted(ids.values())
    assert titles(engine, "electricite") == ["Travaux d'électricité", "Électricité des écoles"]
    assert titles(engine, "vitrerie") == ["Électricité des écoles"]
    assert titles(engine, "saint-etienne") == ["Électricité des écoles"]
    with engine.connect() as conn:
        assert check(conn)


@pytest.mark.postgres
def test_a_pool_of_one_connection_writes_a_large_batch_without_waiting(postgres_url):
    """The writer's is the pool's only connection: no other backend is asked to help (it
    would wait for that connection until the pool's timeout, then fail the batch)."""
    from aggregator.store.engine import create_store_engine, upgrade_schema

    _truncate_postgres(postgres_url)
    engine = create_store_engine(postgres_url, pool_size=1, max_overflow=0, pool_timeout=1)
    upgrade_schema(engine)
    batch = [item(f"26-{i:04d}", title=f"Travaux n°{i}") for i in range(2 * HELP_FROM)]
    ids = write(engine, batch)
    assert [ids[i["source_id"]] for i in batch] == sorted(ids.values())
    assert count(engine, Filter.parse("status:all travaux")) == len(batch)
    engine.dispose()


def test_a_deleted_listing_leaves_the_index(engine):
    ids = write(engine, [item("a", title="Peinture"), item("b", title="Peinture aussi")])
    with engine.begin() as conn:
        conn.execute(delete(Listing).where(Listing.id == ids["a"]))
    assert titles(engine, "peinture") == ["Peinture aussi"]
    with engine.connect() as conn:
        assert check(conn)


def test_user_flags_do_not_touch_the_index(engine):
    ids = write(engine, [item("a", title="Peinture")])
    with engine.begin() as conn:
        conn.execute(update(Listing).where(Listing.id == ids["a"]).values(starred=True))
        assert check(conn)


def test_a_row_that_missed_indexing_is_repaired_by_rebuild_or_its_next_change(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL computes its tsvector columns as rows are written")
    ids = write(engine, [item("a", title="Peinture")])
    with engine.begin() as conn:  # a bulk load that bypassed the writer
        conn.execute(text("INSERT INTO listings_fts(listings_fts, rowid, title, "
                          "organization, description) SELECT 'delete', id, title, "
                          "organization, description FROM listings_fts_content "
                          "WHERE id = :id"), {"id": ids["a"]})
    assert titles(engine, "peinture") == []
    write(engine, [item("a", title="Peinture et vitrerie")])  # changed: indexed again
    assert titles(engine, "vitrerie") == ["Peinture et vitrerie"]
    with engine.begin() as conn:
        rebuild(conn)
        assert check(conn)
    assert titles(engine, "peinture") == ["Peinture et vitrerie"]
