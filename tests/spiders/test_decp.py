"""The decp spider over the real DECP files (tests/fixtures/awards): both shapes, the
non-conforming variants, broken files, and a crawl end to end through a local server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aggregator.normalize.awards import AwardError, award_date, repair_text
from spiders.base.json_stream import stream_records
from spiders.decp import RECORD_PREFIXES, DecpSpider
from tests.sites import FIXTURES, serve
from tests.sites.decp import BASE, FILES, site
from tests.spiders.support import by_id, crawl, dropped, make_spider, normalized, store

PARIS = ZoneInfo("Europe/Paris")


def read(*names: str) -> tuple[DecpSpider, dict[str, dict]]:
    spider = make_spider(DecpSpider, urls=",".join(f"{BASE}/{n}" for n in names))
    items = crawl(spider, site())
    return spider, {k: normalized(v) for k, v in by_id(items).items()}


def test_every_record_of_every_file_is_one_award():
    for name in FILES:
        document = json.loads((FIXTURES / "awards" / name).read_bytes())
        marches = document["marches"]
        records = marches if isinstance(marches, list) else \
            [r for part in marches.values() for r in part]
        # a contract listed twice in one file (AIFE) is still one award
        contracts = {(r["acheteur"]["id"], r["id"].strip()) for r in records}
        spider, awards = read(name)
        assert len(awards) == len(contracts) > 0, name
        assert dropped(spider) == {}
        for award in awards.values():
            assert award["kind"] == "award" and award["status"] == "awarded"
            assert award["buyer_id"] and award["suppliers"] and award["title"]


# one record of each file, its fields as a user reads them (checked against the JSON by hand)
RECORDS = [
    ("decp2019_data.gouv.fr_pes_2019-04-05_excerpt.json", "20006787400012-201919007A00", {
        "organization": "CA HAGUENAU", "buyer_id": "20006787400012", "amount": 800000.0,
        "awarded_at": datetime(2019, 2, 7, tzinfo=PARIS), "duration_months": 48,
        "ends_at": datetime(2023, 2, 7, tzinfo=PARIS), "nature": "Marché",
        "procedure": "Appel d'offres ouvert", "cpv": ["71315400-3"], "city": "Haguenau",
        "department": "67", "suppliers": [{"id": "69850349700035", "id_type": "SIRET",
                                           "name": "ELECTRIFICATION INDUSTRIELLE"}]}),
    ("decp2019_e-marchespublics_2019-04-03_excerpt.json", "52323930900017-201818900", {
        "organization": "SPLM", "amount": 16392.0, "duration_months": 2,
        "awarded_at": datetime(2018, 12, 19, tzinfo=PARIS), "postal_code": "83160",
        "department": "83", "cpv": ["90650000"]}),
    ("decp2019_data.gouv.fr_aife_2019-04-04_excerpt.json", "21590392300013-2018A9FKRZH5Sn00", {
        "organization": "COMMUNE DE MAUBEUGE", "amount": 14786.0, "duration_months": 3,
        "awarded_at": None, "department": "59",
        # U+FFFD at the source: the lost letters put back (normalize/lost_letters.py)
        "title": "Mise en place et amélioration de la vidéo surveillance et de "
                 "liaison radio"}),
    ("decp2022_gip-maximilien_13001845000028_2024-02-29.json",
     "13001845000028-2024_D2F_2023S12323_33 962_01", {
         "amount": 952543.75, "duration_months": 15, "offers_received": None,
         "awarded_at": datetime(2024, 1, 2, tzinfo=PARIS), "department": "93",
         "nature": "Marché de défense ou de sécurité",
         # flat titulaires, without a name
         "suppliers": [{"id": "44090956200041", "id_type": "SIRET", "name": None}]}),
    ("decp2022_gip-maximilien_13001845000028_2024-10-06.json", "13001845000028-D2F0000402", {
        "amount": 0.0, "duration_months": 42, "nature": "Marché", "department": "75",
        "awarded_at": datetime(2019, 6, 7, tzinfo=PARIS),
        "suppliers": [{"id": "79368308700019", "id_type": "SIRET", "name": None}]}),
]


@pytest.mark.parametrize(("name", "uid", "expected"), RECORDS)
def test_a_record_reads_as_its_file_says(name, uid, expected):
    _, awards = read(name)
    award = awards[uid]
    assert {k: award[k] for k in expected} == expected


def test_an_amendment_sets_amount_and_duration_and_is_kept():
    _, awards = read("decp2019_data.gouv.fr_pes_2019-04-05_excerpt.json")
    award = awards["20006787400012-20191814101"]  # montant 238,900 → avenant 230,000
    assert award["amount"] == 230000.0
    assert award["details"]["initial"]["amount"] != 230000.0
    assert award["details"]["amendments"][0]["date"].startswith("2019-02-26")


def test_a_ten_digit_siret_is_kept_as_given():
    _, awards = read("decp2022_gip-maximilien_13001845000028_2024-10-06.json")
    ids = {s["id"] for a in awards.values() for s in a["suppliers"]}
    assert "4781914061" in ids


@pytest.mark.parametrize(("raw", "expected", "repaired"), [
    ("0218-10-29", datetime(2018, 10, 29, tzinfo=PARIS), True),
    ("2019-02-07+01:00", datetime(2019, 2, 7, tzinfo=PARIS), False),
    (None, None, False),
])
def test_award_dates_are_read_or_repaired(raw, expected, repaired):
    assert award_date(raw, "Europe/Paris") == (expected, repaired)


def test_an_unreadable_award_date_is_a_drop_reason():
    with pytest.raises(AwardError, match="unreadable awarded_at"):
        award_date("le 3 du mois", "Europe/Paris")


def test_utf8_read_as_latin1_is_repaired():
    assert repair_text("RÃ©novation de l'Ã©cole") == "Rénovation de l'école"
    assert repair_text("am\ufffdlioration") == "amélioration"


def test_records_are_read_one_at_a_time_from_both_shapes():
    body = (FIXTURES / "awards" / FILES[-1]).read_bytes()
    prefixes = {prefix for prefix, _ in stream_records(body, RECORD_PREFIXES)}
    assert prefixes == {"marches.marche.item"}


@pytest.mark.parametrize("bad", ["error.json", "truncated.json", "missing.json"])
def test_a_broken_file_is_one_counted_error_and_nothing_stored(bad):
    spider, awards = read(bad, FILES[0])
    assert dropped(spider) == {"unreadable file": 1}
    assert spider.partial
    # the good file is read whole; nothing of the broken one
    assert awards and all(a["details"]["extra"]["files"] == [f"{BASE}/{FILES[0]}"]
                          for a in awards.values())


def test_a_contract_in_several_files_is_one_award_naming_every_file(engine):
    """The buyer's file and a consolidated set republishing it, in one crawl (one batch) or
    in crawls apart: one award per contract, each naming both files, the first read first."""
    from sqlalchemy import select

    from aggregator.store.models import Listing

    own, consolidated = f"{BASE}/{FILES[0]}", f"{BASE}/consolidated/{FILES[0]}"

    def files() -> dict[str, list[str]]:
        with engine.connect() as conn:
            return {r.source_id: r.details["extra"]["files"]
                    for r in conn.execute(select(Listing.source_id, Listing.details))}

    both = crawl(make_spider(DecpSpider, urls=f"{own},{consolidated}"), site())
    store(engine, both)
    stored = files()
    assert len(stored) == len({i["source_id"] for i in both}) > 0
    assert set(map(tuple, stored.values())) == {(own, consolidated)}
    # later crawls of one file or the other add nothing and lose nothing
    for url in (consolidated, own):
        store(engine, crawl(make_spider(DecpSpider, urls=url), site()))
        assert files() == stored


def test_a_contract_read_again_later_from_another_file_adds_it(engine):
    from sqlalchemy import select

    from aggregator.store.models import Listing

    own, consolidated = f"{BASE}/{FILES[0]}", f"{BASE}/consolidated/{FILES[0]}"
    store(engine, crawl(make_spider(DecpSpider, urls=own), site()))
    store(engine, crawl(make_spider(DecpSpider, urls=consolidated), site()))
    with engine.connect() as conn:
        found = {tuple(d["extra"]["files"]) for d in conn.scalars(select(Listing.details))}
    assert found == {(own, consolidated)}


def test_a_large_file_is_read_whole():
    spider = make_spider(DecpSpider, urls=f"{BASE}/large.json")
    items = crawl(spider, site(large_copies=40), limit=10_000)
    assert len(items) == 30 * 40 and dropped(spider) == {}


@pytest.mark.slow
def test_crawl_end_to_end_stores_one_award_per_contract(sqlite_url):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from aggregator.store.engine import get_engine
    from aggregator.store.models import AwardSupplier, Listing, ListingChange
    from tests.crawl.test_crawl_command import FAST, aggregator

    with serve(site()) as base:
        urls = ",".join(f"{base}/decp/{n}" for n in (*FILES, FILES[0], "truncated.json"))
        result = aggregator("crawl", "decp", "-a", f"urls={urls}", *FAST)
    assert result.returncode == 0, result.stderr
    with Session(get_engine(sqlite_url)) as session:
        awards = list(session.scalars(select(Listing)))
        assert len(awards) == 107 and {a.kind for a in awards} == {"award"}
        assert session.scalar(select(AwardSupplier.listing_id).where(
            AwardSupplier.supplier_id == "69850349700035")) is not None
        # the amendment is in the history, dated when it was notified
        amended = session.scalar(select(Listing).where(
            Listing.source_id == "20006787400012-20191814101"))
        change = session.scalar(select(ListingChange).where(
            ListingChange.listing_id == amended.id, ListingChange.field == "amount"))
        assert (change.old_value, change.new_value) == (238900, 230000.0)
        assert change.changed_at == datetime(2019, 2, 25, 23, tzinfo=UTC)
    listed = aggregator("search", "kind:award", "buyer:20006787400012", "--json", "--limit", "100")
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(records) == 30 and all(r["buyer_id"] == "20006787400012" for r in records)
    assert {"suppliers", "amount", "awarded_at", "duration_months", "nature",
            "offers_received"} <= set(records[0])
