"""CPV prefixes and prefix words, where SQLite and PostgreSQL could disagree: codes whose
prefix ends in 9, codes given with their check digit, and a database with an ICU collation."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aggregator.query import Filter, search
from aggregator.store.engine import get_engine
from tests.factories import item, write

ITEMS = [
    item("forest", title="Travaux forestiers", cpv=["77200000"]),
    item("water", title="Eau potable", cpv=["41110000"]),
    item("mining", title="Produits des mines", cpv=["14000000"]),
    item("printing", title="Services d'impression", cpv=["79800000-2"]),  # with check digit
    item("works", title="Maintenance des ascenseurs", cpv=["45313100"]),
    item("repairs", title="Réparation et maintenance", cpv=["50000000"]),
]


pytestmark = pytest.mark.usefixtures("clock")


def found(engine, query: str) -> set[str]:
    return {row.source_id for row in search(engine, Filter.parse(query))}


@pytest.mark.parametrize("query, expected", [
    ("cpv:7", {"forest", "printing"}),
    ("cpv:79", {"printing"}),  # a prefix ending in 9
    ("cpv:798", {"printing"}),
    ("cpv:4,7", {"water", "works", "forest", "printing"}),
    ("cpv:45313100", {"works"}),
    ("cpv:9", set()),
])
def test_cpv_prefixes(engine, query, expected):
    write(engine, ITEMS)
    assert found(engine, query) == expected


def test_a_prefix_word_matches_on_both_databases(engine):
    write(engine, ITEMS)
    # "maintenance*" is stemmed like the index on PostgreSQL, whole words on SQLite
    assert found(engine, "maintenance*") == {"works", "repairs"}
    assert found(engine, "mainten*") == {"works", "repairs"}


@pytest.fixture
def icu_store(postgres_url):
    """A PostgreSQL database whose default collation is ICU French, as many servers have."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = f"aggregator_icu_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        try:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 '
                              "LOCALE_PROVIDER icu ICU_LOCALE 'fr-FR' LOCALE 'C.UTF-8'"))
        except Exception as exc:  # an old server or one built without ICU
            pytest.skip(f"no ICU collation on this PostgreSQL: {exc}")
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from aggregator.store.engine import _ready_engine

        _ready_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_cpv_prefixes_ending_in_9_under_an_icu_collation(icu_store):
    engine = get_engine(icu_store)
    write(engine, ITEMS)
    assert found(engine, "cpv:79") == {"printing"}
    assert found(engine, "cpv:7") == {"forest", "printing"}
