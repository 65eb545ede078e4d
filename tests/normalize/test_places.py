"""Place resolution: the issue's examples, the recorded samples, and every commune."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.normalize import Place, parse_remote, resolve_nuts, resolve_place
from aggregator.normalize.countries import resolve_country
from aggregator.normalize.folding import fold
from aggregator.normalize.geography import geography
from aggregator.normalize.places import combine_places, department_of_postal_code
from tests.sites import FIXTURES, fixture

DATA = Path(__file__).resolve().parents[2] / "aggregator" / "normalize" / "data"


def fields(place: Place) -> tuple:
    return (place.kind, place.city, place.insee_code, place.department, place.region,
            place.country)


# (text, kind, city, insee, department, region, country)
EXAMPLES = [
    ("Roissy-en-France", "commune", "Roissy-en-France", "95527", "95", "11", "FR"),
    ("95 - Roissy-en-France", "commune", "Roissy-en-France", "95527", "95", "11", "FR"),
    ("78 - Saint-Germain-en-Laye", "commune", "Saint-Germain-en-Laye", "78551", "78", "11",
     "FR"),
    ("Paris (75)", "commune", "Paris", "75056", "75", "11", "FR"),
    ("75 - Paris", "commune", "Paris", "75056", "75", "11", "FR"),
    ("Marseille 13e", "commune", "Marseille 13e Arrondissement", "13213", "13", "93", "FR"),
    ("Lyon 3e Arrondissement", "commune", "Lyon 3e Arrondissement", "69383", "69", "84", "FR"),
    ("Lyon 3ème", "commune", "Lyon 3e Arrondissement", "69383", "69", "84", "FR"),
    ("Paris 1er", "commune", "Paris 1er Arrondissement", "75101", "75", "11", "FR"),
    ("75 - PARIS 16", "commune", "Paris 16e Arrondissement", "75116", "75", "11", "FR"),
    ("69 - LYON 01", "commune", "Lyon 1er Arrondissement", "69381", "69", "84", "FR"),
    ("13 - MARSEILLE 14", "commune", "Marseille 14e Arrondissement", "13214", "13", "93", "FR"),
    ("13", "department", None, None, "13", "93", "FR"),
    ("2A", "department", None, None, "2A", "94", "FR"),
    ("2b", "department", None, None, "2B", "94", "FR"),
    ("971", "department", None, None, "971", "01", "FR"),
    ("971 - Guadeloupe", "department", None, None, "971", "01", "FR"),
    ("972 - Martinique", "department", None, None, "972", "02", "FR"),
    ("Bouches-du-Rhône", "department", None, None, "13", "93", "FR"),
    ("BOUCHES DU RHONE", "department", None, None, "13", "93", "FR"),
    ("Département des Bouches-du-Rhône", "department", None, None, "13", "93", "FR"),
    ("Val d’Oise", "department", None, None, "95", "11", "FR"),
    ("Provence-Alpes-Côte d'Azur", "region", None, None, None, "93", "FR"),
    ("PACA", "region", None, None, None, "93", "FR"),
    ("IDF", "region", None, None, None, "11", "FR"),
    ("Île-de-France", "region", None, None, None, "11", "FR"),
    ("Région Auvergne-Rhône-Alpes", "region", None, None, None, "84", "FR"),
    ("Région 93", "region", None, None, None, "93", "FR"),
    ("Alsace", "region", None, None, None, "44", "FR"),
    ("St Etienne", "commune", "Saint-Étienne", "42218", "42", "84", "FR"),
    ("Saint-Étienne", "commune", "Saint-Étienne", "42218", "42", "84", "FR"),
    ("SAINT ETIENNE", "commune", "Saint-Étienne", "42218", "42", "84", "FR"),
    ("saint-etienne", "commune", "Saint-Étienne", "42218", "42", "84", "FR"),
    ("St-Étienne", "commune", "Saint-Étienne", "42218", "42", "84", "FR"),
    ("Saint etienne cédex 2", "commune", "Saint-Étienne", "42218", "42", "84", "FR"),
    ("Paris cedex 13", "commune", "Paris", "75056", "75", "11", "FR"),
    ("Rouen Cedex 1", "commune", "Rouen", "76540", "76", "28", "FR"),
    ("971 - STE ANNE", "commune", "Sainte-Anne", "97128", "971", "01", "FR"),
    ("93 - EPINAY SUR SEINE", "commune", "Épinay-sur-Seine", "93031", "93", "11", "FR"),
    ("Havre (Le)", "commune", "Le Havre", "76351", "76", "28", "FR"),
    ("Ville de Paris", "commune", "Paris", "75056", "75", "11", "FR"),
    ("Ville-d'Avray", "commune", "Ville-d'Avray", "92077", "92", "11", "FR"),
    ("Château-Chinon (Ville)", "commune", "Château-Chinon (Ville)", "58062", "58", "27", "FR"),
    ("Cherbourg-Octeville", "commune", "Cherbourg-en-Cotentin", "50129", "50", "28", "FR"),
    ("Saint-Denis (93)", "commune", "Saint-Denis", "93066", "93", "11", "FR"),
    ("93 - Saint-Denis", "commune", "Saint-Denis", "93066", "93", "11", "FR"),
    ("Saint-Denis, La Réunion", "commune", "Saint-Denis", "97411", "974", "04", "FR"),
    ("Saint-Denis (Réunion)", "commune", "Saint-Denis", "97411", "974", "04", "FR"),
    ("75011", "commune", "Paris 11e Arrondissement", "75111", "75", "11", "FR"),
    ("Paris 75011", "commune", "Paris 11e Arrondissement", "75111", "75", "11", "FR"),
    ("13001 Marseille", "commune", "Marseille 1er Arrondissement", "13201", "13", "93", "FR"),
    ("Lyon (69003)", "commune", "Lyon 3e Arrondissement", "69383", "69", "84", "FR"),
    ("20000", "commune", "Ajaccio", "2A004", "2A", "94", "FR"),
    ("97400", "commune", "Saint-Denis", "97411", "974", "04", "FR"),
    ("FRL05", "department", None, None, "83", "93", "FR"),
    ("FRL0", "region", None, None, None, "93", "FR"),
    ("FRL", "region", None, None, None, "93", "FR"),
    ("FRY10", "department", None, None, "971", "01", "FR"),
    ("FR101", "department", None, None, "75", "11", "FR"),
    ("France", "country", None, None, None, None, "FR"),
    ("FRA", "country", None, None, None, None, "FR"),
    ("Paris, France", "commune", "Paris", "75056", "75", "11", "FR"),
    ("Bruxelles, Belgique", "city", "Bruxelles", None, None, None, "BE"),
    ("Belgique", "country", None, None, None, None, "BE"),
    ("Allemagne", "country", None, None, None, None, "DE"),
    ("Royaume-Uni", "country", None, None, None, None, "GB"),
    ("USA", "country", None, None, None, None, "US"),
    ("BEL", "country", None, None, None, None, "BE"),
    ("London, Greater London, United Kingdom", "city", "London", None, None, None, "GB"),
    ("Krakow, Poland", "city", "Krakow", None, None, None, "PL"),
    ("Arlington, Virginia", "city", "Arlington", None, None, None, "US"),
    ("Sunnyvale, CA", "city", "Sunnyvale", None, None, None, "US"),
    ("Chicago, IL", "city", "Chicago", None, None, None, "US"),
    ("Uxbridge, UK (ZUK131)", "city", "Uxbridge", None, None, None, "GB"),
    ("Plantation, FL, More...", "city", "Plantation", None, None, None, "US"),
]


@pytest.mark.parametrize("text, kind, city, insee, department, region, country", EXAMPLES)
def test_resolves_the_forms_sources_write(text, kind, city, insee, department, region,
                                          country):
    place = resolve_place(text)
    assert fields(place) == (kind, city, insee, department, region, country)
    assert not place.ambiguous
    assert place.confidence >= 0.9


@pytest.mark.parametrize("text, remote, country", [
    ("Télétravail", True, None),
    ("TELETRAVAIL", True, None),
    ("Remote", True, None),
    ("100% remote", True, None),
    ("Full remote", True, None),
    ("Remote job", True, None),
    ("Remote, United States", True, "US"),
    ("Texas Remote Work", True, "US"),
    ("Illinois, US Offsite, More...", True, "US"),
    ("Télétravail partiel - Lyon", False, "FR"),
    ("Hybride - Nantes", False, "FR"),
    ("Paris (Remote)", True, "FR"),
])
def test_remote_words_set_remote_and_leave_the_place(text, remote, country):
    place = resolve_place(text)
    assert place.remote is remote
    assert place.country == country


def test_partial_remote_keeps_the_city():
    assert resolve_place("Télétravail partiel - Lyon").insee_code == "69123"
    assert resolve_place("Paris (Remote)").insee_code == "75056"


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("TELECOMMUTE", True), ("Télétravail", True),
    ("remote", True), ("onsite", False), ("hybrid", False), ("unspecified", None), (None, None),
    ("", None), ("fully", True), ("none", False), ("temporary", None), ("WORK_FROM_HOME", True),
])
def test_parse_remote(value, expected):
    assert parse_remote(value) is expected


def test_homonyms_pick_the_most_populous_and_say_so():
    geo = geography()
    homonyms = geo.by_name["saint denis"]
    assert len(homonyms) >= 2
    place = resolve_place("Saint-Denis")
    assert place.insee_code == max(homonyms, key=lambda c: c.population).code
    assert place.ambiguous and place.confidence < 0.9


@pytest.mark.parametrize("kwargs, insee", [
    ({"postal_code": "93200"}, "93066"),
    ({"postal_code": "97400"}, "97411"),
    ({"department": "93"}, "93066"),
    ({"department": "974"}, "97411"),
    ({"department": "11"}, "11339"),
])
def test_homonyms_resolve_with_a_postal_code_or_department(kwargs, insee):
    place = resolve_place("Saint-Denis", **kwargs)
    assert place.insee_code == insee
    assert not place.ambiguous and place.confidence == 1.0


@pytest.mark.parametrize("text, department", [("Vienne", "86"), ("Mayenne", "53"),
                                              ("Indre", "36")])
def test_a_department_name_that_is_also_a_commune_elsewhere_is_the_department(text,
                                                                              department):
    place = resolve_place(text)
    assert (place.kind, place.department) == ("department", department)
    assert place.ambiguous


def test_a_department_prefix_picks_the_commune_of_that_name():
    assert resolve_place("53 - MAYENNE").insee_code == "53147"
    assert resolve_place("38 - Vienne").insee_code == "38544"


def test_the_insee_code_wins_and_former_codes_follow_to_today():
    assert resolve_place("Paris", insee_code="75116").insee_code == "75116"
    assert resolve_place(None, insee_code="20004").insee_code == "2A004"  # before 1976
    assert resolve_place("whatever", insee_code="13055").city == "Marseille"


@pytest.mark.parametrize("postal, department", [
    ("20000", "2A"), ("20190", "2A"), ("20200", "2B"), ("20600", "2B"), ("20290", "2B"),
    ("97100", "971"), ("97200", "972"), ("97300", "973"), ("97400", "974"), ("97600", "976"),
    ("97133", "977"), ("97150", "978"), ("98000", None),  # Monaco is not a department
    ("13272", "13"),  # a CEDEX code no commune has
    ("01200", "01"), ("75116", "75"),
])
def test_postal_codes_follow_la_poste_rules(postal, department):
    assert department_of_postal_code(postal) == department


def test_a_postal_code_alone_gives_its_commune_or_department():
    assert resolve_place(None, postal_code="13001").insee_code == "13201"
    cedex = resolve_place(None, postal_code="13272")
    assert (cedex.kind, cedex.department, cedex.postal_code) == ("department", "13", "13272")
    shared = resolve_place("01200")  # Valserhône and 8 more communes
    assert (shared.kind, shared.department, shared.city) == ("department", "01", None)


def test_the_given_postal_code_is_kept_and_a_single_one_is_filled_in():
    assert resolve_place("Roissy-en-France").postal_code == "95700"
    assert resolve_place("Marseille").postal_code is None  # 16 postal codes
    assert resolve_place("Marseille", postal_code="13272").postal_code == "13272"


@pytest.mark.parametrize("text", [
    "xyzzy", "", "   ", "N/A", "Maine", "Genève", "00000", "96123", "999", "00",
    "Paris Texas Plaza", "Sur site", "Bureau", "ZZZ9", "Lorem ipsum dolor sit amet",
])
def test_unknown_text_is_unknown_not_a_guess(text):
    place = resolve_place(text)
    assert place.kind == "unknown"
    assert place.confidence == 0.0
    assert (place.city, place.insee_code, place.department, place.region, place.country) == \
        (None, None, None, None, None)


def test_a_foreign_hint_takes_the_text_as_a_city_there():
    london = resolve_place("London", country_hint="United Kingdom")
    assert (london.kind, london.city, london.country) == ("city", "London", "GB")
    assert london.confidence < 0.9  # the city itself was not checked
    assert resolve_place("Paris", country_hint="US").country == "US"
    assert resolve_place("Jakarta", country_hint="ID").country == "ID"


# --- recorded samples ------------------------------------------------------------------------

def france_travail_records() -> list[dict]:
    search = json.loads(fixture(
        "jobs/francetravail_offres_search_2025-11-13_range0-149_first20.json"))["resultats"]
    edge = json.loads(fixture("jobs/francetravail_offres_selected_edgecases_2025-11.json"))
    return search + edge


@pytest.mark.parametrize("record", france_travail_records(), ids=lambda r: r["id"])
def test_france_travail_libelle_alone_gives_the_commune_france_travail_gives(record):
    place_of_work = record["lieuTravail"]
    label = place_of_work["libelle"]
    place = resolve_place(label)
    if place_of_work.get("commune"):
        assert place.insee_code == place_of_work["commune"]
        if place_of_work.get("codePostal"):
            full = resolve_place(label, postal_code=place_of_work["codePostal"],
                                 insee_code=place_of_work["commune"])
            assert full.postal_code == place_of_work["codePostal"]
    elif re.match(r"\d{2,3} - ", label):
        assert place.department == label.split(" - ")[0]
    else:
        assert (place.kind, place.country) == ("country", "FR")  # "France"


def test_ted_place_of_performance_nuts_codes():
    notice = json.loads(fixture(
        "tenders/ted_v3_search_competition_FRA-BEL-LUX_first1.json"))["notices"][0]
    places = [resolve_nuts(code) for code in notice["place-of-performance"]]
    assert all(places)
    combined = combine_places(places)  # ["FRL05", "FRA", ...]: Var, in France
    assert (combined.kind, combined.department, combined.region) == ("department", "83", "93")
    assert resolve_country(notice["buyer-country"][0]) == "FR"


def test_a_cross_border_notice_is_placed_in_its_french_part():
    notice = json.loads(fixture(
        "tenders/ted_v3_search_award_FRA-BEL-LUX_first1.json"))["notices"][0]
    assert set(notice["place-of-performance"]) == {"FRK28", "CH013", "FRA", "CHE"}  # Geneva
    combined = combine_places([resolve_nuts(code) for code in notice["place-of-performance"]])
    assert (combined.kind, combined.department, combined.country) == ("department", "74", "FR")
    # no French part: no one place
    assert combine_places([resolve_nuts("BE100"), resolve_nuts("NL329")]) is None


def test_boamp_department_codes_and_legacy_places():
    records = json.loads(fixture("tenders/boamp_explore_v21_records_recent_first2.json"))
    for record in records["results"]:
        (code,) = record["code_departement"]
        place = resolve_place(None, department=code)
        assert (place.kind, place.department) == ("department", code)
    legacy = fixture("tenders/boamp_legacy_xml_FNS_appel_offre_16-652.xml").decode()
    town = re.search(r"<VILLE>([^<]+)</VILLE>", legacy).group(1)  # "St etienne"
    postal = re.search(r"<CP>([^<]+)</CP>", legacy).group(1)  # a CEDEX code
    place = resolve_place(town, postal_code=postal)
    assert (place.insee_code, place.postal_code) == ("42218", "42055")
    # NUTS 2013 (FR715) is not in our NUTS 2021 table: France, and no more than that.
    assert fields(resolve_nuts("FR715")) == ("country", None, None, None, None, "FR")


def test_eforms_example_addresses():
    xml = fixture("tenders/eforms_sdk_example_cn_24_FRA_comments.xml").decode()
    cities = re.findall(r"<cbc:CityName>([^<]+)</cbc:CityName>", xml)
    postals = re.findall(r"<cbc:PostalZone>([^<]+)</cbc:PostalZone>", xml)
    nuts = re.findall(r"<cbc:CountrySubentityCode listName=\"nuts\">([^<]+)<", xml)
    assert resolve_place(cities[0], postal_code=postals[0]).insee_code == "76540"  # Rouen Cedex 1
    assert {resolve_nuts(code).department for code in nuts if code.startswith("FR")} == {"76"}
    assert resolve_nuts("LU000").country == "LU"


def ats_locations() -> list[tuple[str, str | None, str]]:
    """(location text, the source's own country field, the country it must resolve to)."""
    out: list[tuple[str, str | None, str]] = []
    greenhouse = json.loads(fixture("jobs/greenhouse_codepath_jobs_list_2024-08-05.json"))
    out += [(job["location"]["name"], None, "US") for job in greenhouse["jobs"]]
    for name in ("recruitee_manual_offers_2024-08-08_first6.json",
                 "recruitee_radishlab_offers_2024-08-08.json"):
        for offer in json.loads(fixture(f"jobs/{name}"))["offers"]:
            out.append((offer["location"], offer["country_code"], offer["country_code"]))
    for posting in json.loads(fixture("jobs/lever_gotogroup_postings_2024-07-30_first5.json")):
        out.append((posting["categories"]["location"], posting["country"], posting["country"]))
    listing = json.loads(fixture("jobs/smartrecruiters_gousto1_postings_list_2024-08-08.json"))
    for posting in listing["content"]:
        place = posting["location"]
        out.append((place["city"], place["country"], "GB"))
    workable = json.loads(fixture("jobs/workable_kroo_widget_accounts_details_2024-08-08.json"))
    out += [(f"{job['city']}, {job['country']}", None, "GB") for job in workable["jobs"]]
    workday = json.loads(fixture(
        "jobs/workday_motorolasolutions_cxs_jobs_offset0_2024-08-08.json"))
    expected = {"Krakow, Poland": "PL", "Penang, Malaysia": "MY", "Sao Paulo, Brazil": "BR",
                "Chicago, IL": "US", "Plantation, FL": "US", "Germany (ZWG133)": "DE",
                "British Columbia": "CA"}
    for job in workday["jobPostings"]:
        text = job["locationsText"]
        country = next((c for k, c in expected.items() if k in text), "US")
        out.append((text, None, country))
    return out


@pytest.mark.parametrize("text, source_country, country", ats_locations())
def test_ats_location_strings_resolve_to_their_country(text, source_country, country):
    place = resolve_place(text, country_hint=source_country or "FR")
    assert place.country == country
    assert place.department is None  # never a French department for a foreign place


@pytest.mark.parametrize("text, source_country, country", ats_locations())
def test_ats_location_strings_with_no_country_hint_are_never_french(text, source_country,
                                                                     country):
    """What normalize_listing now asks for an item without a country field."""
    place = resolve_place(text, country_hint=source_country)
    assert place.country == country
    assert place.department is None


def workday_details() -> list[dict]:
    return [json.loads(path.read_bytes())["jobPostingInfo"]
            for path in sorted((FIXTURES / "jobs").glob("workday_*_cxs_job_R*.json"))]


@pytest.mark.parametrize("info", workday_details(), ids=lambda i: i["jobReqId"])
@pytest.mark.parametrize("hint", ["alpha2", "descriptor", None])
def test_workday_site_codes_never_end_up_in_the_city(info, hint):
    """"United Kingdom Offsite (ZUK99)" (R48704): the remote word is removed first, which
    used to leave "United Kingdom ( ZUK99 )" as a city."""
    country = info["jobRequisitionLocation"]["country"]
    place = resolve_place(info["location"], country_hint={
        "alpha2": country["alpha2Code"], "descriptor": country["descriptor"], None: None}[hint])
    assert place.country == "GB"
    assert place.city is None or ("(" not in place.city and "ZUK" not in place.city)
    if "Offsite" in info["location"]:
        assert (place.kind, place.city, place.remote) == ("country", None, True)
    else:
        assert (place.kind, place.remote) == ("city", False)
        assert place.city == info["location"].split(",")[0]


@pytest.mark.parametrize("text, expected", [
    ("United Kingdom Offsite (ZUK99)", ("country", None, "GB", True)),
    ("Uxbridge, UK (ZUK131)", ("city", "Uxbridge", "GB", False)),
    ("Remote (ZUK99)", ("remote", None, None, True)),
    ("Schleswig-Holstein/Berlin, Germany (ZWG133)",
     ("city", "Schleswig-Holstein/Berlin", "DE", False)),
    ("Télétravail (ABC123)", ("remote", None, None, True)),
])
def test_trailing_site_codes_go_with_or_without_remote_words(text, expected):
    place = resolve_place(text, country_hint=None)
    assert (place.kind, place.city, place.country, place.remote) == expected


# With no country at all, France is not assumed: French evidence, or a bare commune name that no
# much larger foreign city bears. (text, kind, city, department, country, ambiguous)
NO_COUNTRY = [
    # a foreign city 10 times as populous as the largest commune of the name: the foreign city
    ("Montreal", "city", "Montréal", None, "CA", True),
    ("Montréal", "city", "Montréal", None, "CA", True),
    ("Montreal (Quebec)", "city", "Montréal", None, "CA", True),
    ("Montreal Remote", "city", "Montréal", None, "CA", True),
    ("Lagos", "city", "Lagos", None, "NG", True),
    ("Mons", "city", "Mons", None, "BE", True),
    ("Mons, Hainaut", "city", "Mons", None, "BE", True),
    ("Fribourg", "city", "Fribourg", None, "CH", True),
    # French evidence: a code, "France", a French department or region beside the name
    ("Montréal (11)", "commune", "Montréal", "11", "FR", False),
    ("Montréal (Aude)", "commune", "Montréal", "11", "FR", False),
    ("Montréal, Aude", "commune", "Montréal", "11", "FR", False),
    ("11 - Montréal", "commune", "Montréal", "11", "FR", False),
    ("11290 Montréal", "commune", "Montréal", "11", "FR", False),
    ("Montreal, France", "commune", "Montréal", "11", "FR", True),  # still 4 communes
    ("Montreal, FR", "commune", "Montréal", "11", "FR", True),
    ("Mons (31)", "commune", "Mons", "31", "FR", False),  # INSEE 31355
    # a French commune larger, or a foreign homonym less than 10 times larger: French, and
    # ambiguous when the foreign city is at least as large
    ("Paris", "commune", "Paris", "75", "FR", False),
    ("Lyon", "commune", "Lyon", "69", "FR", False),
    ("Brest", "commune", "Brest", "29", "FR", True),  # Brest, Belarus is larger
    ("Orléans", "commune", "Orléans", "45", "FR", True),  # Orléans, Ontario
    ("Laval", "commune", "Laval", "53", "FR", True),  # Laval, Québec: 8.9 times
    ("Rungis", "commune", "Rungis", "94", "FR", False),  # no foreign homonym
    ("Saint-Denis, La Réunion", "commune", "Saint-Denis", "974", "FR", False),
    ("Paris (75)", "commune", "Paris", "75", "FR", False),
    ("75008 Paris", "commune", "Paris 8e Arrondissement", "75", "FR", False),
    ("Bouches-du-Rhône", "department", None, "13", "FR", False),
    # nothing French, nothing known
    ("San Francisco", "unknown", None, None, None, False),
    ("Jakarta", "unknown", None, None, None, False),
    ("Bengaluru", "unknown", None, None, None, False),
    ("10115 Berlin", "unknown", None, None, None, False),  # no French postal code: 10 is Aube
    ("Berlin, 10115", "unknown", None, None, None, False),
]


@pytest.mark.parametrize("text, kind, city, department, country, ambiguous", NO_COUNTRY)
def test_with_no_country_france_needs_evidence(text, kind, city, department, country,
                                               ambiguous):
    place = resolve_place(text, country_hint=None)
    assert (place.kind, place.city, place.department, place.country, place.ambiguous) == \
        (kind, city, department, country, ambiguous)
    if kind == "city":
        assert place.confidence == 0.5


@pytest.mark.parametrize("text, insee", [
    ("Montreal", "11254"), ("Mons", "31355"), ("Lagos", "64302"), ("Brest", "29019"),
])
def test_the_french_default_hint_still_claims_the_commune(text, insee):
    """resolve_place's own default (and --location filters) keep France."""
    assert resolve_place(text).insee_code == insee


def test_with_no_country_a_us_zip_is_no_french_postal_code():
    place = resolve_place("San Francisco", postal_code="94105", country_hint=None)
    assert (place.kind, place.department) == ("unknown", None)
    # alone, or beside the commune that has it, a postal code is still French evidence
    assert resolve_place(None, postal_code="75008", country_hint=None).insee_code == "75108"
    assert resolve_place("Paris", postal_code="75008", country_hint=None).insee_code == "75108"
    assert resolve_place("Montréal", postal_code="11290", country_hint=None).insee_code == \
        "11254"


def test_the_foreign_homonyms_file():
    data = json.loads((DATA / "foreign_homonyms.json").read_text(encoding="utf-8"))
    assert "GeoNames" in data["source"]
    rows = data["cities"]
    assert len(rows) > 100 and rows == sorted(rows)
    names = geography().by_name
    french = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "TF", "WF", "PF", "NC"}
    for key, country, population, name in rows:
        assert key in names and fold(name) == key
        assert country not in french and population >= 15000
    assert ["montreal", "CA", 1762949, "Montréal"] in rows


def test_recruitee_remote_flags_match_the_text():
    offers = json.loads(fixture("jobs/recruitee_radishlab_offers_2024-08-08.json"))["offers"]
    for offer in offers:
        if offer["location"].startswith("Remote"):
            assert resolve_place(offer["location"], country_hint=offer["country_code"]).remote


# --- every commune, and the data file -------------------------------------------------------

def test_every_commune_resolves_from_the_france_travail_form_and_by_postal_code():
    geo = geography()
    wrong = []
    for commune in geo.communes.values():
        if resolve_place(f"{commune.department} - {commune.name.upper()}").insee_code \
                != commune.code:
            wrong.append(commune.code)
        if commune.postal_codes:
            found = resolve_place(f"{commune.name} ({commune.postal_codes[0]})").insee_code
            # Paris (75001) is more precisely its 1st arrondissement.
            if found != commune.code and geo.communes[found].parent != commune.code:
                wrong.append(commune.code)
    assert wrong == []


def test_every_name_alone_gives_the_most_populous_commune_of_that_name():
    geo = geography()
    for key, communes in geo.by_name.items():
        place = resolve_place(communes[0].name)
        if place.kind == "commune":
            assert place.insee_code == communes[0].code, key
            assert place.ambiguous == (len(communes) > 1), key
        else:  # the name of a department, region or country too ("Vienne", "Argentine")
            assert key in geo.department_by_name or key in geo.region_by_name \
                or key in geo.area_by_name or resolve_country(communes[0].name), key


def test_the_geography_is_complete():
    geo = geography()
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    overseas = {"971", "972", "973", "974", "976"}
    assert metropolitan | overseas <= set(geo.departments)
    assert len(geo.regions) >= 18
    assert len([c for c in geo.communes.values() if not c.parent]) > 34_900
    assert len(geo.arrondissements["75056"]) == 20
    assert len(geo.arrondissements["13055"]) == 16
    assert len(geo.arrondissements["69123"]) == 9
    # Every department of France and the DROM has its NUTS-3 code, in the right region.
    nuts3 = {next(iter(a.departments)): code for code, a in geo.nuts.items()
             if len(code) == 5 and a.departments}
    assert set(nuts3) == metropolitan | overseas
    assert nuts3["83"] == "FRL05" and nuts3["75"] == "FR101" and nuts3["971"] == "FRY10"
    for code, area in geo.nuts.items():
        if len(code) == 3 and area.departments and code != "FRY":
            assert len({geo.departments[d].region for d in area.departments}) == 1, code


def test_the_data_file_is_compact_and_names_its_sources():
    path = DATA / "geography.json.gz"
    assert path.stat().st_size < 2 * 1024 * 1024
    sources = geography().sources
    assert "@etalab/decoupage-administratif@6.0.0" in sources["communes"]
    assert "NUTS 2021" in sources["nuts"]
    assert "6.0.0" in (DATA / "README.md").read_text(encoding="utf-8")


def test_importing_the_package_loads_neither_the_geography_nor_dateparser():
    code = ("import sys, aggregator.normalize as n\n"
            "from aggregator.normalize.geography import geography\n"
            "print(geography.cache_info().currsize, 'dateparser' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "False"]


def test_folding():
    assert fold("St-Étienne") == fold("SAINT ETIENNE") == "saint etienne"
    assert fold("L'Haÿ-les-Roses") == "l hay les roses"
    assert fold("Œuilly") == "oeuilly"
    assert fold("Val-d’Oise") == fold("Val d'Oise") == "val d oise"
    assert fold("Saint-E\u0301tienne") == "saint etienne"  # decomposed accents


def test_fixtures_directory_is_the_recorded_one():
    assert (FIXTURES / "PROVENANCE.md").exists()


def test_areas_name_the_same_departments_and_regions_as_the_geography():
    from aggregator.normalize.geography import areas, geography

    assert areas().departments == geography().departments
    assert areas().regions == geography().regions
