"""Loading DECP awards, next to plain sqlite3.executemany of the same rows; then the p95 of
the buyer and supplier dossiers and of the renewal radar on that store.

    .venv/bin/python benchmarks/awards.py [--n 1000000] [--batch 500] [--keep DIR]
    .venv/bin/python benchmarks/awards.py --n 1000000 --queries-on DIR   # queries only

The records are the real DECP samples (tests/fixtures/awards, both shapes: 2019 and 2022,
flat and wrapped holders, amendments) with their identities varied: contract ids, buyers
(one per 50 contracts), suppliers (one per 10), dates, amounts, durations, CPV codes and
places. They are generated, parsed by the decp spider and normalised as a stream, batch by
batch, never all in memory: each batch goes to the real StorePipeline (batched upserts with
suppliers, history and search index) of one fresh SQLite store and, as column values, with
``sqlite3.executemany`` into the ``listings`` table of another (same schema), one commit per
batch — the baseline of benchmarks/ingest.py, measured in the same run on the same rows.

Targets (issue "Awards and buyers"): the store step at least 30% of the baseline rate; p95 of
``buyer``, ``supplier`` and ``renewals`` at most 100 ms; peak RSS at most 500 MB.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrapy.utils.test import get_crawler  # noqa: E402

from aggregator.crawling.pipelines import StorePipeline  # noqa: E402
from aggregator.normalize import normalize_listing  # noqa: E402
from aggregator.query import Filter  # noqa: E402
from aggregator.query.awards import buyer_dossier, renewals, supplier_dossier  # noqa: E402
from aggregator.store.engine import get_engine  # noqa: E402
from aggregator.store.writer import STORED_FIELDS, content_hash  # noqa: E402
from benchmarks.ingest import BenchSpider, _column  # noqa: E402
from spiders.base.json_stream import stream_records  # noqa: E402
from spiders.decp import RECORD_PREFIXES, DecpSpider, unwrap  # noqa: E402

SAMPLES = ROOT / "tests" / "fixtures" / "awards"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
CPV = ["45310000", "45261210", "71315400", "90910000", "72250000", "79111000", "15800000",
       "66514110", "45112700", "22000000", "35125300", "44316500"]
DEPARTMENTS = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B", "971", "974"]


def templates() -> list[dict]:
    """Every record of the real samples, with where it was read."""
    found = []
    for path in sorted(SAMPLES.glob("decp*.json")):
        found += [(prefix, record) for prefix, record in
                  stream_records(path.read_bytes(), RECORD_PREFIXES)]
    return found


def siret(n: int, prefix: int) -> str:
    return f"{prefix}{n:08d}00017"[:14]


def raw_records(n: int, seed: int = 11) -> Iterator[tuple[str, dict]]:
    """``n`` DECP records shaped like the samples, identities varied, deterministically."""
    rng = random.Random(seed)
    shapes = templates()
    buyers, suppliers = max(1, n // 50), max(1, n // 10)
    for i in range(n):
        prefix, template = shapes[i % len(shapes)]
        record = copy.deepcopy(template)
        record["id"] = f"B{i:08d}"
        record["acheteur"] = {"id": siret(rng.randrange(buyers), 21),
                              "nom": f"COMMUNE {rng.randrange(buyers)}"}
        holders = record.get("titulaires") or [{"typeIdentifiant": "SIRET"}]
        for entry in holders:
            holder = unwrap(entry, "titulaire")
            holder["id"] = siret(rng.randrange(suppliers), 4)
        record["titulaires"] = holders
        notified = date(2016, 1, 1) + timedelta(days=rng.randrange(3900))
        record["dateNotification"] = notified.isoformat()
        record["datePublicationDonnees"] = (notified + timedelta(days=30)).isoformat()
        record["dureeMois"] = rng.choice([1, 3, 6, 12, 24, 36, 48, 60])
        record["montant"] = rng.randrange(4, 5000) * 1000
        record["codeCPV"] = rng.choice(CPV)
        record["offresRecues"] = rng.choice([None, 1, 1, 2, 3, 5])
        record["lieuExecution"] = {"code": rng.choice(DEPARTMENTS), "typeCode": "Code département"}
        yield prefix, record


def batches(n: int, size: int) -> Iterator[list[dict]]:
    spider = DecpSpider()
    batch = []
    for prefix, record in raw_records(n):
        item = spider.parse_record(record, "https://decp.example.invalid/bench.json", prefix)
        batch.append(normalize_listing(item, crawled_at=NOW) | {"scope": None, "amends": False})
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def baseline_insert(conn: sqlite3.Connection, records: list[dict], now: datetime) -> float:
    columns = [*STORED_FIELDS, "content_hash", "first_seen_at", "last_seen_at", "updated_at",
               "missed_crawls", "starred", "hidden"]
    rows = [tuple(_column(v) for v in (*(r.get(f) for f in STORED_FIELDS), content_hash(r),
                                       now, now, now, 0, False, False)) for r in records]
    sql = (f"INSERT INTO listings ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    started = time.perf_counter()
    conn.executemany(sql, rows)
    conn.commit()
    return time.perf_counter() - started


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] * 1000


def timed(calls: list) -> list[float]:
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def query_times(url: str, n: int, count: int) -> dict[str, list[float]]:
    """Times of ``buyer``, ``supplier`` and ``renewals`` (each renewals query apart too) on
    the store of ``n`` awards at ``url``."""
    engine = get_engine(url)
    rng = random.Random(3)
    buyers = [siret(rng.randrange(max(1, n // 50)), 21) for _ in range(count)]
    suppliers = [siret(rng.randrange(max(1, n // 10)), 4) for _ in range(count)]
    queries = [Filter.parse(text, limit=50) for text in (
        "", "dep:59", "cpv:45", "dep:13 cpv:45", "bâtiment", "dep:75 cpv:72")]
    timings = {"buyer": timed([lambda b=b: buyer_dossier(engine, b, NOW) for b in buyers]),
               "supplier": timed([lambda s=s: supplier_dossier(engine, s, NOW)
                                  for s in suppliers])}
    by_query = {f"  renewals {str(q) or '(all)'}": timed(
        [lambda q=q: renewals(engine, q, timedelta(days=365), NOW)
         for _ in range(count // len(queries))]) for q in queries}
    timings["renewals"] = [t for times in by_query.values() for t in times]
    return timings | by_query


def print_query_times(timings: dict[str, list[float]]) -> float:
    """The table of p95 and medians; returns the worst p95 of the three commands."""
    print(f"\n{'query':12} {'p95 ms':>8} {'median ms':>10}")
    for name in ("buyer", "supplier", "renewals"):
        times = timings[name]
        print(f"{name:12} {p95(times):>8.1f} {statistics.median(times) * 1000:>10.1f}")
    for name, times in timings.items():
        if name.startswith(" "):
            print(f"{name:30} p95 {p95(times):>6.1f} ms")
    return max(p95(timings[name]) for name in ("buyer", "supplier", "renewals"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="Keep the loaded store in this directory.")
    parser.add_argument("--queries-on", type=Path, metavar="DIR",
                        help="Only time the queries, on the store an earlier --keep DIR kept "
                        "(of --n awards; migrated to the current schema first).")
    options = parser.parse_args()
    if options.queries_on:
        worst = print_query_times(query_times(
            f"sqlite:///{options.queries_on}/store.sqlite3", options.n, options.queries))
        print(f"target: p95 ≤ 100 ms: {'PASS' if worst <= 100 else 'FAIL'}")
        return

    with tempfile.TemporaryDirectory() as temporary:
        scratch = options.keep or temporary
        url = f"sqlite:///{scratch}/store.sqlite3"
        get_engine(f"sqlite:///{scratch}/baseline.sqlite3")  # the same schema
        baseline = sqlite3.connect(f"{scratch}/baseline.sqlite3")
        baseline.execute("PRAGMA journal_mode=WAL")
        baseline.execute("PRAGMA synchronous=NORMAL")
        crawler = get_crawler(BenchSpider, {"DATABASE_URL": url,
                                            "STORE_BATCH_SIZE": options.batch})
        crawler.spider = crawler._create_spider()
        crawler.stats.open_spider()
        pipeline = StorePipeline.from_crawler(crawler)
        pipeline.open_spider()

        print(f"loading {options.n:,} awards…", flush=True)
        base_time = store_time = 0.0
        started = time.perf_counter()
        for done, batch in enumerate(batches(options.n, options.batch), 1):
            base_time += baseline_insert(baseline, batch, NOW)
            before = time.perf_counter()
            for record in batch:
                pipeline.process_item(record)
            store_time += time.perf_counter() - before
            if done % 200 == 0:
                print(f"  {done * options.batch:,}", flush=True)
        before = time.perf_counter()
        pipeline.close_spider()
        store_time += time.perf_counter() - before
        total = time.perf_counter() - started
        baseline.close()

        timings = query_times(url, options.n, options.queries)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base_rate, store_rate = options.n / base_time, options.n / store_time
    print(f"\n{'':40} {'awards/s':>10} {'vs baseline':>12}")
    print(f"{'baseline: sqlite3.executemany':40} {base_rate:>10,.0f} {'100%':>12}")
    print(f"{'store step (StorePipeline)':40} {store_rate:>10,.0f} {store_rate / base_rate:>12.0%}")
    print(f"{'(generate + parse + normalise + both)':40} {options.n / total:>10,.0f}")
    worst = print_query_times(timings)
    print(f"\npeak RSS {peak:,.0f} MB")
    verdict = "PASS" if store_rate >= 0.3 * base_rate and worst <= 100 and peak <= 500 \
        else "FAIL"
    print(f"targets: store ≥ 30% of baseline, p95 ≤ 100 ms, RSS ≤ 500 MB: {verdict}")
    print(json.dumps({"n": options.n, "baseline": round(base_rate), "store": round(store_rate),
                      "peak_rss_mb": round(peak)}))


if __name__ == "__main__":
    main()
