"""Ingest rate of the store pipeline on SQLite and on PostgreSQL, side by side.

    .venv/bin/python benchmarks/ingest_backends.py [--n 50000] [--batch 500] [--copy] [--runs 3]
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
``--runs`` repeats the one-writer measurement, SQLite and PostgreSQL in turn, and prints the
medians and ranges (the machine's other load moves single runs by ±10 %).

Below the first table, the CPU time one new listing cost: this process's (SQLite's whole
work; PostgreSQL's client side) and, when the server runs on this machine and its processes
are readable (Linux ``/proc``), the server's backends'. Their sum over the machine's cores is
the most PostgreSQL's rate can reach here however well the work overlaps.

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
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    # CPU seconds per new listing: this process's, and the server's (None: not readable)
    sqlite_cpu: float | None = None
    postgres_client_cpu: float | None = None
    postgres_server_cpu: float | None = None
    runs: list[BackendRates] = field(default_factory=list)  # each run, when more than one


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


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu(url: str) -> dict[int, float] | None:
    """CPU seconds used so far by each client backend of ``url``'s database (but the one
    asking), read from /proc: None unless the server runs on this machine and is readable."""
    import psycopg

    given = make_url(url)
    if given.host not in (None, "", "localhost", "127.0.0.1", "::1") and \
            not given.host.startswith("/"):
        return None  # a process here with a backend's pid would be another program
    with psycopg.connect(host=given.host, port=given.port, user=given.username,
                         password=given.password, dbname=given.database) as conn:
        pids = [pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")]
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    try:
        for pid in pids:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() != "postgres":
                    return None
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    except (OSError, IndexError, ValueError):
        return None
    return used


def _timed(records: list[dict], url: str, batch: int) -> tuple[float, float]:
    """store_rate's items/s, and this process's CPU seconds per item."""
    before = _process_cpu()
    rate = store_rate(records, url, batch)
    return rate, (_process_cpu() - before) / len(records)


def _measure_once(records: list[dict], batch: int, server_url: str,
                  copy: bool) -> BackendRates:
    with tempfile.TemporaryDirectory() as scratch:
        sqlite_url = f"sqlite:///{scratch}/store.sqlite3"
        sqlite_new, sqlite_cpu = _timed(records, sqlite_url, batch)
        rates = BackendRates(len(records), sqlite_new, store_rate(records, sqlite_url, batch),
                             sqlite_cpu=sqlite_cpu)
        try:
            with scratch_database(server_url) as url:
                # the pool's backends live on after the first run: their CPU from here
                server_before = _server_cpu(url)
                rates.postgres_new, rates.postgres_client_cpu = _timed(records, url, batch)
                server_after = _server_cpu(url)
                if server_before is not None and server_after is not None:
                    rates.postgres_server_cpu = sum(
                        used - server_before.get(pid, 0.0)
                        for pid, used in server_after.items()) / len(records)
                rates.postgres_again = store_rate(records, url, batch)
            if copy:
                rates.copy_seconds = _copy_seconds(sqlite_url, server_url)
        except Exception as exc:  # no server: the SQLite figures still stand
            rates.postgres_problem = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return rates


def measure(n: int = 50_000, batch: int = 500, *, server_url: str = POSTGRES_URL,
            copy: bool = False, runs: int = 1) -> BackendRates:
    """The one-writer figures; with ``runs`` > 1, each the median of that many runs (the
    median run's CPU figures), the runs kept in ``runs``."""
    records = [normalize_listing(item, crawled_at=BASE + timedelta(days=1)) | {"scope": None}
               for item in raw_items(n)]
    each = [_measure_once(records, batch, server_url, copy and i == 0) for i in range(runs)]
    if runs == 1:
        return each[0]

    def median(name: str) -> float | None:
        values = [getattr(r, name) for r in each if getattr(r, name) is not None]
        return statistics.median(values) if values else None

    typical = min(each, key=lambda r: abs(r.sqlite_new - median("sqlite_new")))
    by_pg = [r for r in each if r.postgres_new is not None]
    pg_typical = (min(by_pg, key=lambda r: abs(r.postgres_new - median("postgres_new")))
                  if by_pg else typical)
    return BackendRates(
        n, median("sqlite_new"), median("sqlite_again"), median("postgres_new"),
        median("postgres_again"), each[0].postgres_problem, each[0].copy_seconds,
        typical.sqlite_cpu, pg_typical.postgres_client_cpu, pg_typical.postgres_server_cpu,
        each)


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
    if rates.runs:
        out.append(f"(medians of {len(rates.runs)} runs; new listings, SQLite "
                   f"{_spread([r.sqlite_new for r in rates.runs])}, PostgreSQL "
                   f"{_spread([r.postgres_new for r in rates.runs])})")
    if rates.postgres_problem:
        out.append(f"PostgreSQL not measured: {rates.postgres_problem}")
    out.extend(_cpu_lines(rates))
    if rates.copy_seconds is not None:
        out.append(f"`aggregator db copy` SQLite → PostgreSQL of that store (checked): "
                   f"{rates.copy_seconds:.1f} s ({rates.n / rates.copy_seconds:,.0f} "
                   "listings/s with their CPV rows, index rebuild and checks)")
    return out


def _spread(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{min(known):,.0f}–{max(known):,.0f}" if known else "—"


def _cpu_lines(rates: BackendRates) -> list[str]:
    """CPU time per new listing, and the rate PostgreSQL's would allow on this machine."""
    if rates.sqlite_cpu is None or rates.postgres_client_cpu is None:
        return []
    client = rates.postgres_client_cpu * 1e6
    line = f"CPU per new listing: SQLite {rates.sqlite_cpu * 1e6:,.0f} µs; PostgreSQL "
    if rates.postgres_server_cpu is None:
        return [line + f"{client:,.0f} µs in this process (the server's not readable: "
                       "not on this machine)"]
    server = rates.postgres_server_cpu * 1e6
    cores = os.cpu_count() or 1
    return [line + f"{client + server:,.0f} µs ({client:,.0f} here, {server:,.0f} in the "
                   "server)",
            f"at best, all {cores} cores busy: PostgreSQL "
            f"{cores / (rates.postgres_client_cpu + rates.postgres_server_cpu):,.0f} new "
            "listings/s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--copy", action="store_true",
                        help="also time `db copy` of the SQLite store into PostgreSQL")
    parser.add_argument("--runs", type=int, default=1,
                        help="one-writer runs of each backend, in turn; prints the medians")
    parser.add_argument("--writers", default="1,2,4",
                        help="concurrent writer counts to measure ('' for none)")
    parser.add_argument("--postgres", default=POSTGRES_URL,
                        help="PostgreSQL server URL; its database name prefixes the scratch "
                             "databases")
    options = parser.parse_args()
    print(f"preparing {options.n:,} listings…", flush=True)
    rates = measure(options.n, options.batch, server_url=options.postgres, copy=options.copy,
                    runs=options.runs)
    print("\n".join(["", *lines(rates)]), flush=True)
    counts = [int(c) for c in options.writers.split(",") if c]
    if counts:
        print("\n".join(["", *concurrency_lines(options.n, options.batch, counts,
                                                 options.postgres)]))


if __name__ == "__main__":
    main()
