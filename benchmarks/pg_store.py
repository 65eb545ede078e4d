"""A PostgreSQL copy of a benchmark's SQLite store, loaded with COPY (the store's own
writer would take an hour at a million listings), then indexed and analysed.

    from pg_store import load_postgres
    url = load_postgres(sqlite_path, "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

# the tables a benchmark store fills, parents first
TABLES = ("listings", "listing_cpv", "listing_keys")


def _admin(url: str) -> tuple[Any, str]:
    """A connection to the server's ``postgres`` database, and the name of ``url``'s."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    return (psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True),
            str(parsed.database))


def database_exists(url: str) -> bool:
    conn, name = _admin(url)
    with conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)
                            ).fetchone() is not None


def _create_database(url: str) -> None:
    conn, name = _admin(url)
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def load_postgres(sqlite_path: Path, url: str) -> float:
    """Recreate the database of ``url`` at the schema's head and COPY every row of the SQLite
    store into it; returns the seconds it took."""
    from sqlalchemy import Boolean

    from aggregator.store.engine import get_engine
    from aggregator.store.models import Base
    from aggregator.store.search_index import optimize, rebuild

    _create_database(url)
    engine = get_engine(url)
    started = time.perf_counter()
    source = sqlite3.connect(sqlite_path)
    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute("SET LOCAL timezone = 'UTC'")  # SQLite holds naive UTC instants
        for name in TABLES:
            columns = [c for c in Base.metadata.tables[name].columns]
            names = ", ".join(f'"{c.name}"' for c in columns)
            booleans = [i for i, c in enumerate(columns) if isinstance(c.type, Boolean)]
            with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {names} FROM {name}"):
                    if booleans:
                        row = list(row)
                        for i in booleans:
                            row[i] = None if row[i] is None else bool(row[i])
                    copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('listings', 'id'), "
                       "(SELECT max(id) FROM listings))")
        rebuild(conn)
    with engine.begin() as conn:
        optimize(conn)
        conn.exec_driver_sql("ANALYZE")
    source.close()
    return time.perf_counter() - started
