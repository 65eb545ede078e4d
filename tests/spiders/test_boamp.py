"""BOAMP spider on its recorded real records (tests/fixtures/tenders, PROVENANCE.md).

Records with a broken or changed field, corrigenda, cancellations and award notices are
derived in this file from the two real records, never saved as fixtures.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import select

from aggregator.store.models import Listing as ListingRow
from aggregator.store.models import ListingChange
from spiders.boamp import BoampSpider, linked_ids
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

URL = ("https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp/"
       "records")
DAY = date(2026, 8, 12)


def page() -> dict:
    return json.loads(fixture("tenders/boamp_explore_v21_records_recent_first2.json"))


def records() -> list[dict]:
    return page()["results"]


def parse(results: list, *, total: int | None = None, spider: BoampSpider | None = None,
          days: list[date] | None = None):
    spider = spider or make_spider(BoampSpider)
    spider.days = days or [DAY]
    body = json.dumps({"total_count": len(results) if total is None else total,
                       "results": results}).encode()
    meta = {"day_index": 0, "offset": 0, "descending": True, "total": None, "limit": 100}
    items, requests = split(spider.parse_page(response(URL, body, meta)))
    return spider, items, requests


def lots(title_numbers: list[str], deadline: list[str]) -> list[dict]:
    return [{"id": f"LOT-000{i}", "title": t, "deadline_at": deadline, "cpv": ["44113310"],
             "estimated_value": None} for i, t in enumerate(title_numbers, start=1)]


# -- the recorded page, field by field -----------------------------------------------------

def test_recorded_records_map_every_field():
    spider, items, _ = parse(records(), total=2)
    assert [i["source_id"] for i in items] == ["26-79589", "26-79592"]
    first, second = items
    assert fields(first) == {
        "kind": "tender", "source": "boamp", "source_id": "26-79589",
        "url": "https://www.boamp.fr/pages/avis/?q=idweb:26-79589",
        "title": "FOURNITURE ET LIVRAISON DE MATERIAUX ENROBES DENSES A L'EMULSION DE BITUME",
        "organization": "Conseil Départemental Haute-Vienne", "buyer_id": "22870851700989",
        "description": "Les prestations à réaliser au titre du présent accord-cadre concernent"
                       " la fourniture et la livraison de matériaux enrobés denses à "
                       "l'émulsion de bitume nécessaires aux réparations et à l'entretien des"
                       " routes départementales de la Haute-Vienne.",
        "published_at": "2026-08-12", "modified_at": "2026-08-12",
        "deadline_at": None,  # the lots say it: the earliest open one
        "department": "87", "location": None, "postal_code": None, "nuts": ["FRI23"],
        # no place of work named: the buyer's address says where (the normaliser's choice)
        "buyer_location": "Limoges", "buyer_postal_code": "87000",
        "country": "FR", "cpv": ["44113310"],
        "descriptors": [{"code": "365", "label": "Voirie"}],
        "procedure": "open", "contract_nature": "supplies",
        "estimated_value": None, "currency": None,
        "lots": lots(["1 - MDD de Nantiat", "2 - MDD de Châteauneuf la Forêt",
                      "3 - MDD du Dorat", "4 - MDD de Saint-Mathieu"],
                     ["2026-09-22+02:00", "12:00:00+02:00"]),
        "status": "open", "notice_type": "cn-standard",
        "match_keys": [
            "eforms-notice:c3841933-b81c-4e98-8d11-ea5ee984bb5e",
            "eforms-procedure:8322a903-ca9b-47ed-83da-f2cdd3abba75",
            "tender:2026-09-22|conseil departemental de la haute vienne|fourniture et "
            "livraison de materiaux enrobes denses a l emulsion de bitume"],
        "extra": {"idweb": "26-79589", "famille": "JOUE", "nature": "APPEL_OFFRE",
                  "etat": "INITIAL", "departments": ["87"], "notice_version": "01"},
    }
    assert first["raw"] == records()[0]
    assert fields(second) == {
        "kind": "tender", "source": "boamp", "source_id": "26-79592",
        "url": "https://www.boamp.fr/pages/avis/?q=idweb:26-79592",
        # objet is kept: the eForms title is not a longer version of it
        "title": "26NOVO18 FOURNITURE ET LIVRAISON REPAS EN LIAISON FROIDE SUR TROIS UNITES "
                 "DE L'HOPITAL NOVO",
        "organization": "95 CH", "buyer_id": "26950015300011",
        "description": "26NOVO18 FOURNITURE ET LIVRAISON REPAS EN LIAISON FROIDE SUR TROIS "
                       "UNITES DE L'HOPITAL NOVO",
        "published_at": "2026-08-12", "modified_at": "2026-08-12", "deadline_at": None,
        "department": "95", "location": "PONTOISE", "postal_code": "95300",
        "buyer_location": "PONTOISE", "buyer_postal_code": "95300",
        "nuts": ["FR108"], "country": "FR", "cpv": ["55521200"],
        "descriptors": [{"code": "274", "label": "Prestations de services"},
                        {"code": "304", "label": "Repas, traiteur"}],
        "procedure": "open", "contract_nature": "services",
        "estimated_value": None, "currency": None,
        "lots": [{"id": "LOT-0001", "title": "26NOVO18 FOURNITURE ET LIVRAISON REPAS EN "
                  "LIAISON FROIDE SUR TROIS UNITES DE L'HOPITAL NOVO",
                  "deadline_at": ["2026-09-30+02:00", "12:00:00.000+02:00"],
                  "cpv": ["55521200"], "estimated_value": None}],
        "status": "open", "notice_type": "cn-standard",
        "match_keys": [
            "eforms-notice:46da3bbe-be99-4f57-b23e-b2052a36d9ef",
            "eforms-procedure:e429fd31-fb80-4c46-8a34-c5e4d5165d4a",
            "tender:2026-09-30|95 ch|fourniture et livraison repas en liaison froide sur "
            "trois unites de l hopital novo"],
        "extra": {"idweb": "26-79592", "famille": "JOUE", "nature": "APPEL_OFFRE",
                  "etat": "INITIAL", "departments": ["95"], "notice_version": "01"},
    }
    assert stats(spider).get("aggregator/superseded") is None


@pytest.mark.parametrize(("name", "idweb", "buyer_id"), [
    ("awards_first1", "26-79727", "2160045800017"),  # 13 digits as published: kept as given
    ("recent_first2", "26-79589", "22870851700989"),
    ("recent_first2", "26-79592", "26950015300011"),
    ("recent_records3-5", "26-79675", "20009320100081"),
    # the buyer's CompanyID is an "eu" scheme code (63217), not a SIRET
    ("recent_records3-5", "26-79683", None),
    # the SIRET of the buyer the contracting party points to, not of the other organisations
    ("recent_records3-5", "26-79752", "26630746100019"),
])
def test_the_buyers_siret_comes_from_its_eforms_company_id(name, idweb, buyer_id):
    recorded = json.loads(fixture(f"tenders/boamp_explore_v21_records_{name}.json"))["results"]
    _, items, _ = parse([r for r in recorded if r["idweb"] == idweb])
    assert [(i["source_id"], i.get("buyer_id")) for i in items] == [(idweb, buyer_id)]
    assert normalized(items[0])["buyer_id"] == buyer_id


def test_normalised_deadline_is_the_exact_instant_not_the_shifted_flat_field():
    _, items, _ = parse(records(), total=2)
    first, second = (normalized(i) for i in items)
    # 26-79592's flat datelimitereponse says 12:00 UTC: the notice says 12:00 Paris time.
    assert records()[1]["datelimitereponse"] == "2026-09-30T12:00:00+00:00"
    assert second["deadline_at"] == datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    assert first["deadline_at"] == datetime(2026, 9, 22, 10, 0, tzinfo=UTC)
    assert (first["deadline_time_given"], second["deadline_time_given"]) == (True, True)
    assert [lot["deadline_at"] for lot in first["lots"]] == ["2026-09-22T12:00:00+02:00"] * 4
    assert (first["department"], first["region"], first["country"]) == ("87", "75", "FR")
    # 26-79589 names no place of work but the Haute-Vienne: its buyer is in Limoges
    assert (first["city"], first["details"]["place_source"]) == ("Limoges", "buyer address")
    assert "place_source" not in second["details"]  # it names its own (Pontoise)
    assert (second["department"], second["region"], second["city"],
            second["postal_code"]) == ("95", "11", "Pontoise", "95300")
    assert first["published_at"] == datetime(2026, 8, 11, 22, 0, tzinfo=UTC)
    assert (first["cpv"], first["status"], first["details"]["descriptors"]) == (
        ["44113310"], "open", [{"code": "365", "label": "Voirie"}])


# -- deadline sources, defensive parsing ---------------------------------------------------

def _without_lot_deadlines(record: dict) -> dict:
    donnees = json.loads(record["donnees"])
    notice = donnees["EFORMS"]["ContractNotice"]
    for lot in notice["cac:ProcurementProjectLot"] if isinstance(
            notice["cac:ProcurementProjectLot"], list) else [notice["cac:ProcurementProjectLot"]]:
        del lot["cac:TenderingProcess"]["cac:TenderSubmissionDeadlinePeriod"]
    return {**record, "donnees": json.dumps(donnees)}


def test_deadline_falls_back_to_gestion_then_to_the_flat_field():
    record = _without_lot_deadlines(records()[1])
    _, (item,), _ = parse([record])
    assert item["deadline_at"] == "2026-09-30T12:00:00.000+02:00"  # gestion's
    assert normalized(item)["deadline_at"] == datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    _, (flat,), _ = parse([{**record, "gestion": None}])
    assert flat["deadline_at"] == "2026-09-30T12:00:00+00:00"  # nothing better left


def test_donnees_and_gestion_given_as_objects_read_the_same():
    as_strings = parse(records())[1]
    as_objects = [{**r, "donnees": json.loads(r["donnees"]), "gestion": json.loads(r["gestion"])}
                  for r in records()]
    objects = parse(as_objects)[1]
    assert [fields(i) for i in objects] == [fields(i) for i in as_strings]


def test_broken_donnees_still_gives_a_listing_from_the_flat_fields():
    record = {**records()[1], "donnees": records()[1]["donnees"][:5000]}  # cut JSON
    spider, (item,), _ = parse([record])
    assert (item["title"], item["organization"], item["department"]) == (
        records()[1]["objet"], "95 CH", "95")
    assert item["deadline_at"] == "2026-09-30T12:00:00.000+02:00"  # gestion still read
    assert (item["cpv"], item["lots"], item["notice_type"]) == ([], [], "appel_offre")
    assert item["match_keys"] == [
        "eforms-procedure:e429fd31-fb80-4c46-8a34-c5e4d5165d4a",  # the flat contractfolderid
        "tender:2026-09-30|95 ch|26novo18 fourniture et livraison repas en liaison froide sur"
        " trois unites de l hopital novo"]
    assert stats(spider)["aggregator/unreadable/donnees"] == 1


def test_bad_records_are_counted_and_the_page_goes_on():
    broken = {**records()[0], "gestion": "{not json", "donnees": 42, "idweb": "26-79590"}
    spider, items, _ = parse(["not a record", {"objet": "no idweb"}, broken, records()[1]])
    assert [i["source_id"] for i in items] == ["26-79590", "26-79592"]
    assert items[0]["deadline_at"] == "2026-09-22T10:00:00+00:00"  # only the flat field left
    counted = stats(spider)
    assert counted["aggregator/dropped/unreadable record"] == 1
    assert counted["aggregator/dropped/no idweb"] == 1
    assert counted["aggregator/unreadable/gestion"] == 1
    assert counted["aggregator/unreadable/donnees"] == 1


@pytest.mark.parametrize("codes, department, departments", [
    ({"code_departement_prestation": ["75", "92", "93"]}, "75", ["75", "92", "93"]),
    # no place of work: where the notice was filed
    ({"code_departement_prestation": None, "code_departement": ["13", "83"]}, "13",
     ["13", "83"]),
])
def test_every_department_is_kept(codes, department, departments):
    _, (item,), _ = parse([{**records()[0], **codes}])
    assert item["department"] == department  # the column holds one
    assert item["extra"]["departments"] == departments
    assert normalized(item)["department"] == department


def test_a_cut_objet_takes_the_full_eforms_title():
    record = {**records()[0], "objet": "FOURNITURE ET LIVRAISON DE MATERIAUX ENROBES..."}
    _, (item,), _ = parse([record])
    assert item["title"] == ("FOURNITURE ET LIVRAISON DE MATERIAUX ENROBES DENSES A "
                             "L'EMULSION DE BITUME")


# -- corrigenda, cancellations, awards -----------------------------------------------------

def corrigendum(new_deadline: str = "2026-10-06", idweb: str = "26-81234",
                published: str = "2026-08-20") -> dict:
    """A corrigendum of 26-79589 moving its deadline, derived from the real record."""
    record = copy.deepcopy(records()[0])
    donnees = json.loads(record["donnees"])
    notice = donnees["EFORMS"]["ContractNotice"]
    notice["cbc:VersionID"] = "02"
    for lot in notice["cac:ProcurementProjectLot"]:
        lot["cac:TenderingProcess"]["cac:TenderSubmissionDeadlinePeriod"]["cbc:EndDate"] = (
            f"{new_deadline}+02:00")
    gestion = json.loads(record["gestion"])
    gestion["REFERENCE"]["IDWEB"] = idweb
    gestion["REFERENCE"]["TYPE_AVIS"]["STATUT"] = {"RECTIFICATIF": ""}
    gestion["INDEXATION"]["DATE_LIMITE_REPONSE"] = f"{new_deadline}T12:00:00+02:00"
    record.update(idweb=idweb, id=idweb.replace("-", "_"), nature="RECTIFICATIF",
                  etat="RECTIFICATIF", annonce_lie=["26-79589"], dateparution=published,
                  url_avis=f"https://www.boamp.fr/pages/avis/?q=idweb:{idweb}",
                  donnees=json.dumps(donnees), gestion=json.dumps(gestion),
                  datelimitereponse=f"{new_deadline}T10:00:00+00:00")
    return record


def test_a_corrigendum_updates_the_notice_it_corrects():
    _spider, (item,), _ = parse([corrigendum()], days=[date(2026, 8, 20)])
    assert item["source_id"] == "26-79589"
    assert item["url"] == "https://www.boamp.fr/pages/avis/?q=idweb:26-79589"
    assert item["notice_type"] == "corrigendum" and item["status"] == "open"
    assert item["lots"][0]["deadline_at"] == ["2026-10-06+02:00", "12:00:00+02:00"]
    assert item["extra"]["applied_notice"] == "26-81234"
    assert item["extra"]["applied_notice_url"] == (
        "https://www.boamp.fr/pages/avis/?q=idweb:26-81234")
    assert item["match_keys"][:2] == [  # the same eForms notice, a new version
        "eforms-notice:c3841933-b81c-4e98-8d11-ea5ee984bb5e",
        "eforms-procedure:8322a903-ca9b-47ed-83da-f2cdd3abba75"]
    assert normalized(item)["deadline_at"] == datetime(2026, 10, 6, 10, 0, tzinfo=UTC)


def test_the_newest_word_wins_and_older_versions_are_skipped():
    spider = make_spider(BoampSpider)
    spider.days = [date(2026, 8, 20), DAY]  # newest day first, as the crawl reads them
    meta = {"offset": 0, "descending": True, "total": None, "limit": 100}
    newer = json.dumps({"total_count": 1, "results": [corrigendum()]}).encode()
    older = json.dumps({"total_count": 2, "results": records()}).encode()
    first, _ = split(spider.parse_page(response(URL, newer, {**meta, "day_index": 0})))
    second, _ = split(spider.parse_page(response(URL, older, {**meta, "day_index": 1})))
    assert [(i["source_id"], i["notice_type"]) for i in first + second] == [
        ("26-79589", "corrigendum"), ("26-79592", "cn-standard")]
    assert stats(spider)["aggregator/superseded"] == 1


def legacy_corrigendum(idweb: str = "26-81235", published: str = "2026-08-20") -> dict:
    """A RECTIFICATIF of 26-79589 in BOAMP's own form: only the flat fields and gestion (no
    eForms lots, CPV, NUTS or description), with a new deadline."""
    record = copy.deepcopy(records()[0])
    gestion = json.loads(record["gestion"])
    gestion["REFERENCE"]["IDWEB"] = idweb
    gestion["REFERENCE"]["TYPE_AVIS"]["STATUT"] = {"RECTIFICATIF": ""}
    gestion["INDEXATION"]["DATE_LIMITE_REPONSE"] = "2026-10-06T12:00:00+02:00"
    record.update(idweb=idweb, id=idweb.replace("-", "_"), nature="RECTIFICATIF",
                  etat="RECTIFICATIF", famille="FNS", annonce_lie=["26-79589"],
                  dateparution=published, donnees=None, gestion=json.dumps(gestion),
                  url_avis=f"https://www.boamp.fr/pages/avis/?q=idweb:{idweb}",
                  datelimitereponse="2026-10-06T10:00:00+00:00")
    return record


def test_an_original_met_after_its_legacy_correction_fills_only_what_it_left_empty(engine):
    spider = make_spider(BoampSpider)
    spider.days = [date(2026, 8, 20), DAY]  # newest day first, as the crawl reads them
    meta = {"offset": 0, "descending": True, "total": None, "limit": 100}
    newer = json.dumps({"total_count": 1, "results": [legacy_corrigendum()]}).encode()
    older = json.dumps({"total_count": 2, "results": records()}).encode()
    first, _ = split(spider.parse_page(response(URL, newer, {**meta, "day_index": 0})))
    second, _ = split(spider.parse_page(response(URL, older, {**meta, "day_index": 1})))
    correction, original, other = first + second
    assert (correction["source_id"], correction["amends"], correction["lots"],
            correction["cpv"]) == ("26-79589", True, [], [])
    assert (original["source_id"], other["source_id"]) == ("26-79589", "26-79592")
    assert original.get("amends") is None  # whole again: the original's fields are in
    # the correction's word stands ...
    assert original["deadline_at"] == "2026-10-06T12:00:00+02:00"
    assert original["notice_type"] == "corrigendum"
    assert original["extra"]["applied_notice"] == "26-81235"
    # ... and the original fills what it left empty
    assert original["lots"] == lots(["1 - MDD de Nantiat", "2 - MDD de Châteauneuf la Forêt",
                                     "3 - MDD du Dorat", "4 - MDD de Saint-Mathieu"],
                                    ["2026-09-22+02:00", "12:00:00+02:00"])
    assert (original["cpv"], original["nuts"]) == (["44113310"], ["FRI23"])
    assert original["description"].startswith("Les prestations à réaliser")
    assert (original["url"], original["published_at"], original["raw"]) == (
        "https://www.boamp.fr/pages/avis/?q=idweb:26-79589", "2026-08-12", records()[0])
    assert "eforms-notice:c3841933-b81c-4e98-8d11-ea5ee984bb5e" in original["match_keys"]
    assert stats(spider)["aggregator/older_notice_filled"] == 1
    assert stats(spider).get("aggregator/superseded") is None
    # stored in one batch, the later sighting (the completed original) wins
    store(engine, first + second, datetime(2026, 8, 20, 6, 0, tzinfo=UTC))
    with engine.connect() as conn:
        row = conn.execute(select(ListingRow).where(ListingRow.source_id == "26-79589")).one()
    assert row.deadline_at == datetime(2026, 10, 6, 10, 0, tzinfo=UTC)
    assert (row.cpv, len(row.lots)) == (["44113310"], 4)
    assert row.description.startswith("Les prestations à réaliser")
    # the same original again adds nothing
    again, _ = split(spider.parse_page(response(URL, older, {**meta, "day_index": 1})))
    assert again == []


@pytest.mark.parametrize("changes, status, target, notice_type", [
    ({"nature": "ANNULATION", "etat": "AVIS_ANNULE", "annonce_lie": ["26-79589"]},
     "cancelled", "26-79589", "cancellation"),
    ({"etat": "AVIS_ANNULE"}, "cancelled", "26-90000", "cancellation"),  # nothing linked
    ({"nature": "ATTRIBUTION", "annonce_lie": ["26-79589"]}, "closed", "26-79589", "award"),
    ({"nature": "ATTRIBUTION"}, "closed", "26-90000", "award"),  # never an open listing
    ({"nature": "APPEL_OFFRE",  # a relaunch names its predecessor: still its own listing
      "annonces_anterieures": json.dumps({"ANNONCE_ANTERIEURE": {
          "IDWEB": "25-123456", "DATE_PUBLICATION": "2025-10-15"}})},
     "open", "26-90000", "cn-standard"),
])
def test_cancellations_and_awards_apply_to_their_notice(changes, status, target, notice_type):
    record = {**records()[0], "idweb": "26-90000", **changes}
    _, (item,), _ = parse([record])
    assert (item["source_id"], item["status"], item["notice_type"]) == (
        target, status, notice_type)


def test_linked_ids_never_takes_a_date_for_an_idweb():
    nested = json.dumps([{"IDWEB": "14-151460", "DATE_PUBLICATION": "2014-10-15"},
                         {"IDWEB": "16-652", "DATE_PUBLICATION": "2016-01-05"}])
    assert linked_ids(nested) == ["14-151460", "16-652"]
    assert linked_ids(["26-22817"]) == ["26-22817"]
    assert linked_ids("26-22817") == ["26-22817"]
    assert linked_ids(None) == [] and linked_ids("{broken") == []


def test_corrections_reach_the_store_history(engine):
    _, originals, _ = parse(records())
    store(engine, originals)
    _, corrected, _ = parse([corrigendum()], days=[date(2026, 8, 20)])
    later = datetime(2026, 8, 20, 6, 0, tzinfo=UTC)
    result = store(engine, corrected, later)
    assert (result.new, result.updated) == (0, 1)
    with engine.connect() as conn:
        row = conn.execute(select(ListingRow).where(ListingRow.source_id == "26-79589")).one()
        history = conn.execute(select(ListingChange.field, ListingChange.old_value,
                                      ListingChange.new_value)
                               .where(ListingChange.listing_id == row.id)).all()
    assert row.deadline_at == datetime(2026, 10, 6, 10, 0, tzinfo=UTC)
    assert row.published_at == datetime(2026, 8, 11, 22, 0, tzinfo=UTC)  # the original's
    assert ("deadline_at", "2026-09-22T10:00:00+00:00", "2026-10-06T10:00:00+00:00") in history


def test_a_correction_of_a_notice_never_stored_is_kept(engine):
    _, corrected, _ = parse([corrigendum()], days=[date(2026, 8, 20)])
    store(engine, corrected, datetime(2026, 8, 20, 6, 0, tzinfo=UTC))
    with engine.connect() as conn:
        row = conn.execute(select(ListingRow)).one()
    assert (row.source_id, row.status, row.notice_type) == ("26-79589", "open", "corrigendum")
    assert row.title.startswith("FOURNITURE ET LIVRAISON DE MATERIAUX")
    assert row.deadline_at == datetime(2026, 10, 6, 10, 0, tzinfo=UTC)
    assert row.details["extra"]["applied_notice"] == "26-81234"


# -- the recorded corrigendum and cancellation of July 2006 (BOAMP's own form) -------------

def july_2006() -> dict[str, dict]:
    """The two recorded notices that amend others, by idweb (PROVENANCE.md)."""
    page = json.loads(fixture(
        "tenders/boamp_explore_v21_records_limit20_2006-07_annulation-rectificatif.json"))
    return {record["idweb"]: record for record in page["results"]}


CORRECTED = ["BWP06173060423D", "BWP06173080211A"]  # what the RECTIFICATIF names


def test_the_recorded_corrigendum_is_applied_to_the_notices_it_corrects():
    _spider, items, _ = parse([july_2006()["BWP06184060013B"]], days=[date(2006, 7, 5)])
    assert [i["source_id"] for i in items] == CORRECTED
    for item in items:
        assert item["amends"] is True
        assert (item["status"], item["notice_type"]) == ("open", "corrigendum")
        assert item["url"] == f"https://www.boamp.fr/pages/avis/?q=idweb:{item['source_id']}"
        assert item["extra"]["applied_notice"] == "BWP06184060013B"
        assert item["extra"]["linked_notices"] == CORRECTED
        assert item["extra"]["etat"] == "RECTIFICATIF"
        # the new deadline is only written in the correction ("lire : ...")
        assert item["deadline_at"] == "24 juillet 2006, à 12 heures"
        assert (normalized(item)["deadline_at"], normalized(item)["deadline_time_given"]) == (
            datetime(2006, 7, 24, 10, 0, tzinfo=UTC), True)
        assert item["title"].startswith("Travaux de fiabilisation et réglage des portes")
        assert item["organization"].startswith("voies Navigables de France")
        assert (item["department"], item["published_at"]) == ("68", "2006-07-05")


def test_the_recorded_cancellation_cancels_the_notice_it_names():
    _spider, (item,), _ = parse([july_2006()["BWP06181000031P"]], days=[date(2006, 7, 4)])
    assert (item["source_id"], item["status"], item["notice_type"]) == (
        "BWP06151100141C", "cancelled", "cancellation")
    assert item["amends"] is True and item["extra"]["applied_notice"] == "BWP06181000031P"
    assert item["deadline_at"] is None  # its RECTIF only says why (no "lire")


def original_of_2006(idweb: str = "BWP06173060423D") -> dict:
    """The notice the recorded corrigendum corrects, as it stood (not recorded: derived
    here from the corrigendum, with the deadline the corrigendum says it had, "10 juillet
    2006, à 12 heures")."""
    record = copy.deepcopy(july_2006()["BWP06184060013B"])
    gestion = json.loads(record["gestion"])
    gestion["REFERENCE"].update(IDWEB=idweb, TYPE_AVIS={**gestion["REFERENCE"]["TYPE_AVIS"],
                                                        "STATUT": {"INITIAL": ""}})
    del gestion["INDEXATION"]["AVISLIEE"]
    donnees = json.loads(record["donnees"])
    del donnees["RECTIF"]
    record.update(idweb=idweb, id=idweb, etat="INITIAL", dateparution="2006-06-24",
                  annonces_anterieures_schema_v110=None, gestion=json.dumps(gestion),
                  donnees=json.dumps(donnees), datelimitereponse="2006-07-10T10:00:00+00:00",
                  url_avis=f"https://www.boamp.fr/pages/avis/?q=idweb:{idweb}")
    return record


def test_the_recorded_corrigendum_reaches_the_original_listings_history(engine):
    _, originals, _ = parse([original_of_2006()], days=[date(2006, 6, 24)])
    store(engine, originals, datetime(2006, 6, 24, 6, 0, tzinfo=UTC))
    _, corrected, _ = parse([july_2006()["BWP06184060013B"]], days=[date(2006, 7, 5)])
    result = store(engine, corrected, datetime(2006, 7, 5, 6, 0, tzinfo=UTC))
    assert (result.new, result.updated) == (1, 1)  # the other corrected notice: never stored
    with engine.connect() as conn:
        row = conn.execute(select(ListingRow)
                           .where(ListingRow.source_id == "BWP06173060423D")).one()
        history = conn.execute(select(ListingChange.field, ListingChange.old_value,
                                      ListingChange.new_value)
                               .where(ListingChange.listing_id == row.id)).all()
    assert row.deadline_at == datetime(2006, 7, 24, 10, 0, tzinfo=UTC)
    assert row.published_at == datetime(2006, 6, 23, 22, 0, tzinfo=UTC)  # the original's
    assert row.details["extra"]["applied_notice"] == "BWP06184060013B"
    assert ("deadline_at", "2006-07-10T10:00:00+00:00", "2006-07-24T10:00:00+00:00") in history


def test_linked_ids_reads_the_2006_schema_objects_and_idwebs():
    corrigendum, cancellation = july_2006()["BWP06184060013B"], july_2006()["BWP06181000031P"]
    # two objects one after the other: not JSON until bracketed
    assert corrigendum["annonces_anterieures_schema_v110"].startswith('{"NUMEROANNONCE"')
    assert linked_ids(corrigendum["annonces_anterieures_schema_v110"]) == CORRECTED
    assert linked_ids(cancellation["annonces_anterieures_schema_v110"]) == ["BWP06151100141C"]
    gestion = json.loads(corrigendum["gestion"])
    assert linked_ids(gestion["INDEXATION"]["AVISLIEE"]) == CORRECTED  # the same, in gestion
    assert linked_ids("A/20060120/114") == [] and linked_ids("24 juin 2006") == []


def test_a_legacy_correction_that_does_not_pair_up_sets_no_deadline():
    record = copy.deepcopy(july_2006()["BWP06184060013B"])
    donnees = json.loads(record["donnees"])
    for rectif in donnees["RECTIF"]:
        rectif["LIRE"] = rectif["LIRE"][:1]  # one reading for two headings: which is which?
    record["donnees"] = json.dumps(donnees)
    _spider, items, _ = parse([record], days=[date(2006, 7, 5)])
    assert [i["deadline_at"] for i in items] == [None, None]


# -- the queries it sends ------------------------------------------------------------------

def query_of(request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}


@time_machine.travel(datetime(2026, 8, 13, 6, 0, tzinfo=UTC), tick=False)
def test_start_reads_days_newest_first_with_an_odsql_date_filter():
    spider = make_spider(BoampSpider, since="2026-08-11")
    (request,) = start_requests(spider)
    assert spider.days == [date(2026, 8, 13), date(2026, 8, 12), date(2026, 8, 11)]
    assert spider.run_args == {"since": "2026-08-11", "until": "2026-08-13"}
    assert request.url.startswith(URL + "?")
    assert query_of(request) == {"where": "dateparution = date'2026-08-13'",
                                 "order_by": "idweb desc", "limit": "100", "offset": "0"}


def test_days_argument_reads_those_days_only_newest_first():
    spider = make_spider(BoampSpider, days="2006-07-04,2026-08-12, 2006-07-05")
    (request,) = start_requests(spider)
    assert spider.days == [date(2026, 8, 12), date(2006, 7, 5), date(2006, 7, 4)]
    assert spider.run_args == {"days": "2006-07-04,2026-08-12, 2006-07-05"}  # as replayed
    assert query_of(request)["where"] == "dateparution = date'2026-08-12'"
    meta = {"day_index": 0, "offset": 0, "descending": True, "total": None, "limit": 100}
    assert query_of(spider.next_request(meta, 2))["where"] == "dateparution = date'2006-07-05'"


def test_paging_within_the_offset_cap_then_the_next_day():
    spider = make_spider(BoampSpider)
    spider.days = [DAY, date(2026, 8, 11)]
    meta = {"day_index": 0, "offset": 0, "descending": True, "total": None, "limit": 100}
    nxt = spider.next_request(meta, 250)
    assert (query_of(nxt)["offset"], nxt.meta["day_index"]) == ("100", 0)
    last = spider.next_request({**meta, "offset": 200}, 250)
    assert query_of(last)["where"] == "dateparution = date'2026-08-11'"
    assert spider.next_request({**meta, "day_index": 1, "offset": 200}, 250) is None


def test_a_day_over_the_cap_is_read_from_both_ends():
    spider = make_spider(BoampSpider)
    spider.days = [DAY]
    meta = {"day_index": 0, "offset": 9900, "descending": True, "total": 10_050, "limit": 100}
    tail = spider.next_request(meta, 10_050)
    assert query_of(tail) == {"where": "dateparution = date'2026-08-12'",
                              "order_by": "idweb asc", "limit": "50", "offset": "0"}
    assert spider.next_request(tail.meta, 10_050) is None
    _, _, _ = parse(records(), total=25_000, spider=spider)
    assert stats(spider)["aggregator/capped_days"] == 1 and spider.partial


def test_an_empty_page_ends_the_day():
    _spider, items, (following,) = parse([], total=0, days=[DAY, date(2026, 8, 11)])
    assert items == [] and query_of(following)["where"] == "dateparution = date'2026-08-11'"


def test_page_size_argument_only_lowers_the_limit():
    assert make_spider(BoampSpider, page_size="2").page_limit == 2
    assert make_spider(BoampSpider, page_size="500").page_limit == 100
