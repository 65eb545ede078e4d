"""Ingest rate of the store pipeline on SQLite and on PostgreSQL, side by side.

    .venv/bin/python benchmarks/ingest_backends.py [--n 50000] [--batch 500] [--copy]
        [--writers 1,2,4] [--postgres URL]

The same synthetic listings as benchmarks/ingest.py (jobs and tenders, French text, ~1 KB raw
payloads), normalised once, go through the real StorePipeline (batched upserts, history,
full-text index) into a fresh SQLite file and into a scratch PostgreSQL database created on
127.0.0.1:5432 for the run and dropped after it (``--postgres`` or
AGGREGATOR_BENCH_POSTGRES_URL: a URL of that server whose user may create databases; the
scratch databases are named after its database, ``<name>_<random>``). Each store is written
twice: new listings, then the same listings again (unchanged: only last_seen_at is touched).
The writer keeps PostgreSQL's statistics fresh while a table grows
(ListingWriter._keep_statistics).
``--copy`` also times `aggregator db copy` of the filled SQLite store into PostgreSQL.

The first table is one writer process. ``--writers`` then measures 1, 2, 4… processes
writing disjoint shares of the same listings at once into a fresh store of each backend
(several crawls or workers at once): SQLite serialises them on its single write lock,
PostgreSQL does not (new listings reach it through one binary COPY, the tsvectors of a
large batch's tail computed meanwhile by a second backend).
benchmarks/distributed.py imports :func:`measure` and :func:`lines`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from aggregator.normalize import normalize_listing  # noqa: E402
from benchmarks.ingest import BASE, raw_items, store_rate  # noqa: E402

POSTGRES_URL = os.environ.get("AGGREGATOR_BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/aggregator_bench")


@dataclass
class BackendRates:
    """Items per second through the store step; ``None`` where PostgreSQL was unreachable."""

    n: int
    sqlite_new: float
    sqlite_again: float
    postgres_new: float | None = None
    postgres_again: float | None = None
    postgres_problem: str | None = None
    copy_seconds: float | None = None  # `db copy` of the SQLite store into PostgreSQL


@contextmanager
def scratch_database(server_url: str = POSTGRES_URL) -> Iterator[str]:
    """A PostgreSQL database for one measurement, named after ``server_url``'s, dropped
    afterwards. Created from the server's ``postgres`` database (``server_url``'s need not
    exist)."""
    given = make_url(server_url)
    admin = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"{given.database}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = given.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from aggregator.store.engine import _ready_engine

        _ready_engine.cache_clear()  # the pipeline's cached engines hold connections to it
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(n: int = 50_000, batch: int = 500, *, server_url: str = POSTGRES_URL,
            copy: bool = False) -> BackendRates:
    records = [normalize_listing(item, crawled_at=BASE + timedelta(days=1)) | {"scope": None}
               for item in raw_items(n)]
    with tempfile.TemporaryDirectory() as scratch:
        sqlite_url = f"sqlite:///{scratch}/store.sqlite3"
        rates = BackendRates(n, store_rate(records, sqlite_url, batch),
                             store_rate(records, sqlite_url, batch))
        try:
            with scratch_database(server_url) as url:
                rates.postgres_new = store_rate(records, url, batch)
                rates.postgres_again = store_rate(records, url, batch)
            if copy:
                rates.copy_seconds = _copy_seconds(sqlite_url, server_url)
        except Exception as exc:  # no server: the SQLite figures still stand
            rates.postgres_problem = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return rates


def _copy_seconds(sqlite_url: str, server_url: str) -> float:
    from aggregator.store.copy import copy_store, iter_problems
    from aggregator.store.engine import create_store_engine, get_engine

    with scratch_database(server_url) as url:
        target = create_store_engine(url)
        started = time.perf_counter()
        report = copy_store(get_engine(sqlite_url), target)
        seconds = time.perf_counter() - started
        target.dispose()
    problems = list(iter_problems(report.verification))
    if problems:
        raise RuntimeError(f"the benchmark copy differs: {problems[:3]}")
    return seconds


def _fresh_engines() -> None:
    from aggregator.store.engine import _ready_engine

    _ready_engine.cache_clear()  # a forked writer opens its own connections


def concurrent_rate(records: list[dict], url: str, batch: int, writers: int) -> float:
    """Items/s of ``writers`` processes, each writing its share of ``records`` at once."""
    import multiprocessing

    from aggregator.store.engine import get_engine

    get_engine(url).dispose()  # the schema, once, before the writers start
    _fresh_engines()
    shares = [records[i::writers] for i in range(writers)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(writers, _fresh_engines) as pool:
        pool.starmap(store_rate, [(share, url, batch) for share in shares])
    return len(records) / (time.perf_counter() - started)


def concurrency_lines(n: int, batch: int, counts: list[int],
                      server_url: str = POSTGRES_URL) -> list[str]:
    records = [normalize_listing(item, crawled_at=BASE + timedelta(days=1)) | {"scope": None}
               for item in raw_items(n)]
    out = [f"concurrent writers, {n:,} new listings shared between them, items/s in all:",
           f"{'writers':>7} {'SQLite':>12} {'PostgreSQL':>12} {'PG/SQLite':>11}"]
    for writers in counts:
        with tempfile.TemporaryDirectory() as scratch:
            lite = concurrent_rate(records, f"sqlite:///{scratch}/store.sqlite3", batch,
                                   writers)
        with scratch_database(server_url) as url:
            pg = concurrent_rate(records, url, batch, writers)
        out.append(f"{writers:>7} {lite:>12,.0f} {pg:>12,.0f} {pg / lite:>10.2f}×")
    return out


def lines(rates: BackendRates) -> list[str]:
    """The figures as a small table (printed by this script and by distributed.py)."""
    def cell(value: float | None) -> str:
        return f"{value:>12,.0f}" if value is not None else f"{'—':>12}"

    def ratio(pg: float | None, lite: float) -> str:
        return f"{pg / lite:>10.2f}×" if pg is not None else ""

    out = [f"store pipeline ingest, {rates.n:,} listings, items/s (one writer process):",
           f"{'':30} {'SQLite':>12} {'PostgreSQL':>12} {'PG/SQLite':>11}",
           f"{'new listings':30} {cell(rates.sqlite_new)} {cell(rates.postgres_new)} "
           f"{ratio(rates.postgres_new, rates.sqlite_new)}",
           f"{'same listings again':30} {cell(rates.sqlite_again)} "
           f"{cell(rates.postgres_again)} {ratio(rates.postgres_again, rates.sqlite_again)}"]
    if rates.postgres_problem:
        out.append(f"PostgreSQL not measured: {rates.postgres_problem}")
    if rates.copy_seconds is not None:
        out.append(f"`aggregator db copy` SQLite → PostgreSQL of that store (checked): "
                   f"{rates.copy_seconds:.1f} s ({rates.n / rates.copy_seconds:,.0f} "
                   "listings/s with their CPV rows, index rebuild and checks)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--copy", action="store_true",
                        help="also time `db copy` of the SQLite store into PostgreSQL")
    parser.add_argument("--writers", default="1,2,4",
                        help="concurrent writer counts to measure ('' for none)")
    parser.add_argument("--postgres", default=POSTGRES_URL,
                        help="PostgreSQL server URL; its database name prefixes the scratch "
                             "databases")
    options = parser.parse_args()
    print(f"preparing {options.n:,} listings…", flush=True)
    rates = measure(options.n, options.batch, server_url=options.postgres, copy=options.copy)
    print("\n".join(["", *lines(rates)]), flush=True)
    counts = [int(c) for c in options.writers.split(",") if c]
    if counts:
        print("\n".join(["", *concurrency_lines(options.n, options.batch, counts,
                                                 options.postgres)]))


if __name__ == "__main__":
    main()
