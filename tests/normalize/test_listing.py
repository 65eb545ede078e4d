"""normalize_listing: a raw item built from a recorded sample → the store's columns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from aggregator.normalize import NormalizationError, normalize_listing
from aggregator.normalize.listing import FIELDS
from tests.sites import FIXTURES, fixture

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


@pytest.mark.parametrize("kind, published, deadline, kept", [
    # Neura Robotics' career site: validThrough ten years after datePosted, for any offer
    ("job", "2025-11-06T00:00:00+01:00", "2035-11-06T00:00:00+01:00", False),
    ("job", None, "2099-12-31", False),  # no publication date: from the crawl
    ("job", "2025-06-10T13:07:44-07:00", "2026-06-08T12:50:57-07:00", True),  # Meta: a year
    ("job", None, "2028-06-30", True),
    ("tender", "2026-08-01", "2030-12-31", True),  # a dynamic purchasing system runs years
])
def test_a_job_valid_for_years_has_no_deadline(kind, published, deadline, kept):
    out = normalize_listing(base(kind=kind, published_at=published, deadline_at=deadline),
                            crawled_at=CRAWL)
    assert (out["deadline_at"] is not None) is kept
    if not kept:  # the date is kept, as the source gave it, not as a deadline
        assert out["deadline_time_given"] is None
        assert datetime.fromisoformat(out["details"]["valid_through"]).year in (2035, 2099)
    else:
        assert "valid_through" not in out["details"]


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


def test_an_item_without_a_title_cannot_be_a_listing():
    with pytest.raises(NormalizationError, match="empty title"):
        normalize_listing(base(title="  "), crawled_at=CRAWL)


@pytest.mark.parametrize("fields", [
    {"published_at": "not a date"}, {"published_at": "9999-12-31"},
    {"published_at": "0001-01-01T00:00:00Z"}, {"published_at": 12345},
    {"deadline_at": "bientôt"}, {"deadline_at": 12345}, {"deadline_at": "2101-01-01"},
    {"deadline_at": "1989-12-31"}, {"modified_at": "9999-12-31"},
])
def test_an_unreadable_optional_field_is_left_empty_and_named_not_the_listing_dropped(fields):
    (name, _), = fields.items()
    out = normalize_listing(base(**fields), crawled_at=CRAWL)
    assert out["title"] and out["details"]["unreadable"] == [name]
    expected = CRAWL if name == "published_at" else None  # (as when the source gives none)
    assert out[name] == expected


# --- deadlines from lots (review finding 2) ---------------------------------------------------

@pytest.mark.parametrize("lots, deadline, time_given", [
    ([{"id": "1", "deadline_at": "30/09/2026"}],
     datetime(2026, 9, 30, 23, 59, 59, tzinfo=CEST), False),
    ([{"id": "1", "deadline_at": "30/09/2026 12:00"}],
     datetime(2026, 9, 30, 12, 0, tzinfo=CEST), True),
    ([{"id": "1", "deadline_at": ["2026-09-30", "12:00"]}],  # TED's [date, time] pair
     datetime(2026, 9, 30, 12, 0, tzinfo=CEST), True),
    # the earliest open deadline is chosen, with its own flag
    ([{"id": "1", "deadline_at": "15/10/2026 10:00"}, {"id": "2", "deadline_at": "30/09/2026"}],
     datetime(2026, 9, 30, 23, 59, 59, tzinfo=CEST), False),
    ([{"id": "1", "deadline_at": "15/10/2026"}, {"id": "2", "deadline_at": "30/09/2026 10:00"}],
     datetime(2026, 9, 30, 10, 0, tzinfo=CEST), True),
    # all past: the latest, with its flag
    ([{"id": "1", "deadline_at": "01/07/2026 10:00"}, {"id": "2", "deadline_at": "01/08/2026"}],
     datetime(2026, 8, 1, 23, 59, 59, tzinfo=CEST), False),
    ([{"id": "1", "deadline_at": None}], None, None),
])
def test_a_deadline_taken_from_lots_keeps_that_lots_time_flag(lots, deadline, time_given):
    out = normalize_listing(base(kind="tender", lots=lots), crawled_at=CRAWL)
    assert (out["deadline_at"], out["deadline_time_given"]) == (deadline, time_given)


def test_each_lot_says_whether_its_deadline_has_a_time():
    out = normalize_listing(base(kind="tender", lots=[
        {"id": "1", "deadline_at": "30/09/2026"}, {"id": "2", "deadline_at": "30/09/2026 12:00"},
        {"id": "3"}]), crawled_at=CRAWL)
    assert [(lot["id"], lot["deadline_at"], lot["deadline_time_given"]) for lot in out["lots"]] \
        == [("1", "2026-09-30T23:59:59+02:00", False), ("2", "2026-09-30T12:00:00+02:00", True),
            ("3", None, None)]
    # the listing's own deadline wins over the lots'
    own = normalize_listing(base(kind="tender", deadline_at="01/10/2026 16:00", lots=[
        {"id": "1", "deadline_at": "30/09/2026"}]), crawled_at=CRAWL)
    assert (own["deadline_at"], own["deadline_time_given"]) == \
        (datetime(2026, 10, 1, 16, 0, tzinfo=CEST), True)


# --- no country: no France by default (review finding 10) -------------------------------------

def ats_items() -> list[tuple[str, dict, dict]]:
    """(id, item fields as the spiders map them, expected columns) from the recorded boards."""
    out: list[tuple[str, dict, dict]] = []
    greenhouse = json.loads(fixture("jobs/greenhouse_codepath_jobs_list_2024-08-05.json"))
    for job in greenhouse["jobs"]:  # no country field at all
        name = job["location"]["name"]
        out.append((f"greenhouse {name}", {"location": name},
                    {"country": "US", "department": None,
                     "remote": name.startswith("Remote")}))
    for posting in json.loads(fixture("jobs/lever_gotogroup_postings_2024-07-30_first5.json")):
        out.append((f"lever {posting['id']}", {
            "location": posting["categories"]["location"], "country": posting["country"],
            "remote": posting["workplaceType"]},
            {"city": posting["categories"]["location"], "country": posting["country"],
             "department": None, "remote": False}))
    for path in sorted((FIXTURES / "jobs").glob("workday_*_cxs_job_R*.json")):
        info = json.loads(path.read_bytes())["jobPostingInfo"]
        country = info["jobRequisitionLocation"]["country"]["alpha2Code"]
        offsite = "Offsite" in info["location"]
        out.append((f"workday {info['jobReqId']}", {
            "location": info["location"], "country": country},
            {"country": "GB", "department": None, "remote": offsite,
             "city": None if offsite else info["location"].split(",")[0]}))
    for name in ("recruitee_manual_offers_2024-08-08_first6.json",
                 "recruitee_radishlab_offers_2024-08-08.json"):
        for offer in json.loads(fixture(f"jobs/{name}"))["offers"]:
            out.append((f"recruitee {offer['id']}", {
                "location": ", ".join(p for p in (offer["city"], offer["state_name"],
                                                  offer["country"]) if p),
                "country": offer["country_code"], "remote": offer["remote"]},
                {"country": offer["country_code"], "department": None,
                 "remote": offer["remote"]}))
    workable = json.loads(fixture("jobs/workable_kroo_widget_accounts_details_2024-08-08.json"))
    for job in workable["jobs"]:
        first = job["locations"][0]
        out.append((f"workable {job['shortcode']}", {
            "location": ", ".join((first["city"], first["region"], first["country"])),
            "country": first["countryCode"], "remote": job["telecommuting"]},
            {"city": first["city"], "country": "GB", "department": None,
             "remote": job["telecommuting"]}))
    listing = json.loads(fixture("jobs/smartrecruiters_gousto1_postings_list_2024-08-08.json"))
    for posting in listing["content"]:
        place = posting["location"]
        out.append((f"smartrecruiters {posting['id']}", {
            "location": place["city"], "country": place["country"], "remote": place["remote"],
            "latitude": place.get("latitude"), "longitude": place.get("longitude")},
            {"city": place["city"], "country": "GB", "department": None,
             "remote": place["remote"],
             "latitude": float(place["latitude"]) if "latitude" in place else None}))
    return out


@pytest.mark.parametrize("fields, expected", [(f, e) for _, f, e in ats_items()],
                         ids=[i for i, _, _ in ats_items()])
def test_recorded_ats_locations(fields, expected):
    out = normalize_listing(base(**fields), crawled_at=CRAWL)
    assert {k: out[k] for k in expected} == expected


@pytest.mark.parametrize("fields, expected", [
    # a board that names no country: no French commune for a foreign city
    ({"location": "Montreal"}, {"city": "Montréal", "country": "CA", "department": None}),
    ({"location": "San Francisco"}, {"city": None, "country": None, "department": None}),
    ({"location": "Jakarta"}, {"city": None, "country": None, "department": None}),
    ({"location": "Remote"}, {"remote": True, "country": None, "department": None}),
    ({"location": "Uxbridge, UK"}, {"city": "Uxbridge", "country": "GB"}),
    ({"location": "United Kingdom Offsite (ZUK99)"},
     {"city": None, "country": "GB", "remote": True}),
    # French evidence still makes it French
    ({"location": "Paris"}, {"insee_code": "75056", "country": "FR"}),
    ({"location": "Paris (75)"}, {"insee_code": "75056", "country": "FR"}),
    ({"location": "Montréal (11)"}, {"insee_code": "11254", "department": "11"}),
    ({"location": "Montreal", "country": "FR"}, {"insee_code": "11254", "department": "11"}),
    ({"location": "Montreal", "country": "France"}, {"insee_code": "11254"}),
    ({"location": "Montreal", "department": "11"}, {"insee_code": "11254"}),
    ({"location": "Montreal", "postal_code": "11290"}, {"insee_code": "11254"}),
    ({"location": "Montreal", "country": "CA"}, {"city": "Montreal", "country": "CA"}),
    ({"location": "Montreal", "nuts": ["FRJ11"]}, {"insee_code": "11254", "department": "11"}),
])
def test_no_country_is_not_france(fields, expected):
    out = normalize_listing(base(**fields), crawled_at=CRAWL)
    assert {k: out[k] for k in expected} == expected


@pytest.mark.parametrize("offer_id", ["200HHLQ", "200GZMR", "200HHMZ", "200GYWF", "200HHLH",
                                      "200HHNN", "200GZVX", "200GVWB", "200HHLR", "200HHNH",
                                      "200HHMX", "200JNLH", "200HGQQ", "200HHLX", "200HHKF"])
def test_france_travail_places_do_not_depend_on_the_country_field(offer_id):
    """The France Travail spider will set country="FR"; its codes make that no difference."""
    without = normalize_listing(france_travail(offer_id), crawled_at=CRAWL)
    with_fr = normalize_listing({**france_travail(offer_id), "country": "FR"}, crawled_at=CRAWL)
    keys = ("city", "insee_code", "postal_code", "department", "region", "country", "remote")
    assert {k: without[k] for k in keys} == {k: with_fr[k] for k in keys}
    assert with_fr["country"] == "FR"


# --- numbers (review finding 21b) -------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("1,234", 1234.0), ("1,234.56", 1234.56), ("1 234,56", 1234.56), ("1.234,56", 1234.56),
    ("1\u202f234\u202f567,89 €", 1234567.89), ("2 500 000 EUR HT", 2500000.0),
    ("1234.567", 1234.567), ("12,5", 12.5), (1234.5, 1234.5), (3_000_000_000, 3e9),
    ("", None), ("n/a", None), ("-5", None), (True, None), (None, None),
])
def test_estimated_values_read_both_conventions(value, expected):
    out = normalize_listing(base(kind="tender", estimated_value=value,
                                 lots=[{"id": "1", "estimated_value": value}]), crawled_at=CRAWL)
    assert out["estimated_value"] == expected
    assert out["lots"][0]["estimated_value"] == expected


@pytest.mark.parametrize("latitude, longitude, expected", [
    ("52.7872877", "-0.1558005", (52.7872877, -0.1558005)),  # SmartRecruiters strings
    ("48,8566", "2,3522", (48.8566, 2.3522)),
    (43.3, 5.4, (43.3, 5.4)),
    ("123", "200", (None, None)),
    ("nan", "", (None, None)),
    ("1,234.5", None, (None, None)),
])
def test_coordinates(latitude, longitude, expected):
    out = normalize_listing(base(latitude=latitude, longitude=longitude), crawled_at=CRAWL)
    assert (out["latitude"], out["longitude"]) == expected


# --- remote words in `remote` (review finding 30) ---------------------------------------------

@pytest.mark.parametrize("remote, location, expected", [
    ("TELECOMMUTE", None, True),  # schema.org jobLocationType, raw
    (["TELECOMMUTE"], None, True),
    ("https://schema.org/TELECOMMUTE", None, True),
    ("Télétravail", None, True),
    ("remote", "London", True),
    ("fully", None, True),  # Teamtailor remoteStatus
    ("hybrid", None, False),  # Lever workplaceType
    ("Télétravail partiel", None, False),
    ("onsite", "Remote", False),  # the source's own flag wins over the text
    ("none", "Remote", False),  # Teamtailor remoteStatus
    (False, "Remote", False),
    ("unspecified", "Remote", True),  # says nothing: the location text decides
    ("unspecified", "Paris", False),
    (None, "Télétravail", True),
])
def test_remote_reads_flags_and_raw_words(remote, location, expected):
    out = normalize_listing(base(remote=remote, location=location), crawled_at=CRAWL)
    assert out["remote"] is expected
