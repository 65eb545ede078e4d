"""Open tenders per CPV prefix: one grouped query that counts what the search's cpv: filter
finds (open now, each duplicate group once, hidden ones left out)."""

from __future__ import annotations

import pytest
import time_machine

from aggregator.normalize import cpv
from aggregator.query import Filter, count
from aggregator.query.cpv_counts import open_tender_counts
from aggregator.store.flags import set_flags
from tests.factories import NOW, item, write
from tests.query.plans import sqlite_plans

ITEMS = [
    # open until April, the code with its check digit as TED writes it
    item("wiring", deadline_at="2026-04-10T12:00:00+02:00", cpv=["45311000-0"],
         match_keys=["proc:wiring"]),
    # the same procedure on TED: one group, counted once
    item("wiring-ted", source="ted", deadline_at="2026-04-10T12:00:00+02:00",
         cpv=["45311000"], match_keys=["proc:wiring"]),
    # two codes under 4531: counted once for 4531
    item("alarm", cpv=["45312000", "45311000"]),
    item("past", deadline_at="2026-03-20T12:00:00+01:00", cpv=["45310000"]),  # closed by now
    item("closed", status="closed", cpv=["45317000"]),
    item("hidden", cpv=["45315000"]),
    item("cleaning", cpv=["90910000"]),
]
EXPECTED = {"45": 2, "453": 2, "4531": 2, "45311": 2, "45312": 1, "45315": 0, "45317": 0,
            "9091": 1, "90910000": 1, "72": 0}


@pytest.fixture
def store(engine):
    with time_machine.travel(NOW, tick=False):
        ids = write(engine, ITEMS)
    set_flags(engine, [ids["hidden"]], hidden=True)
    return ids


def test_counts_follow_the_open_rule_and_duplicate_groups(engine, store):
    assert open_tender_counts(engine, EXPECTED, now=NOW) == EXPECTED
    for prefix, expected in EXPECTED.items():  # what search kind:tender cpv:… counts
        assert count(engine, Filter(kind="tender", cpv=(prefix,)), now=NOW) == expected


def test_every_code_of_the_nomenclature_in_one_call(engine, store):
    prefixes = [c.prefix for c in cpv.nomenclature().codes.values()]
    counts = open_tender_counts(engine, prefixes, now=NOW)
    assert len(counts) == len(set(prefixes))  # more prefixes than one statement holds
    assert {p: n for p, n in counts.items() if n} == {
        "45": 2, "453": 2, "4531": 2, "45311": 2, "45312": 1, "90": 1, "909": 1, "9091": 1}


def test_a_later_clock_closes_what_passed_its_deadline(engine, store):
    later = NOW.replace(month=5)
    assert open_tender_counts(engine, ["4531", "45312", "bad", ""], now=later) == {
        "4531": 1, "45312": 1}


def test_sqlite_reads_each_prefix_by_the_code_index_alone_then_listings_by_key(sqlite_url):
    from aggregator.store.engine import get_engine

    engine = get_engine(sqlite_url)  # a fresh store: no statistics to guide the planner
    with sqlite_plans(engine, "WITH prefixes") as plans:
        open_tender_counts(engine, ["45", "4531"], now=NOW)
    (plan,) = plans
    assert "SEARCH listing_cpv USING COVERING INDEX ix_listing_cpv_code_listing" in plan
    assert "SEARCH listings USING INTEGER PRIMARY KEY" in plan
    assert "listings USING INDEX" not in plan and "SCAN listings" not in plan
