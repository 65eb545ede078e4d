"""The schema's history: Alembic from empty to head, back, and in step with the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from aggregator.store.engine import (
    alembic_config,
    create_store_engine,
    current_revision,
    head_revision,
    upgrade_schema,
)
from aggregator.store.models import Base
from aggregator.store.tables import include_name


def _drop_everything(engine) -> None:
    command.downgrade(alembic_config(engine), "base")


def test_one_linear_history(sqlite_url):
    script = ScriptDirectory.from_config(alembic_config(create_store_engine(sqlite_url)))
    assert len(script.get_heads()) == 1, "two migration heads: re-point a down_revision"


def test_upgrade_from_empty_to_head_then_down_and_up_again(store_url):
    engine = create_store_engine(store_url)
    _drop_everything(engine)
    assert current_revision(engine) is None

    upgrade_schema(engine)

    assert current_revision(engine) == head_revision(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"listings", "listing_changes", "listing_keys", "listing_cpv",
            "crawl_runs"} <= tables
    _drop_everything(engine)
    assert "listings" not in inspect(engine).get_table_names()
    upgrade_schema(engine)
    assert current_revision(engine) == head_revision(engine)


# SQLite cannot reflect the search indexes built on expressions: compared on PostgreSQL only.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_match_the_models(store_url):
    engine = create_store_engine(store_url)
    upgrade_schema(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_name": include_name, "compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_sqlite_store_uses_wal_and_foreign_keys(sqlite_url):
    engine = create_store_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_descriptors_stored_before_0009_become_searchable(store_url, clock):
    """Listings written before listing_descriptors kept their BOAMP descriptors' labels in
    ``details``: the migration copies them, so ``descriptor:`` finds them."""
    from sqlalchemy import update

    from aggregator.query import Filter, search
    from aggregator.store.models import Listing
    from tests.factories import NOW
    from tests.query.boamp_listings import store_boamp

    engine = create_store_engine(store_url)
    upgrade_schema(engine)
    ids = store_boamp(engine)
    with engine.begin() as conn:  # as 0005's writer left them: labels only, no rows
        conn.execute(update(Listing).where(Listing.id == ids["26-79589"]).values(
            details={"descriptors": ["Voirie"]}))
    command.downgrade(alembic_config(engine), "0005")
    assert "listing_descriptors" not in inspect(engine).get_table_names()
    upgrade_schema(engine)
    found = search(engine, Filter.parse("descriptor:voirie"), now=NOW)
    assert [listing.source_id for listing in found] == ["26-79589"]
    assert [listing.source_id for listing in search(
        engine, Filter.parse("descriptor:304"), now=NOW)] == ["26-79592"]
