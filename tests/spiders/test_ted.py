"""TED spider on its recorded real search page (tests/fixtures/tenders, PROVENANCE.md).

Notices with other languages, several lots or a missing number are derived here from the
recorded one.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
import time_machine

from spiders.ted import DEFAULT_QUERY, FIELDS, TedSpider
from tests.sites import fixture
from tests.spiders.support import (
    fields,
    make_spider,
    normalized,
    response,
    split,
    start_requests,
    stats,
)

URL = "https://api.ted.europa.eu/v3/notices/search"
TITLE = ("EVENEMENTIEL- Location, montage et démontage de matériel pour l'alimentation "
         "électrique et l'éclairage de spectacles et manifestations - Accord-cadre à bons de "
         "commande - Relance")
DESCRIPTION = ("La présente consultation a pour objet la fourniture par location de matériel "
               "d'alimentation électrique et d'éclairage destiné à l'organisation et au "
               "déroulement de manifestations et de spectacles sur la commune d'Hyères, avec "
               "des prestations accessoires de montage et de démontage. Ces manifestations "
               "peuvent être de natures différentes (marché de noël, spectacles de variété, "
               "de danse, de théâtre, de jazz et autres) et pourront se dérouler en intérieur "
               "et/ou en extérieur.")


def recorded() -> dict:
    return json.loads(fixture("tenders/ted_v3_search_competition_FRA-BEL-LUX_first1.json"))


def notice() -> dict:
    return recorded()["notices"][0]


def parse(notices: list, token: str | None = None, next_token: str | None = None,
          spider: TedSpider | None = None):
    spider = spider or make_spider(TedSpider)
    body = json.dumps({"iterationNextToken": next_token, "notices": notices,
                       "timedOut": False, "totalNoticeCount": len(notices)}).encode()
    items, requests = split(spider.parse_page(response(URL, body, {"token": token})))
    return spider, items, requests


def test_recorded_notice_maps_every_field():
    spider, (item,), requests = parse(recorded()["notices"])
    assert requests == []  # iterationNextToken is null: the last page
    assert fields(item) == {
        "kind": "tender", "source": "ted", "source_id": "543742-2026",
        "url": "https://ted.europa.eu/fr/notice/-/detail/543742-2026",
        "title": TITLE,  # the lot's title: notice-title is "France – Matériel électrique – …"
        "organization": "Commune d'Hyères",
        # the recorded request did not ask for organisation-identifier-buyer
        "buyer_id": None,
        "description": DESCRIPTION,
        "published_at": "2026-08-06+02:00",
        "deadline_at": None,  # the lot's pair below
        # every place code as given (["FRL05", "FRA", "FRL05", "FRA"]); no country: the
        # places say it (the buyer's country is not where the work is done)
        "nuts": ["FRL05", "FRA"], "country": None,
        # the recorded request did not ask for buyer-city and buyer-post-code
        "buyer_location": None, "buyer_postal_code": None,
        "cpv": ["31600000", "51110000", "71318100", "51100000"],
        "procedure": "open", "contract_nature": "supplies",
        "estimated_value": None, "currency": None,
        "lots": [{"id": "LOT-0001", "title": TITLE,
                  "deadline_at": ["2026-09-16+02:00", "16:30:00+02:00"], "cpv": [],
                  "estimated_value": None}],
        "status": "open", "notice_type": "cn-standard",
        "match_keys": [
            "eforms-notice:ec9e5460-c6fc-47b9-ad73-d7bdd1d9f4b9",
            "tender:2026-09-16|commune d hyeres|evenementiel location montage et demontage de"
            " materiel pour l alimentation electrique et l eclairage de spectacles et "
            "manifestations accord cadre a bons de commande relance"],
        "extra": {"notice_identifier": "ec9e5460-c6fc-47b9-ad73-d7bdd1d9f4b9",
                  "notice_version": "1", "official_language": ["FRA"]},
    }
    assert item["raw"] == notice()
    assert stats(spider)["aggregator/source_records"] == 1


def test_normalised_deadline_place_and_country():
    _, (item,), _ = parse([notice()])
    record = normalized(item)
    assert record["deadline_at"] == datetime(2026, 9, 16, 14, 30, tzinfo=UTC)
    assert record["deadline_time_given"] is True
    assert (record["department"], record["region"], record["country"]) == ("83", "93", "FR")
    assert record["published_at"] == datetime(2026, 8, 5, 22, 0, tzinfo=UTC)
    assert record["details"]["nuts"] == ["FRL05", "FRA"]


def test_the_buyers_address_places_a_notice_that_names_no_commune():
    # the place of work is only FRL05 (the Var); TED gives the buyer's town multilingual,
    # often as {"mul": [...]}, and its postal code as a list
    derived = notice() | {"buyer-city": {"mul": ["Hyères"]}, "buyer-post-code": ["83400"]}
    _, (item,), _ = parse([derived])
    assert (item["buyer_location"], item["buyer_postal_code"]) == ("Hyères", "83400")
    record = normalized(item)
    assert (record["city"], record["insee_code"], record["department"]) == (
        "Hyères", "83069", "83")
    assert record["details"]["place_source"] == "buyer address"
    # an address outside the named area is not taken
    _, (item,), _ = parse([notice() | {"buyer-city": {"mul": ["Lyon"]},
                                       "buyer-post-code": ["69001"]}])
    record = normalized(item)
    assert (record["city"], record["department"]) == (None, "83")
    assert "place_source" not in record["details"]


# No recorded TED response carries organisation-identifier-buyer: these put in the recorded
# notice, as the list of texts TED's clients read, the BT-501 values of recorded BOAMP eForms
# notices (tests/spiders/test_boamp.py: 26-79589's SIRET, 26-79683's "eu" scheme code 63217).
@pytest.mark.parametrize(("identifiers", "buyer_id"), [
    (["22870851700989"], "22870851700989"),
    (["228 708 517 00989"], "22870851700989"),  # spaced out
    (["63217"], None),  # not a SIREN or SIRET: never a DECP buyer
    # joint procurement: the first buyer's, as the organization is the first buyer-name
    (["63217", "22870851700989"], None),
    ("22870851700989", "22870851700989"),
    ([], None),
])
def test_the_buyers_siret_is_its_registration_number(identifiers, buyer_id):
    _, (item,), _ = parse([notice() | {"organisation-identifier-buyer": identifiers}])
    assert item["buyer_id"] == buyer_id
    assert normalized(item)["buyer_id"] == buyer_id


@pytest.mark.parametrize("places, nuts, expected", [
    # region-level NUTS codes made of letters, which look like ISO alpha-3 countries
    (["FRK", "FRA"], ["FRK", "FRA"], (None, "84", "FR")),  # Auvergne-Rhône-Alpes
    (["FRL", "FRA"], ["FRL", "FRA"], (None, "93", "FR")),  # Provence-Alpes-Côte d'Azur
    (["FRY", "FRA"], ["FRY", "FRA"], (None, None, "FR")),  # overseas: several regions
    (["DEA"], ["DEA"], (None, None, "DE")),  # Nordrhein-Westfalen
    (["FRA"], ["FRA"], (None, None, "FR")),
    ([], [], (None, None, "FR")),  # no place: the buyer's country
])
def test_place_codes_are_passed_unclassified(places, nuts, expected):
    notice_ = {**notice(), "place-of-performance": places}
    _, (item,), _ = parse([notice_])
    assert item["nuts"] == nuts
    assert item["country"] == (None if places else "FRA")
    record = normalized(item)
    assert (record["department"], record["region"], record["country"]) == expected


def test_languages_french_then_english_then_any():
    english = copy.deepcopy(notice())
    english["buyer-name"] = {"eng": ["Town of Hyeres"], "deu": ["Gemeinde Hyères"]}
    english["title-proc"] = {"deu": "Veranstaltungstechnik", "eng": "Event equipment"}
    english["links"]["html"].pop("FRA")
    _, (item,), _ = parse([english])
    assert (item["organization"], item["title"]) == ("Town of Hyeres", "Event equipment")
    assert item["url"] == "https://ted.europa.eu/en/notice/-/detail/543742-2026"
    german = copy.deepcopy(english)
    german["buyer-name"] = {"deu": ["Gemeinde Hyères"]}
    _, (item,), _ = parse([german])
    assert item["organization"] == "Gemeinde Hyères"


def test_several_lots_the_earliest_open_deadline_wins():
    lots = copy.deepcopy(notice())
    lots["identifier-lot"] = ["LOT-0001", "LOT-0002"]
    lots["title-lot"] = {"fra": ["Son", "Lumière"]}
    lots["deadline-receipt-tender-date-lot"] = ["2026-09-30+02:00", "2026-09-16+02:00"]
    lots["deadline-receipt-tender-time-lot"] = ["12:00:00+02:00", "16:30:00+02:00"]
    lots["procedure-identifier"] = "7F0C2B4E-1111-4A4A-9999-0123456789AB"
    _, (item,), _ = parse([lots])
    assert [(lot["id"], lot["title"], lot["deadline_at"]) for lot in item["lots"]] == [
        ("LOT-0001", "Son", ["2026-09-30+02:00", "12:00:00+02:00"]),
        ("LOT-0002", "Lumière", ["2026-09-16+02:00", "16:30:00+02:00"])]
    assert item["title"] == lots["notice-title"]["fra"]  # two lot titles: the notice's
    assert item["match_keys"][1] == "eforms-procedure:7f0c2b4e-1111-4a4a-9999-0123456789ab"
    assert normalized(item)["deadline_at"] == datetime(2026, 9, 16, 14, 30, tzinfo=UTC)
    # once the first deadline has passed, the next open lot's
    later = datetime(2026, 9, 20, tzinfo=UTC)
    assert normalized(item, later)["deadline_at"] == datetime(2026, 9, 30, 10, 0, tzinfo=UTC)


def test_result_notices_are_closed_and_bad_notices_counted():
    award = {**notice(), "publication-number": "600001-2026", "form-type": "result",
             "notice-type": "can-standard"}
    spider, items, _ = parse([{"notice-title": {"fra": "sans numéro"}}, "junk", award])
    assert [(i["source_id"], i["status"]) for i in items] == [("600001-2026", "closed")]
    assert stats(spider)["aggregator/dropped/no publication number"] == 2


def test_next_page_sends_the_iteration_token():
    spider = make_spider(TedSpider)
    spider.query = "q"
    _, _, (following,) = parse([notice()], next_token="tok-2", spider=spider)
    assert json.loads(following.body) == {"query": "q", "fields": FIELDS, "limit": 250,
                                          "paginationMode": "ITERATION",
                                          "iterationNextToken": "tok-2"}
    assert following.method == "POST" and following.meta["token"] == "tok-2"
    # an empty page or the same token again ends the walk
    assert parse([], next_token="tok-3", spider=spider)[2] == []
    assert parse([notice()], token="tok-2", next_token="tok-2", spider=spider)[2] == []


@time_machine.travel(datetime(2026, 8, 13, 6, 0, tzinfo=UTC), tick=False)
def test_start_builds_the_default_expert_query():
    spider = make_spider(TedSpider, since="2026-08-05")
    (request,) = start_requests(spider)
    assert request.url == URL and request.method == "POST"
    assert request.headers[b"Content-Type"] == b"application/json"
    body = json.loads(request.body)
    assert body == {"query": DEFAULT_QUERY.format(since="20260805", until="20260813"),
                    "fields": FIELDS, "limit": 250, "paginationMode": "ITERATION"}
    assert "(place-of-performance IN (FRA))" in body["query"]
    assert "(publication-date >= 20260805)" in body["query"]
    assert len(FIELDS) == len(set(FIELDS)) == 33
    assert {"buyer-city", "buyer-post-code"} <= set(FIELDS)  # the place when none is named
    assert "organisation-identifier-buyer" in FIELDS  # the buyer's SIRET (BT-501)
    assert spider.run_args == {"since": "2026-08-05", "until": "2026-08-13"}


@time_machine.travel(datetime(2026, 8, 13, 6, 0, tzinfo=UTC), tick=False)
def test_query_argument_replaces_the_default():
    spider = make_spider(TedSpider, since="2026-08-01", page_size="20",
                         query="buyer-country IN (BEL) AND publication-date >= {since}",
                         notice_scope="ACTIVE")
    body = json.loads(start_requests(spider)[0].body)
    assert (body["query"], body["limit"], body["scope"]) == (
        "buyer-country IN (BEL) AND publication-date >= 20260801", 20, "ACTIVE")
