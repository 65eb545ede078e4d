"""Throughput of place resolution and date parsing, next to a plain baseline.

    .venv/bin/python benchmarks/normalize.py [--n 100000] [--repeat 3]

Places: ``n`` realistic location strings, drawn with a fixed seed: communes weighted by
population in the forms sources write them (France Travail ``95 - ROISSY-EN-FRANCE``,
``Paris (75)``, ``13001 Marseille``, bare names, ``Lyon, France``), department codes and
names, regions, NUTS codes, foreign ``City, Country`` strings and remote-work words. They
repeat as real listings do (big cities often), which the resolver's LRU cache exploits; the
"uncached" line calls the resolver underneath the cache for every string, the worst case.
Baseline: a dict lookup of the same strings in a precomputed table.

Dates: ``n`` strings in the formats the fast paths cover (ISO 8601 with ``Z``, offsets and
milliseconds, dates alone, TED dates with an offset, ``30/06/2023``, ``30/06/2023 à 12h00``,
``30 juin 2023 à 12h00``, ``le 6 juin 2023``). Baseline: ``datetime.fromisoformat`` on the
same instants written in ISO 8601.

Targets (issue "Normalisation"): >= 50,000 places/s and >= 50,000 dates/s on one core.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aggregator.normalize import parse_datetime, resolve_place
from aggregator.normalize.geography import geography
from aggregator.normalize.places import _resolve, clear_cache

TARGET = 50_000
FOREIGN = ["Bruxelles, Belgique", "London, Greater London, United Kingdom", "Berlin, Germany",
           "Chicago, IL", "Remote, United States", "Krakow, Poland", "Genève, Suisse",
           "Luxembourg, Luxembourg", "Madrid, Spain", "Amsterdam, Netherlands"]
REMOTE = ["Télétravail", "Remote", "100% remote", "Full remote", "Télétravail partiel - Lyon"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def place_strings(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    geo = geography()
    communes = [c for c in geo.communes.values() if not c.parent and c.postal_codes]
    weights = [max(c.population, 1) ** 0.7 for c in communes]  # big cities, but not only
    departments = list(geo.departments.values())
    regions = list(geo.regions.values())
    nuts = [code for code in geo.nuts if len(code) == 5]
    picks = rng.choices(communes, weights, k=n)
    out = []
    for commune in picks:
        form = rng.random()
        name = commune.name.upper() if rng.random() < 0.5 else commune.name
        if form < 0.35:
            out.append(f"{commune.department} - {name}")
        elif form < 0.45:
            out.append(f"{commune.name} ({commune.department})")
        elif form < 0.55:
            out.append(f"{commune.postal_codes[0]} {commune.name}")
        elif form < 0.65:
            out.append(name)
        elif form < 0.70:
            out.append(f"{commune.name}, France")
        elif form < 0.75:
            out.append(commune.postal_codes[0])
        elif form < 0.80:
            dept = rng.choice(departments)
            out.append(dept.code if rng.random() < 0.5 else dept.name)
        elif form < 0.84:
            out.append(rng.choice(regions).name)
        elif form < 0.88:
            out.append(rng.choice(nuts))
        elif form < 0.96:
            out.append(rng.choice(FOREIGN))
        else:
            out.append(rng.choice(REMOTE))
    return out


def date_strings(n: int, seed: int = 12) -> tuple[list[str], list[str]]:
    """(strings in mixed formats, the same instants in ISO 8601 for the baseline)."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    mixed, iso = [], []
    for _ in range(n):
        dt = start + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        form = rng.random()
        if form < 0.25:
            text = dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        elif form < 0.45:
            text = dt.isoformat()
        elif form < 0.55:
            text = dt.date().isoformat()
        elif form < 0.65:
            text = dt.date().isoformat() + "+02:00"
        elif form < 0.78:
            text = dt.strftime("%d/%m/%Y")
        elif form < 0.88:
            text = dt.strftime("%d/%m/%Y à %Hh%M")
        elif form < 0.95:
            text = f"{dt.day} {MONTHS[dt.month - 1]} {dt.year} à {dt.hour}h{dt.minute:02d}"
        else:
            text = f"le {dt.day} {MONTHS[dt.month - 1]} {dt.year}"
        mixed.append(text)
        iso.append(dt.isoformat())
    return mixed, iso


def rate(label: str, items: list, call: Callable[[object], object], repeat: int,
         before: Callable[[], None] | None = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        for item in items:
            call(item)
        best = min(best, time.perf_counter() - started)
    per_second = len(items) / best
    print(f"  {label:<44} {per_second:>12,.0f} /s   ({best * 1000:8.1f} ms)")
    return per_second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    geography()
    print(f"geography loaded in {(time.perf_counter() - started) * 1000:.0f} ms (first call)")

    places = place_strings(args.n)
    table = {s: resolve_place(s) for s in set(places)}
    print(f"\nplaces: {len(places):,} strings, {len(table):,} distinct")
    baseline = rate("baseline: dict lookup", places, table.get, args.repeat)
    cached = rate("resolve_place (LRU cache cleared each run)", places, resolve_place,
                  args.repeat, before=clear_cache)
    uncached = rate("resolve_place, uncached (worst case)", places,
                    lambda s: _resolve.__wrapped__(s, None, "FR", None, None), args.repeat)
    resolved = sum(1 for p in table.values() if p.kind != "unknown")
    print(f"  resolved {resolved:,} of {len(table):,} distinct strings; "
          f"{cached / baseline:.1%} of the baseline rate")

    mixed, iso = date_strings(args.n)
    print(f"\ndates: {len(mixed):,} strings")
    base_rate = rate("baseline: datetime.fromisoformat (ISO only)", iso, datetime.fromisoformat,
                     args.repeat)
    dates = rate("parse_datetime (mixed ISO/French formats)", mixed, parse_datetime,
                 args.repeat)
    iso_rate = rate("parse_datetime (the same instants in ISO)", iso, parse_datetime,
                    args.repeat)
    failed = sum(1 for s in mixed if parse_datetime(s) is None)
    print(f"  unreadable: {failed}; {dates / base_rate:.1%} of the baseline rate")

    ok = cached >= TARGET and uncached >= TARGET and dates >= TARGET and iso_rate >= TARGET
    print(f"\ntarget >= {TARGET:,}/s for places and dates: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
