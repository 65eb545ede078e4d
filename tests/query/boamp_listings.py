"""The two real BOAMP notices of tests/fixtures (PROVENANCE.md), parsed by the BOAMP spider
and stored the way a crawl stores them: 26-79589 (bitumen for roads, Haute-Vienne, CPV
44113310, BOAMP descriptor "Voirie") and 26-79592 (school-style meals in Pontoise, CPV
55521200, descriptors "Prestations de services", "Repas, traiteur")."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from spiders.boamp import BoampSpider
from tests.factories import write
from tests.sites import fixture
from tests.spiders.support import make_spider, response, split

_URL = ("https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp/"
        "records")


def boamp_items() -> list[dict[str, Any]]:
    spider = make_spider(BoampSpider)
    spider.days = [date(2026, 8, 12)]
    body = fixture("tenders/boamp_explore_v21_records_recent_first2.json")
    meta = {"day_index": 0, "offset": 0, "descending": True, "total": None, "limit": 100}
    items, _ = split(spider.parse_page(response(_URL, body, meta)))
    return [dict(i) for i in items]


def store_boamp(engine: Any) -> dict[str, int]:
    """Store both notices (open at the suite's frozen NOW); source_id → listing id."""
    return write(engine, boamp_items())


def records() -> list[dict[str, Any]]:
    return json.loads(fixture("tenders/boamp_explore_v21_records_recent_first2.json"))["results"]
