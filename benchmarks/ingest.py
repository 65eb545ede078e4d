"""Ingest rate of the store pipeline, next to plain sqlite3.executemany of the same rows.

    .venv/bin/python benchmarks/ingest.py [--n 200000] [--batch 500]

Synthetic but realistic listings (jobs and tenders across every department, French titles,
descriptions of a few hundred words, raw payloads of about 1 KB) go through the real
StorePipeline (batched upserts with history and search index) into a fresh SQLite store.
The baseline inserts the very same rows, already converted to column values, with
``sqlite3.executemany`` into the same ``listings`` table (same indexes), one commit per batch.

Targets (issue "Foundation"): the store step reaches at least 30% of the baseline rate, and
re-ingesting the same unchanged items is at least as fast as the first time.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler

from aggregator.crawling.pipelines import StorePipeline
from aggregator.normalize import normalize_listing
from aggregator.store.engine import get_engine
from aggregator.store.writer import STORED_FIELDS, content_hash

WORDS = (
    'travaux', 'électricité', 'maintenance', 'bâtiment', 'réseau', 'voirie', 'nettoyage',
    'fourniture', 'services', 'informatique', 'développement', 'logiciel', 'chef', 'projet',
    'ingénieur', 'technicien', 'accord-cadre', 'marché', 'public', 'lot', 'commune',
    'département', 'région', 'rénovation', 'énergétique', 'chauffage', 'plomberie',
    'menuiserie', 'peinture', 'espaces', 'verts', 'restauration', 'scolaire', 'transport',
    'assistance', 'maîtrise', "d'ouvrage", 'conseil', 'formation', 'sécurité', 'gardiennage',
)
CITIES = [("Marseille", "13001"), ("Lyon", "69003"), ("Paris", "75011"), ("Toulouse", "31000"),
          ("Nantes", "44000"), ("Lille", "59000"), ("Bordeaux", "33000"), ("Ajaccio", "20000"),
          ("Roissy-en-France", "95700"), ("Pointe-à-Pitre", "97110"), ("Rennes", "35000")]
CONTRACTS = ["CDI", "CDD", "MIS", "LIB", "Stage", "Alternance", "Full-time"]
BASE = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def raw_items(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        city, postal = rng.choice(CITIES)
        published = BASE + timedelta(minutes=i)
        tender = i % 2 == 0
        item = {
            "kind": "tender" if tender else "job",
            "source": "boamp" if tender else "francetravail",
            "source_id": f"26-{i:07d}",
            "url": f"https://example.org/listing/{i}",
            "title": sentence(rng, 9).capitalize(),
            "organization": f"{sentence(rng, 2).title()} {city}",
            "description": "<p>" + sentence(rng, rng.randint(60, 220)) + "</p>",
            "published_at": published.isoformat(),
            "deadline_at": (published + timedelta(days=rng.randint(10, 60))).isoformat(),
            "location": f"{postal[:2]} - {city}",
            "postal_code": postal,
            "raw": {"id": i, "intitule": sentence(rng, 9), "texte": sentence(rng, 120),
                    "lieu": {"libelle": city, "codePostal": postal}},
        }
        if tender:
            item["cpv"] = [rng.choice(["45310000", "45000000", "71000000", "90910000"])]
            item["estimated_value"] = rng.randint(10, 5000) * 1000
        else:
            item["contract_type"] = rng.choice(CONTRACTS)
            item["salary"] = f"Mensuel de {rng.randint(1800, 4000)}.0 Euros sur 12.0 mois"
        items.append(item)
    return items


class BenchSpider(Spider):
    name = "bench"


def store_rate(records: list[dict], url: str, batch: int) -> float:
    crawler = get_crawler(BenchSpider, {"DATABASE_URL": url, "STORE_BATCH_SIZE": batch})
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    started = time.perf_counter()
    for record in records:
        pipeline.process_item(dict(record))
    pipeline.close_spider()
    return len(records) / (time.perf_counter() - started)


def _column(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def baseline_rate(records: list[dict], path: Path, batch: int) -> float:
    """sqlite3.executemany of the same rows into the same listings table."""
    get_engine(f"sqlite:///{path}")  # the same schema, by the same migrations
    now = datetime.now(UTC)
    columns = [*STORED_FIELDS, "content_hash", "first_seen_at", "last_seen_at", "updated_at",
               "missed_crawls", "starred", "hidden"]
    rows = [tuple(_column(v) for v in (*(r.get(f) for f in STORED_FIELDS), content_hash(r),
                                       now, now, now, 0, False, False)) for r in records]
    sql = (f"INSERT INTO listings ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        conn.executemany(sql, rows[start:start + batch])
        conn.commit()
    rate = len(rows) / (time.perf_counter() - started)
    conn.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    options = parser.parse_args()

    print(f"preparing {options.n:,} listings…", flush=True)
    crawled = BASE + timedelta(days=1)
    started = time.perf_counter()
    records = [normalize_listing(item, crawled_at=crawled) | {"scope": None}
               for item in raw_items(options.n)]
    normalize_rate = options.n / (time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as scratch:
        base = baseline_rate(records, Path(scratch) / "baseline.sqlite3", options.batch)
        url = f"sqlite:///{scratch}/store.sqlite3"
        first = store_rate(records, url, options.batch)
        again = store_rate(records, url, options.batch)

    print(f"\n{'':38} {'items/s':>10} {'vs baseline':>12}")
    print(f"{'baseline: sqlite3.executemany':38} {base:>10,.0f} {'100%':>12}")
    print(f"{'store step, new listings':38} {first:>10,.0f} {first / base:>12.0%}")
    print(f"{'store step, same listings again':38} {again:>10,.0f} {again / base:>12.0%}")
    print(f"{'(normalise step, for reference)':38} {normalize_rate:>10,.0f}")
    verdict = "PASS" if first >= 0.3 * base and again >= first else "FAIL"
    print(f"\ntargets: new ≥ 30% of baseline, unchanged ≥ new: {verdict}")


if __name__ == "__main__":
    main()
