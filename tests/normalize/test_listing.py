"""normalize_listing: a raw item built from a recorded sample → the store's columns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from aggregator.normalize import NormalizationError, normalize_listing
from aggregator.normalize.listing import FIELDS
from tests.sites import fixture

CRAWL = datetime(2026, 8, 13, 6, 0, tzinfo=UTC)
CEST = timezone(timedelta(hours=2))


def base(**fields) -> dict:
    return {"kind": "job", "source": "test", "source_id": "1", "url": "https://example.org/1",
            "title": "Un titre", **fields}


def france_travail(offer_id: str) -> dict:
    offers = json.loads(fixture("jobs/francetravail_offres_selected_edgecases_2025-11.json"))
    offer = next(o for o in offers if o["id"] == offer_id)
    place = offer["lieuTravail"]
    contract = [offer["typeContrat"]] + (["alternance"] if offer["alternance"] else [])
    return base(source="francetravail", source_id=offer_id, title=offer["intitule"],
                published_at=offer["dateCreation"], location=place.get("libelle"),
                postal_code=place.get("codePostal"), insee_code=place.get("commune"),
                latitude=place.get("latitude"), longitude=place.get("longitude"),
                contract_type=contract, working_time=offer.get("dureeTravailLibelleConverti"),
                salary=(offer.get("salaire") or {}).get("libelle"), raw=offer)


def test_the_record_has_exactly_the_store_fields():
    record = normalize_listing(base(), crawled_at=CRAWL)
    assert tuple(record) == FIELDS


@pytest.mark.parametrize("offer_id, expected", [
    ("200HHLQ", {"city": "Paris 16e Arrondissement", "insee_code": "75116",
                 "postal_code": "75016", "department": "75", "region": "11", "country": "FR",
                 "contract_type": "cdi", "working_time": "part_time", "salary_min": 1200.0,
                 "salary_period": "month", "salary_currency": "EUR"}),
    ("200GZMR", {"insee_code": "91272", "department": "91", "contract_type": "apprenticeship",
                 "working_time": "part_time"}),
    ("200HHMZ", {"insee_code": "76101", "contract_type": "interim", "salary_min": 21622.0,
                 "salary_max": 25000.0, "salary_period": "year"}),
    ("200GYWF", {"insee_code": "43144", "contract_type": "freelance", "working_time": None,
                 "salary_min": None}),
    ("200HHLH", {"city": None, "department": "972", "region": "02", "country": "FR",
                 "salary_min": 11.88, "salary_period": "hour"}),
    ("200HHNN", {"city": None, "department": None, "country": "FR"}),  # "France"
    ("200GZVX", {"city": "Paris", "insee_code": "75056", "department": "75"}),  # "75 - Paris"
    ("200GVWB", {"city": "Lyon", "insee_code": "69123", "postal_code": None}),
    ("200HHLR", {"city": "Sainte-Anne", "insee_code": "97128", "department": "971"}),
])
def test_france_travail_offers(offer_id, expected):
    record = normalize_listing(france_travail(offer_id), crawled_at=CRAWL)
    assert {k: record[k] for k in expected} == expected
    assert record["published_at"].tzinfo is not None


def test_a_ted_notice():
    notice = json.loads(fixture(
        "tenders/ted_v3_search_competition_FRA-BEL-LUX_first1.json"))["notices"][0]
    item = base(kind="tender", source="ted", source_id=notice["publication-number"],
                published_at=notice["publication-date"], nuts=notice["place-of-performance"],
                country=notice["buyer-country"],
                deadline_at=[notice["deadline-receipt-tender-date-lot"],
                             notice["deadline-receipt-tender-time-lot"]])
    record = normalize_listing(item, crawled_at=CRAWL)
    assert (record["department"], record["region"], record["country"]) == ("83", "93", "FR")
    assert record["city"] is None
    assert record["published_at"] == datetime(2026, 8, 6, tzinfo=CEST)
    assert (record["deadline_at"], record["deadline_time_given"]) == \
        (datetime(2026, 9, 16, 16, 30, tzinfo=CEST), True)
    assert record["details"]["nuts"] == ["FRL05", "FRA"]


def test_a_boamp_record():
    record = json.loads(fixture("tenders/boamp_explore_v21_records_recent_first2.json"))[
        "results"][0]
    item = base(kind="tender", source="boamp", source_id=record["idweb"],
                published_at=record["dateparution"], deadline_at=record["datelimitereponse"],
                department=record["code_departement"], location="Limoges",
                postal_code="87000", nuts=["FRI23"])
    out = normalize_listing(item, crawled_at=CRAWL)
    assert (out["city"], out["insee_code"], out["department"], out["region"]) == \
        ("Limoges", "87085", "87", "75")
    assert out["deadline_at"] == datetime(2026, 9, 22, 10, 0, tzinfo=UTC)
    assert out["deadline_time_given"] is True


def test_a_boamp_record_with_only_its_department():
    out = normalize_listing(base(kind="tender", department=["95"]), crawled_at=CRAWL)
    assert (out["city"], out["department"], out["region"], out["country"]) == \
        (None, "95", "11", "FR")


def test_a_date_only_deadline_ends_the_day_and_says_so():
    out = normalize_listing(base(deadline_at="30/06/2027"), crawled_at=CRAWL)
    assert out["deadline_at"] == datetime(2027, 6, 30, 23, 59, 59, tzinfo=CEST)
    assert out["deadline_time_given"] is False


def test_a_homonym_is_narrowed_by_the_nuts_code():
    item = base(kind="tender", location="Saint-Denis", nuts=["FR106"])
    out = normalize_listing(item, crawled_at=CRAWL)
    assert (out["insee_code"], out["department"]) == ("93066", "93")
    assert "place_ambiguous" not in out["details"]
    alone = normalize_listing(base(location="Saint-Denis"), crawled_at=CRAWL)
    assert alone["details"]["place_ambiguous"] is True


@pytest.mark.parametrize("fields, expected", [
    ({"location": "Bengaluru", "country": "IN"},
     {"city": "Bengaluru", "country": "IN", "department": None}),
    ({"location": "London", "country": "gb", "remote": False},
     {"city": "London", "country": "GB", "remote": False}),
    ({"location": "London", "country": "gb", "remote": True}, {"remote": True}),
    ({"location": "Remote, United States"}, {"country": "US", "remote": True}),
    ({"location": "Paris", "remote": "onsite"}, {"remote": False, "insee_code": "75056"}),
    ({"location": "Télétravail", "remote": "unspecified"}, {"remote": True, "country": None}),
    ({"location": "Remote job", "country": "BR"}, {"remote": True, "country": "BR"}),
    ({"location": "Metzingen", "country": "DE"}, {"city": "Metzingen", "country": "DE"}),
    ({"location": ["Sunnyvale, CA", "Bellevue, WA"], "country": ["USA", "USA"]},
     {"country": "US", "city": None}),
    ({"location": ["Marseille", "Aix-en-Provence"]}, {"department": "13", "city": None}),
    ({"location": "xyzzy"}, {"city": None, "department": None, "country": None}),
])
def test_places_from_ats_fields(fields, expected):
    out = normalize_listing(base(**fields), crawled_at=CRAWL)
    assert {k: out[k] for k in expected} == expected


@pytest.mark.parametrize("fields, expected", [
    ({"contract_type": ["FULL_TIME", "CONTRACTOR"]},
     {"contract_type": "freelance", "working_time": "full_time"}),
    ({"contract_type": "Permanent", "working_time": "Permanent"},
     {"contract_type": "cdi", "working_time": None}),
    ({"salary": {"min": "28000", "max": "28000", "period": "year", "currency": "GBP"},
      "country": "GB"}, {"salary_min": 28000.0, "salary_currency": "GBP"}),
    ({"salary": "28000 per year", "country": "GB", "location": "London"},
     {"salary_currency": "GBP", "salary_period": "year"}),
    ({"salary": "45 - 55 k€ brut annuel"},
     {"salary_min": 45000.0, "salary_max": 55000.0, "salary_basis": "gross"}),
])
def test_contract_and_salary_fields(fields, expected):
    out = normalize_listing(base(**fields), crawled_at=CRAWL)
    assert {k: out[k] for k in expected} == expected


def test_relative_publication_dates_count_from_the_crawl():
    out = normalize_listing(base(published_at="Posted 2 days ago"), crawled_at=CRAWL)
    assert out["published_at"].date() == (CRAWL - timedelta(days=2)).date()


@pytest.mark.parametrize("fields, reason", [
    ({"title": "  "}, "empty title"),
    ({"published_at": "not a date"}, "unreadable published_at"),
    ({"deadline_at": "bientôt"}, "unreadable deadline_at"),
])
def test_items_that_cannot_be_listings_raise_with_the_reason(fields, reason):
    with pytest.raises(NormalizationError, match=reason):
        normalize_listing(base(**fields), crawled_at=CRAWL)
