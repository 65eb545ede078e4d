"""Duplicate job offers across sources: precision and recall of the links the store makes.

    .venv/bin/python benchmarks/duplicates.py [--rounds 20] [--seed 15]

Two sets, each written through the real pipeline's last steps (normalize_listing, then
ListingWriter into a scratch SQLite store; match keys as the spiders make them), and
measured twice in the same run: with the store's rule (keys propose, job_match decides:
close dates, alike descriptions, or a shared ATS reference) and with the baseline it
replaced (any shared key links).

- **bundled fixtures**: every recorded job offer of the project's fixtures (France Travail,
  APEC, Talentsoft, the JSON-LD pages and the ATS boards), as their spiders read them. No
  offer appears in two of them, so every link is a false one.
- **generated**: each real France Travail, APEC and Talentsoft offer of the fixtures, in
  ``--rounds`` different cities, with (a) a relay by another source — employer's legal form
  added or dropped, gender marker rewritten, place written otherwise, description cut to
  40-100 % or wrapped in HTML, published 0-10 days later, sometimes without employer —,
  the true duplicate; (b) the same post reopened 60-200 days later and (c) another opening
  with the same employer, title and city at the same time but another offer's text: both
  not duplicates.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from aggregator.normalize import normalize_listing  # noqa: E402
from aggregator.store.engine import get_engine  # noqa: E402
from aggregator.store.models import Listing  # noqa: E402
from aggregator.store.writer import ListingWriter  # noqa: E402
from spiders.base.job_keys import job_match_keys  # noqa: E402
from tests.sites import fixture  # noqa: E402

NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
JOB_SPIDERS = ("francetravail", "apec", "talentsoft", "jobposting", "greenhouse", "lever",
               "smartrecruiters", "recruitee", "workable", "workday", "ashby", "breezy",
               "bamboohr", "personio", "successfactors", "teamtailor")


def fixture_items() -> list[dict]:
    """Every recorded job offer, as its spider yields it (offline, from its fake site)."""
    from aggregator.crawling.registry import spider_class
    from tests.sites.recorded import replay_for, site_for
    from tests.spiders.support import crawl, make_spider

    found = []
    logging.disable(logging.WARNING)  # the spiders' notes on withdrawn details
    for name in JOB_SPIDERS:
        replay = replay_for(name)
        spider = make_spider(spider_class(name), replay["settings"], **replay["args"])
        found.extend(dict(item) for item in crawl(spider, site_for(name)))
    logging.disable(logging.NOTSET)
    return found


def real_offers() -> list[dict]:
    """(organization, title, location, description) of the real French offers."""
    offers = []
    for name in ("francetravail_offres_search_2025-11-13_range0-149_first20.json",
                 "francetravail_offres_selected_edgecases_2025-11.json"):
        data = json.loads(fixture(f"jobs/{name}"))
        for o in data["resultats"] if isinstance(data, dict) else data:
            offers.append({"organization": (o.get("entreprise") or {}).get("nom"),
                           "title": o["intitule"], "description": o.get("description")})
    for o in json.loads(fixture("jobs/apec_developpeur_rechercheOffre.json"))["resultats"]:
        offers.append({"organization": o["nomCommercial"], "title": o["intitule"],
                       "description": o["texteOffre"]})
    for o in json.loads(fixture("jobs/talentsoft_francetravail-career_offers.json")):
        offers.append({"organization": o["organisationName"], "title": o["title"],
                       "description": f"{o['description1']}\n{o['description2']}"})
    unique = {(o["organization"], o["title"], o["description"]): o for o in offers
              if o["organization"] and o["description"]}
    return list(unique.values())


CITIES = [("75 - Paris", "Paris, France", "Paris (75)"),
          ("69 - Lyon", "Lyon, Auvergne-Rhône-Alpes", "LYON 69"),
          ("13 - Marseille", "Marseille, France", "Marseille (13)"),
          ("31 - Toulouse", "Toulouse, Occitanie, France", "TOULOUSE"),
          ("33 - Bordeaux", "Bordeaux, France", "Bordeaux (33)"),
          ("59 - Lille", "Lille, Hauts-de-France", "LILLE 59"),
          ("44 - Nantes", "Nantes, France", "Nantes (44)"),
          ("67 - Strasbourg", "Strasbourg, Grand Est, France", "Strasbourg (67)"),
          ("35 - Rennes", "Rennes, Bretagne", "RENNES"),
          ("34 - Montpellier", "Montpellier, France", "Montpellier (34)"),
          ("06 - Nice", "Nice, Provence-Alpes-Côte d'Azur", "NICE 06"),
          ("38 - Grenoble", "Grenoble, France", "Grenoble (38)"),
          ("21 - Dijon", "Dijon, France", "DIJON"), ("49 - Angers", "Angers, France", "Angers"),
          ("37 - Tours", "Tours, Centre-Val de Loire", "TOURS 37"),
          ("87 - Limoges", "Limoges, France", "Limoges (87)"),
          ("63 - Clermont-Ferrand", "Clermont-Ferrand, France", "CLERMONT-FERRAND"),
          ("76 - Rouen", "Rouen, Normandie", "Rouen (76)"),
          ("51 - Reims", "Reims, France", "REIMS 51"), ("80 - Amiens", "Amiens", "AMIENS"),
          ("29 - Brest", "Brest, Bretagne, France", "Brest (29)"),
          ("57 - Metz", "Metz, Grand Est", "METZ"), ("25 - Besançon", "Besançon", "BESANCON")]


def relayed_title(title: str, rng: random.Random) -> str:
    bare = title.replace("(H/F)", "").replace("H/F", "").replace("F/H", "").strip()
    return rng.choice([f"{bare} (F/H)", f"{bare} H/F", bare, title])


def relayed_text(text: str, rng: random.Random) -> str:
    words = text.split()
    kind = rng.random()
    if kind < 0.4:  # APEC-like: the first lines
        return " ".join(words[:max(15, int(len(words) * rng.uniform(0.4, 0.9)))]) + "..."
    if kind < 0.7:  # an ATS page: HTML paragraphs
        return "<p>" + "</p><p>".join(text.split("\n")) + "</p>"
    return text


def listing(source: str, source_id: str, values: dict) -> dict:
    """A generated listing as a spider yields it, with the spiders' match keys."""
    return {"kind": "job", "source": source, "source_id": source_id,
            "url": f"https://{source}.example/{source_id}", **values,
            "published_at": values["published_at"].isoformat(),
            "match_keys": job_match_keys(values["organization"], values["title"],
                                         values["location"], values["description"])}


def generated(rounds: int, seed: int) -> tuple[list[dict], set[frozenset[str]]]:
    """The generated listings and the true duplicate pairs (source_id pairs)."""
    rng = random.Random(seed)
    offers = real_offers()
    items, truth = [], set()
    for round_number in range(rounds):
        for index, offer in enumerate(offers):
            city = CITIES[(index + round_number) % len(CITIES)]
            when = NOW - timedelta(days=rng.randint(200, 400))
            ident = f"{round_number}-{index}"

            base = {"organization": offer["organization"], "title": offer["title"],
                    "location": city[0], "description": offer["description"],
                    "published_at": when}

            items.append(listing("francetravail", f"{ident}-a", base))
            organization = rng.choice([offer["organization"], f"{offer['organization']} SAS",
                                       offer["organization"].title(), None])
            items.append(listing(rng.choice(["apec", "talentsoft", "jobposting"]), f"{ident}-b",
                                 base | {"organization": organization,
                                         "title": relayed_title(offer["title"], rng),
                                         "location": rng.choice(city[1:]),
                                         "description": relayed_text(offer["description"], rng),
                                         "published_at": when + timedelta(
                                             days=rng.randint(0, 10))}))
            truth.add(frozenset((f"{ident}-a", f"{ident}-b")))
            if rng.random() < 0.5:  # (b) the same post reopened months later
                items.append(listing("apec", f"{ident}-c", base | {
                    "published_at": when + timedelta(days=rng.randint(60, 200))}))
            else:  # (c) another opening: same employer, title, city, another text
                other = offers[(index + rng.randint(1, len(offers) - 1)) % len(offers)]
                items.append(listing("talentsoft", f"{ident}-c", base | {
                    "description": other["description"],
                    "published_at": when + timedelta(days=rng.randint(0, 10))}))
    return items, truth


def links(items: list[dict], *, rule: bool) -> tuple[set[frozenset[str]], float]:
    """The cross-source pairs the store puts in one group, and the write time."""
    records = [normalize_listing(i, crawled_at=NOW) | {"scope": None} for i in items]
    with tempfile.TemporaryDirectory() as scratch:
        engine = get_engine(f"sqlite:///{scratch}/bench.sqlite3")
        started = time.perf_counter()
        with mock.patch("aggregator.store.writer.same_offer",
                        side_effect=None if rule else (lambda *a, **k: True)) as patched:
            if rule:
                from aggregator.normalize.job_match import same_offer

                patched.side_effect = same_offer
            writer = ListingWriter(engine)
            for start in range(0, len(records), 500):
                writer.write(records[start:start + 500], now=NOW)
        elapsed = time.perf_counter() - started
        with engine.connect() as conn:
            rows = conn.execute(select(Listing.id, Listing.source, Listing.source_id,
                                       Listing.duplicate_of)).all()
        engine.dispose()
    groups: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        groups.setdefault(row.duplicate_of or row.id, []).append((row.source, row.source_id))
    pairs = {frozenset((a[1], b[1])) for members in groups.values()
             for a, b in combinations(members, 2) if a[0] != b[0]}
    return pairs, elapsed


def scores(found: set[frozenset[str]], truth: set[frozenset[str]]) -> Iterator[str]:
    right = len(found & truth)
    precision = right / len(found) if found else 1.0
    recall = right / len(truth) if truth else 1.0
    yield f"links {len(found):5d}  right {right:5d}  precision {precision:.3f}"
    yield f"recall {recall:.3f}" if truth else "recall n/a (no true pair)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    sets = [("bundled fixtures", fixture_items(), set()),
            ("generated", *generated(args.rounds, args.seed))]
    for label, items, truth in sets:
        print(f"{label}: {len(items)} listings, {len(truth)} true duplicate pairs")
        for rule, name in ((False, "baseline: any shared key"),
                           (True, "keys + dates + MinHash (store)")):
            found, elapsed = links(items, rule=rule)
            print(f"  {name:32s} " + "  ".join(scores(found, truth))
                  + f"  ({elapsed:.2f} s to write)")


if __name__ == "__main__":
    main()
