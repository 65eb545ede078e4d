"""OCDS spider (UK Contracts Finder) on its recorded real release package.

tests/fixtures/tenders/ocds_uk_contracts_finder_search_limit100_2022-10-20.json: 100 real
releases, newest first (29 tender, 15 tenderAmendment, 44 award, 9 awardUpdate, 3 planning).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import time_machine
from sqlalchemy import select

from aggregator.store.models import Listing as ListingRow
from aggregator.store.models import ListingChange
from spiders.ocds import OcdsSpider
from tests.sites import fixture
from tests.spiders.support import (
    fields,
    make_spider,
    normalized,
    response,
    split,
    start_requests,
    stats,
    store,
)

ENDPOINT = "https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search"
CRAWLED = datetime(2022, 10, 20, 10, 0, tzinfo=UTC)


def package() -> dict:
    return json.loads(fixture("tenders/ocds_uk_contracts_finder_search_limit100_2022-10-20.json"))


def parse(body: bytes | None = None, spider: OcdsSpider | None = None):
    spider = spider or make_spider(OcdsSpider)
    body = body or fixture("tenders/ocds_uk_contracts_finder_search_limit100_2022-10-20.json")
    items, requests = split(spider.parse_page(response(ENDPOINT, body, {"query_index": 0})))
    return spider, {i["source_id"]: i for i in items}, items, requests


def test_one_listing_per_process_from_its_latest_release():
    spider, by_ocid, items, (following,) = parse()
    assert len(items) == len(by_ocid) == 84  # 100 releases - 13 older versions - 3 planning
    counted = stats(spider)
    assert counted["aggregator/superseded"] == 13
    assert counted["aggregator/dropped/planning release"] == 3
    # links.next is followed on the configured endpoint, with its cursor
    assert following.url == (
        ENDPOINT + "?publishedTo=2022-10-20T09:43:52+01:00&limit=100&cursor=cHVibGlzaGVkVG89Mj"
        "AyMi0xMC0yMFQwOTo0Mzo1MiswMTowMHxsaW1pdD0xMDB8bmV4dEN1cnNvcj00ODA3NjE=")
    assert sum(i["status"] == "closed" for i in items) == 48  # awarded processes


def test_a_tender_release_maps_every_field():
    _, by_ocid, _, _ = parse()
    item = by_ocid["ocds-b5fd17-6cc1fffd-3481-4b95-b724-adf1be3dd1a8"]
    release = next(r for r in package()["releases"] if r["ocid"] == item["source_id"])
    assert fields(item) == {
        "kind": "tender", "source": "ocds",
        "source_id": "ocds-b5fd17-6cc1fffd-3481-4b95-b724-adf1be3dd1a8",
        "url": "https://www.contractsfinder.service.gov.uk/Notice/"
               "552c8041-de65-46f7-a75b-9f5594b99753",
        "title": "Special Educational Needs and Disabilities (SEND) Employment Pathways",
        "organization": "London Borough of Hounslow",
        "description": release["tender"]["description"],
        "published_at": "2022-10-20T09:39:52+01:00",
        "modified_at": "2022-10-20T09:39:52+01:00",
        "deadline_at": "2022-11-17T23:59:59Z",
        # the delivery address says only region "England": context, not a place text
        "location": None, "postal_code": None, "country": "United Kingdom",
        "cpv": ["73000000", "79000000"],
        "procedure": "open", "contract_nature": "services",
        "estimated_value": 30000, "currency": "GBP", "lots": [],
        "status": "open", "notice_type": "tender",
        "match_keys": ["tender:2022-11-17|london borough of hounslow|special educational "
                       "needs and disabilities send employment pathways"],
        "extra": {"release_id": "552c8041-de65-46f7-a75b-9f5594b99753-582354",
                  "procurement_method_details": "Open procedure", "region": "England"},
    }
    assert item["raw"] == release
    record = normalized(item, CRAWLED)
    assert record["deadline_at"] == datetime(2022, 11, 17, 23, 59, 59, tzinfo=UTC)
    assert (record["country"], record["department"], record["status"]) == ("GB", None, "open")


def test_an_amendment_is_applied():
    _, by_ocid, _, _ = parse()
    item = by_ocid["ocds-b5fd17-4336529a-8781-49a7-af7f-1293827c28f6"]
    # the tenderAmendment of 16:51:40 over the tender of 16:39:25 (its description changed)
    assert (item["notice_type"], item["modified_at"], item["published_at"]) == (
        "tenderAmendment", "2022-10-19T16:51:40+01:00", "2022-10-19T16:39:25+01:00")
    assert item["description"] == ("Electronic Payment Solution\r\n\r\nAdditional information:"
                                   " Is a Recurrent Procurement Type? : No")
    # the postal code and the region come from two delivery addresses
    assert (item["location"], item["postal_code"], item["country"]) == (
        None, "M22 9TA", "United Kingdom")
    assert item["extra"]["region"] == "North West"
    assert item["extra"]["release_id"] == "dfa83dfd-f16d-469e-aecd-b84ee2d0b7a7-582278"


def test_the_country_is_the_first_address_naming_one():
    """Contracts Finder lists where suppliers may be from as delivery addresses, "British
    Oversea Territories" first: the country is "United Kingdom", further down."""
    _, by_ocid, _, _ = parse()
    item = by_ocid["ocds-b5fd17-1b32feae-ce57-40aa-8a8f-4eef03307f76"]
    assert (item["postal_code"], item["country"]) == ("BN7 1EA", "United Kingdom")
    assert normalized(item, CRAWLED)["country"] == "GB"


def test_an_award_closes_the_process():
    _, by_ocid, _, _ = parse()
    item = by_ocid["ocds-b5fd17-3ec6abdd-1a5a-49db-a784-33d72b40514d"]
    assert (item["status"], item["notice_type"], item["deadline_at"]) == (
        "closed", "awardUpdate", "2022-09-28T23:59:59+01:00")
    assert item["url"] == ("https://www.contractsfinder.service.gov.uk/Notice/"
                           "82e15a82-6699-4ecc-a6b6-f5fcabe3867b")
    assert item["organization"] == "UK RESEARCH & INNOVATION"


def test_an_older_release_met_later_is_skipped_a_newer_one_replaces():
    releases = package()["releases"]
    pair = [r for r in releases if r["ocid"] == "ocds-b5fd17-77c2b2da-8f41-4ccf-8b73-39c90ec15cb2"]
    older, newer = sorted(pair, key=lambda r: r["date"])
    spider = make_spider(OcdsSpider)
    _, _, first, _ = parse(json.dumps({"releases": [older]}).encode(), spider)
    _, _, second, _ = parse(json.dumps({"releases": [newer]}).encode(), spider)
    _, _, third, _ = parse(json.dumps({"releases": [older]}).encode(), spider)
    assert [i["notice_type"] for i in first + second + third] == ["tender", "tenderAmendment"]
    assert stats(spider)["aggregator/superseded"] == 1


def test_bad_releases_are_counted_and_the_page_goes_on():
    good = package()["releases"][0]
    body = json.dumps({"releases": ["junk", {"tag": ["tender"]}, {**good, "tender": 7}, good],
                       "links": {}}).encode()
    spider, by_ocid, _items, requests = parse(body)
    assert list(by_ocid) == [good["ocid"]] and requests == []
    counted = stats(spider)
    assert counted["aggregator/dropped/unreadable record"] == 1
    assert counted["aggregator/dropped/no ocid"] == 1


def test_awards_close_stored_tenders_with_history(engine):
    releases = package()["releases"]
    tender = next(r for r in releases if r["ocid"].endswith("6cc1fffd-3481-4b95-b724-"
                                                              "adf1be3dd1a8"))
    _, _, opened, _ = parse(json.dumps({"releases": [tender]}).encode())
    store(engine, opened, CRAWLED)
    award = {**tender, "id": tender["id"][:-6] + "999999", "date": "2022-12-01T10:00:00Z",
             "tag": ["award"], "tender": {**tender["tender"], "status": "complete"}}
    _, _, closed, _ = parse(json.dumps({"releases": [award]}).encode())
    store(engine, closed, datetime(2022, 12, 1, 11, 0, tzinfo=UTC))
    with engine.connect() as conn:
        row = conn.execute(select(ListingRow)).one()
        changes = conn.execute(select(ListingChange.field, ListingChange.new_value)).all()
    assert row.status == "closed" and ("status", "closed") in changes


@time_machine.travel(datetime(2022, 10, 20, 10, 0, tzinfo=UTC), tick=False)
def test_windows_newest_first_one_query_per_stage():
    spider = make_spider(OcdsSpider, since="2022-10-05", window_days="10")
    (first,) = start_requests(spider)
    queries = [(q.get("stages"), q["publishedFrom"], q["publishedTo"]) for q in spider.queries]
    assert queries == [("tender", "2022-10-11", "2022-10-21"), ("award", "2022-10-11",
                                                                "2022-10-21"),
                       ("tender", "2022-10-05", "2022-10-11"), ("award", "2022-10-05",
                                                                "2022-10-11")]
    assert {k: v[0] for k, v in parse_qs(urlsplit(first.url).query).items()} == {
        "stages": "tender", "publishedFrom": "2022-10-11", "publishedTo": "2022-10-21",
        "limit": "100"}
    assert make_spider(OcdsSpider, stages="tender").list_param("stages") == ["tender"]


def _tender_release(**tender_changes) -> dict:
    release = next(r for r in package()["releases"]
                   if r["ocid"] == "ocds-b5fd17-4336529a-8781-49a7-af7f-1293827c28f6")
    return {**release, "tender": {**release["tender"], **tender_changes}}


def test_a_region_is_context_never_the_place_text():
    """The recorded addresses give ``region`` without ``locality`` ("North West"): as the
    place text, the normaliser took it for a town."""
    _, by_ocid, _, _ = parse()
    item = by_ocid["ocds-b5fd17-4336529a-8781-49a7-af7f-1293827c28f6"]
    record = normalized(item, CRAWLED)
    assert (record["city"], record["country"]) == (None, "GB")
    # a locality (added here to the recorded address) is the place text; the region stays
    # beside it
    release = _tender_release(items=[{"deliveryAddresses": [
        {"locality": "Manchester", "region": "North West", "countryName": "United Kingdom"}]}])
    _, _, (item,), _ = parse(json.dumps({"releases": [release]}).encode())
    assert (item["location"], item["extra"]["region"]) == ("Manchester", "North West")
    assert normalized(item, CRAWLED)["city"] == "Manchester"


def test_a_tag_given_as_one_string_is_one_tag():
    """OCDS ``tag`` is an array; a lone string must not become its letters."""
    award = {**_tender_release(), "tag": "award"}
    _, _, (item,), _ = parse(json.dumps({"releases": [award]}).encode())
    assert (item["notice_type"], item["status"]) == ("award", "closed")
    planning = {**_tender_release(), "tag": "planning", "ocid": "ocds-b5fd17-planning"}
    spider, by_ocid, _, _ = parse(json.dumps({"releases": [planning]}).encode())
    assert by_ocid == {} and stats(spider)["aggregator/dropped/planning release"] == 1
