"""Contract types and working time, from codes, labels and the recorded samples."""

from __future__ import annotations

import json

import pytest

from aggregator.normalize import CONTRACT_TYPES, parse_contract, parse_working_time
from tests.sites import fixture


@pytest.mark.parametrize("value, expected", [
    # France Travail typeContrat codes
    ("CDI", "cdi"), ("CDD", "cdd"), ("MIS", "interim"), ("SAI", "cdd"), ("LIB", "freelance"),
    ("CCE", "freelance"), ("DIN", "cdi"), ("DDI", "cdd"), ("TTI", "interim"), ("FRA", "other"),
    ("REP", "other"), ("Franchise", "other"), ("Franchisé", "other"),  # same answer, code or label
    # France Travail labels
    ("CDD - 3 Mois", "cdd"), ("Intérim - 2 Mois", "interim"), ("Saisonnier - 4 Mois", "cdd"),
    ("CDD - 7 Jour(s)", "cdd"), ("Profession libérale", "freelance"),
    ("Cont. professionnalisation", "apprenticeship"), ("Contrat apprentissage", "apprenticeship"),
    ("Emploi non salarié", "freelance"), ("Contrat d'usage", "cdd"),
    (["CDD", "alternance"], "apprenticeship"), (["CDI", "alternance"], "apprenticeship"),
    # schema.org employmentType
    ("CONTRACTOR", "freelance"), ("TEMPORARY", "cdd"), ("INTERN", "internship"),
    ("VOLUNTEER", "other"), ("PER_DIEM", "other"), ("OTHER", "other"),
    (["FULL_TIME", "CONTRACTOR"], "freelance"), (["FULL_TIME", "INTERN"], "internship"),
    # ATS labels
    ("Permanent", "cdi"), ("Contract", "freelance"), ("Stage", "internship"),
    ("Alternance", "apprenticeship"), ("fulltime_permanent", "cdi"), ("contract", "freelance"),
    ("Fixed-term contract", "cdd"), ("Fixed Term", "cdd"), ("Internship", "internship"),
    ("Apprenticeship", "apprenticeship"), ("Freelance", "freelance"), ("Temporary", "cdd"),
    ("CDI intérimaire", "cdi"), ("Contrat à durée indéterminée", "cdi"),
    ("Contrat à durée déterminée", "cdd"), ("Stage de fin d'études", "internship"),
    ("Festanstellung", "cdi"), ("Werkstudent", "internship"), ("VIE", "other"),
    ({"id": "permanent", "label": "Full-time"}, "cdi"),
    ({"id": "intern", "label": "Internship"}, "internship"),
])
def test_contract_labels_map_to_the_taxonomy(value, expected):
    assert parse_contract(value) == expected
    assert expected in CONTRACT_TYPES


# "contract" inside a longer label is the word for any employment contract; only the label
# "Contract" itself (Recruitee `contract`, Workable "Contract"), or one that starts with it, is
# a contractor's engagement.
@pytest.mark.parametrize("value, contract, working_time", [
    ("Permanent contract", "cdi", None),
    ("Contract type: Permanent", "cdi", None),
    ("Permanent Contract, Full-time", "cdi", "full_time"),
    ("Part-time contract", None, "part_time"),
    ("Full-time contract", None, "full_time"),
    ("Employment contract", None, None),
    ("Contract of employment: permanent", "cdi", None),
    ("Fixed-term contract, Part-time", "cdd", "part_time"),
    ("Temporary contract", "cdd", None),
    ("Freelance contract", "freelance", None),
    ("Contract", "freelance", None),  # Workable employment_type
    ("contract", "freelance", None),  # Recruitee employment_type_code
    ("CONTRACT", "freelance", None),
    ("Contract - 6 months", "freelance", None),
    ("Contract, Full-time", "freelance", "full_time"),
    ("Contract role", "freelance", None),
    ("On a contract basis", "freelance", None),
    ("Contractor", "freelance", None),
    ("Independent contractor", "freelance", None),
    # Google Talent CONTRACT_TO_HIRE: "also returned by a search for CONTRACTOR jobs"
    ("CONTRACT_TO_HIRE", "freelance", None),
    # HAPI (vonq) EmploymentType enum
    ("fixedTermWithOptionForPermanent", "cdd", None), ("FIXED_TERM", "cdd", None),
    ("traineeship", "internship", None),
    # Recruitee employment_type_code and the other fixtures' labels
    ("fulltime_permanent", "cdi", "full_time"), ("parttime_fixed_term", "cdd", "part_time"),
    ("fulltime", None, "full_time"), ("Full time", None, "full_time"),  # Workday timeType
    ({"id": "permanent", "label": "Full-time"}, "cdi", "full_time"),  # SmartRecruiters
])
def test_contract_word_and_ats_labels(value, contract, working_time):
    assert (parse_contract(value), parse_working_time(value)) == (contract, working_time)


@pytest.mark.parametrize("value", [
    "Full-time", "FULL_TIME", "PART_TIME", "Part-time", "fulltime", "Contrat travail", "xyz",
    "", None, True, 3, [], {}, "Temps plein",
])
def test_labels_that_state_no_contract_give_none(value):
    assert parse_contract(value) is None


@pytest.mark.parametrize("value, expected", [
    ("Temps plein", "full_time"), ("Temps partiel", "part_time"), ("FULL_TIME", "full_time"),
    ("PART_TIME", "part_time"), ("Full-time", "full_time"), ("Part time", "part_time"),
    ("Full time", "full_time"), ("fulltime_permanent", "full_time"), ("Mi-temps", "part_time"),
    ("35H/semaine\nTravail en journée", "full_time"), ("39H/semaine", "full_time"),
    ("Temps partiel - 18H/semaine", "part_time"), ("20h par semaine", "part_time"),
    ("37.5 hours per week", "full_time"), ("35H", "full_time"),
    (["FULL_TIME", "CONTRACTOR"], "full_time"), ({"id": "permanent", "label": "Full-time"},
                                                  "full_time"),
    (["FULL_TIME", "PART_TIME"], None),  # both: unknown
    ("Travail en journée", None), ("CDI", None), ("", None), (None, None),
])
def test_working_time(value, expected):
    assert parse_working_time(value) == expected


def france_travail_offers() -> list[dict]:
    search = json.loads(fixture(
        "jobs/francetravail_offres_search_2025-11-13_range0-149_first20.json"))["resultats"]
    return search + json.loads(fixture("jobs/francetravail_offres_selected_edgecases_2025-11.json"))


@pytest.mark.parametrize("offer", france_travail_offers(), ids=lambda o: o["id"])
def test_france_travail_offers(offer):
    expected = {"CDI": "cdi", "CDD": "cdd", "MIS": "interim", "SAI": "cdd", "LIB": "freelance"}
    labels = [offer["typeContrat"]] + (["alternance"] if offer["alternance"] else [])
    contract = parse_contract(labels)
    assert contract == ("apprenticeship" if offer["alternance"]
                        else expected[offer["typeContrat"]])
    assert parse_contract(offer["typeContratLibelle"]) == expected[offer["typeContrat"]]
    assert parse_contract(offer["natureContrat"]) in (None, "apprenticeship", "freelance", "cdd")
    converted = offer.get("dureeTravailLibelleConverti")
    if converted:
        assert parse_working_time(converted) == \
            {"Temps plein": "full_time", "Temps partiel": "part_time"}[converted]
        assert parse_working_time(offer["dureeTravailLibelle"]) == parse_working_time(converted)


def test_ats_samples():
    listing = json.loads(fixture("jobs/smartrecruiters_gousto1_postings_list_2024-08-08.json"))
    for posting in listing["content"]:
        employment = posting["typeOfEmployment"]  # {"id": "permanent", "label": "Full-time"}
        assert parse_contract([employment["id"], employment["label"]]) == "cdi"
        assert parse_working_time(employment["label"]) == "full_time"
    for posting in json.loads(fixture("jobs/lever_gotogroup_postings_2024-07-30_first5.json")):
        assert parse_contract(posting["categories"]["commitment"]) == "cdi"  # "Permanent"
    offers = json.loads(fixture("jobs/recruitee_radishlab_offers_2024-08-08.json"))["offers"]
    offers += json.loads(fixture("jobs/recruitee_manual_offers_2024-08-08_first6.json"))["offers"]
    codes = {o["employment_type_code"]: parse_contract(o["employment_type_code"]) for o in offers}
    assert codes == {"fulltime_permanent": "cdi", "contract": "freelance", "fulltime": None}
    workable = json.loads(fixture("jobs/workable_kroo_widget_accounts_details_2024-08-08.json"))
    assert {parse_working_time(j["employment_type"]) for j in workable["jobs"]} == {"full_time"}
    detail = json.loads(fixture("jobs/workday_motorolasolutions_cxs_job_R45693_2024-08-08.json"))
    assert parse_working_time(detail["jobPostingInfo"]["timeType"]) == "full_time"
