"""Copying a whole store into another database (aggregator.store.copy): a SQLite store
filled the way the application fills it goes into PostgreSQL (and into SQLite) with every
row of every table, searches the same, hands out fresh ids afterwards; what the target would
refuse is named before anything is written, and the checks do catch a differing copy."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise

import pytest
import time_machine
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.engine import make_url

from aggregator.mail.alerts import add_alert
from aggregator.query import Filter, listing_groups, search
from aggregator.store.copy import (
    SKIPPED_TABLES,
    CopyError,
    _sample_keys,
    copied_tables,
    copy_store,
    iter_problems,
    verify_copy,
)
from aggregator.store.engine import create_store_engine, get_engine
from aggregator.store.models import AlertSent, Base, Listing
from aggregator.store.runs import start_run
from aggregator.store.search_index import check
from tests.factories import NOW, item, write
from tests.store.filled_store import BULK, filled_sqlite, scratch_postgres

FILTERS = ["", "status:all", "électricité", "electricite dep:13", '"groupe scolaire"',
           "nettoyage lyon", "kind:job", "cpv:45", "dep:06 status:all", "starred:yes",
           "sort:published"]


@pytest.fixture(scope="module")
def source_url(tmp_path_factory) -> str:
    """One filled SQLite store for the module (the tests only read it)."""
    return filled_sqlite(tmp_path_factory.mktemp("copy-source"))


@pytest.fixture
def empty_postgres(request) -> Iterator[str]:
    with scratch_postgres(request.getfixturevalue("postgres_url")) as url:  # skips without PG
        yield url


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def target_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/target.sqlite3"
    return request.getfixturevalue("empty_postgres")


@pytest.fixture
def copied(source_url, target_url):
    """The source copied into the target in batches of 100 (several per table)."""
    target = create_store_engine(target_url)
    report = copy_store(get_engine(source_url), target, batch=100)
    target.dispose()
    return report


def dump(engine: Engine, table) -> list[tuple]:
    """Every row, in key order, as the models read it (aware UTC instants, JSON values)."""
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(table).order_by(*table.primary_key.columns))]


def test_every_row_of_every_table_arrives_unchanged(source_url, target_url, copied):
    source, target = get_engine(source_url), get_engine(target_url)
    assert copied.verification.ok, list(iter_problems(copied.verification))
    for table in copied_tables():
        rows = dump(source, table)
        assert rows, f"the filled store has no {table.name} rows: the test proves nothing"
        assert dump(target, table) == rows, table.name
        assert copied.copied[table.name] == len(rows)
    # the scheduler lock of a process running on the source does not come along
    with target.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(text("scheduler_locks"))) == 0
        # SQL NULL and JSON null stay apart; binary and floats exactly as they were
        assert conn.scalar(select(func.count()).select_from(Listing)
                           .where(Listing.raw.is_(None))) == 1
    checks = {c.name: c for c in copied.verification.tables}
    assert checks["listings"].sampled >= 200 and checks["listings"].source_rows == BULK + 8
    assert checks["scheduler_locks"].skipped and checks["scheduler_locks"].source_rows == 1
    assert set(SKIPPED_TABLES) | {t.name for t in copied_tables()} == set(
        Base.metadata.tables)


def test_duplicate_links_survive_in_both_directions(source_url, target_url, copied):
    def links(engine):
        with engine.connect() as conn:
            dup = Listing.__table__.alias()
            return sorted(conn.execute(
                select(Listing.source_id, dup.c.source_id)
                .join(dup, dup.c.id == Listing.duplicate_of)).all())

    expected = links(get_engine(source_url))
    assert ("elec-13e-ted", "elec-13e") in expected and ("b-00002", "elec-13e-ocds") in expected
    assert links(get_engine(target_url)) == expected
    with get_engine(target_url).connect() as conn:
        ted = conn.scalar(select(Listing.id).where(Listing.source_id == "elec-13e-ted"))
    (group,) = listing_groups(get_engine(target_url), [ted]).values()
    assert [(m.source, m.source_id) for m in group] == [
        ("boamp", "elec-13e"), ("ted", "elec-13e-ted"), ("ocds", "elec-13e-ocds")]


def test_search_on_the_copy_finds_the_same_listings(source_url, target_url, copied):
    with time_machine.travel(NOW, tick=False):
        for text_filter in FILTERS:
            expected = [(r.id, r.source_id) for r in search(get_engine(source_url),
                                                           Filter.parse(text_filter))]
            assert expected, f"{text_filter!r} finds nothing: the check proves nothing"
            found = [(r.id, r.source_id) for r in search(get_engine(target_url),
                                                        Filter.parse(text_filter))]
            assert found == expected, text_filter
    with get_engine(target_url).connect() as conn:
        assert check(conn)


def test_new_rows_on_the_copy_get_fresh_ids(source_url, target_url, copied):
    target = get_engine(target_url)
    with target.connect() as conn:
        last_listing = conn.scalar(select(func.max(Listing.id)))
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        ids = write(target, [item("after-copy", title="Écrit après la copie")],
                    now=NOW + timedelta(days=1))
        run_id = start_run(target, "boamp")
        alert = add_alert(target, "after", "peinture", "d@example.fr")
    assert ids["after-copy"] == last_listing + 1
    assert run_id == 9 and alert.id == 3
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert [r.source_id for r in search(target, Filter.parse("ecrit apres"))] == [
            "after-copy"]


def test_a_target_holding_data_is_refused_unless_replaced(source_url, target_url, copied):
    source, target = get_engine(source_url), create_store_engine(target_url)
    with target.begin() as conn:  # someone used the target meanwhile
        conn.execute(update(Listing).where(Listing.source_id == "aix").values(title="Changé"))
    with pytest.raises(CopyError, match=r"not empty: .*listings \(1,207 rows\).*--replace"):
        copy_store(source, target)
    report = copy_store(source, target, replace=True)
    assert report.verification.ok, list(iter_problems(report.verification))
    assert dump(get_engine(target_url), Listing.__table__) == dump(source, Listing.__table__)
    target.dispose()


def test_the_checks_catch_a_copy_that_differs(source_url, target_url, copied):
    target = create_store_engine(target_url)
    with target.begin() as conn:
        deadline = conn.scalar(select(Listing.deadline_at).where(Listing.source_id == "nice"))
        conn.execute(update(Listing).where(Listing.source_id == "nice")
                     .values(deadline_at=deadline + timedelta(seconds=1)))
        conn.execute(update(Listing).where(Listing.source_id == "paris11")
                     .values(details={"salary_text": "changed"}))
        conn.execute(AlertSent.__table__.delete().where(AlertSent.alert_id == 2))
    with get_engine(source_url).connect() as source:
        verification = verify_copy(source, target, sample=5000)  # every row
    target.dispose()
    problems = list(iter_problems(verification))
    assert not verification.ok
    assert any(p.startswith("listings row ") and p.endswith(": deadline_at") for p in problems)
    assert any(p.startswith("listings row ") and p.endswith(": details") for p in problems)
    assert "alert_sent: 5 rows in the source, 4 in the target" in problems
    assert any(p.startswith("alert_sent row 2/") and "missing" in p for p in problems)


def test_the_sample_is_spread_over_the_whole_key_range(source_url):
    with get_engine(source_url).connect() as conn:
        ids = [k for (k,) in conn.execute(select(Listing.id).order_by(Listing.id))]
        keys = [k for (k,) in _sample_keys(conn, Listing.__table__, 200)]
        pairs = _sample_keys(conn, Base.metadata.tables["listing_cpv"], 50)
    assert keys[0] == ids[0] and keys[-1] == ids[-1]
    assert 200 <= len(keys) <= 202
    gaps = {b - a for a, b in pairwise(keys)}
    assert gaps == {6}  # every 6th of 1207 rows
    assert 50 <= len(pairs) <= 52 and all(len(p) == 2 for p in pairs)


def test_copy_back_from_postgresql_to_sqlite_round_trips(source_url, empty_postgres, tmp_path):
    source = get_engine(source_url)
    copy_store(source, create_store_engine(empty_postgres))
    back_url = f"sqlite:///{tmp_path}/back.sqlite3"
    report = copy_store(create_store_engine(empty_postgres), create_store_engine(back_url))
    assert report.verification.ok, list(iter_problems(report.verification))
    for table in copied_tables():
        assert dump(get_engine(back_url), table) == dump(source, table), table.name
    with time_machine.travel(NOW, tick=False):
        assert ([r.id for r in search(get_engine(back_url), Filter.parse("électricité"))]
                == [r.id for r in search(source, Filter.parse("électricité"))])


def _raw_sqlite(url: str, *statements: str) -> None:
    """Write the way an old or foreign tool might: no foreign key checks, no length limits."""
    conn = sqlite3.connect(make_url(url).database)
    conn.execute("PRAGMA foreign_keys=OFF")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _small_store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/small.sqlite3"
    with time_machine.travel(NOW, tick=False):
        write(get_engine(url), [item("a", title="Peinture"), item("b", title="Voirie")])
    return url


def _row_count(url: str) -> int:
    with create_store_engine(url).connect() as conn:
        return sum(conn.scalar(select(func.count()).select_from(t))
                   for t in Base.metadata.sorted_tables)


def test_rows_the_target_would_refuse_are_named_before_anything_is_written(
        tmp_path, empty_postgres):
    url = _small_store(tmp_path)
    _raw_sqlite(url,
                "INSERT INTO listing_changes (listing_id, run_id, changed_at, field) "
                "VALUES (1, 99, '2026-03-27 09:00:00', 'title')",
                f"UPDATE listings SET city = '{'x' * 130}' WHERE source_id = 'b'")
    with pytest.raises(CopyError) as error:
        copy_store(get_engine(url), create_store_engine(empty_postgres))
    message = str(error.value)
    assert "listing_changes.run_id: 1 row(s) refer to a missing crawl_runs.id" in message
    assert "listings.city: values up to 130 characters, the limit is 120" in message
    assert _row_count(empty_postgres) == 0


def test_a_copy_that_fails_half_way_leaves_the_target_empty(tmp_path, empty_postgres):
    url = _small_store(tmp_path)
    # PostgreSQL text cannot hold NUL characters; SQLite takes them
    _raw_sqlite(url, "UPDATE listings SET description = 'a' || char(0) || 'b' "
                     "WHERE source_id = 'b'")
    with pytest.raises(CopyError, match=r"listings: the rows \(1,\) to \(2,\) were refused"):
        copy_store(get_engine(url), create_store_engine(empty_postgres), batch=10)
    assert _row_count(empty_postgres) == 0


def test_a_source_behind_the_head_revision_is_refused(tmp_path):
    from alembic import command

    from aggregator.store.engine import alembic_config

    url = f"sqlite:///{tmp_path}/old.sqlite3"
    old = create_store_engine(url)
    command.upgrade(alembic_config(old), "0003")
    with pytest.raises(CopyError, match="revision 0003, not at the head"):
        copy_store(old, create_store_engine(f"sqlite:///{tmp_path}/new.sqlite3"))
