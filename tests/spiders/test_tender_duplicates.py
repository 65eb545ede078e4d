"""The same procedure published by BOAMP and by TED becomes one linked group in the store.

The recorded samples hold no BOAMP/TED pair of the same procedure (the BOAMP records are
from Haute-Vienne and Val-d'Oise, the TED notice from Hyères), so the pairs are derived
here, in the test, from real data:

- from the official eForms example (tests/fixtures/tenders/eforms_sdk_example_cn_24_FRA_
  comments.xml, adapted by the Publications Office from TED notice 219497-2019): its UBL tree
  becomes a BOAMP record's ``donnees`` (the shape BOAMP serves, as in the recorded records)
  and a TED search notice (the fields TED's API derives from that same XML);
- from the real BOAMP record 26-79589: a TED notice carrying what TED would publish for its
  eForms notice (notice-identifier, procedure-identifier, buyer's official name, BT-21
  title, lot deadlines).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from sqlalchemy import select

from aggregator.store.models import Listing as ListingRow
from spiders.base.eforms import EformsNotice
from spiders.base.tender_keys import deadline_day, tender_match_keys
from spiders.boamp import BoampSpider
from spiders.ted import TedSpider
from tests.sites import fixture
from tests.spiders.support import eforms_tree, make_spider, response, split, store

CRAWLED = datetime(2026, 8, 13, 6, 0, tzinfo=UTC)


def boamp_records() -> list[dict]:
    return json.loads(fixture("tenders/boamp_explore_v21_records_recent_first2.json"))["results"]


def ted_notice() -> dict:
    return json.loads(fixture("tenders/ted_v3_search_competition_FRA-BEL-LUX_first1.json"))[
        "notices"][0]


def boamp_items(records: list[dict]) -> list:
    spider = make_spider(BoampSpider)
    spider.days = [datetime(2026, 8, 12).date()]
    body = json.dumps({"total_count": len(records), "results": records}).encode()
    meta = {"day_index": 0, "offset": 0, "descending": True, "total": None, "limit": 100}
    return split(spider.parse_page(response("https://b/records", body, meta)))[0]


def ted_items(notices: list[dict]) -> list:
    body = json.dumps({"iterationNextToken": None, "notices": notices}).encode()
    return split(make_spider(TedSpider).parse_page(
        response("https://t/v3/notices/search", body, {"token": None})))[0]


def ted_from_eforms(notice: EformsNotice, publication: str, published: str) -> dict:
    """The TED search notice of an eForms notice: TED's fields for the same XML."""
    ted = copy.deepcopy(ted_notice())
    lots = notice.lots
    ted.update({
        "publication-number": publication,
        "publication-date": published,
        "notice-identifier": notice.notice_id,
        "procedure-identifier": notice.procedure_id,
        "buyer-name": {"fra": [notice.buyer_name]},
        "organisation-name-buyer": {"fra": [notice.buyer_name]},
        "title-proc": {"fra": notice.title},
        "title-lot": {"fra": [lot["title"] for lot in lots]},
        "identifier-lot": [lot["id"] for lot in lots],
        "deadline-receipt-tender-date-lot": [lot["deadline_at"][0] for lot in lots],
        "deadline-receipt-tender-time-lot": [lot["deadline_at"][1] for lot in lots],
        "classification-cpv": notice.cpv,
        "place-of-performance": [*notice.nuts, "FRA"],
        "notice-type": notice.notice_type,
        "procedure-type": notice.procedure,
        "contract-nature": [notice.contract_nature],
    })
    ted["links"] = {"html": {"FRA": f"https://ted.europa.eu/fr/notice/-/detail/{publication}"}}
    return ted


def sdk_pair() -> tuple[dict, dict]:
    kind, tree = eforms_tree(fixture("tenders/eforms_sdk_example_cn_24_FRA_comments.xml"))
    notice = EformsNotice(tree, kind)
    record = copy.deepcopy(boamp_records()[0])
    record.update({
        "idweb": "19-68214", "id": "19_68214",
        "url_avis": "https://www.boamp.fr/pages/avis/?q=idweb:19-68214",
        "dateparution": "2019-05-10", "datefindiffusion": "2019-06-24",
        "datelimitereponse": None, "objet": notice.title, "nomacheteur": "ROUEN HABITAT",
        "code_departement": ["76"], "contractfolderid": notice.procedure_id,
        "descripteur_libelle": ["Espaces verts"], "type_marche": ["SERVICES"],
        "donnees": json.dumps({"EFORMS": {kind: tree}}, ensure_ascii=False), "gestion": None,
    })
    return record, ted_from_eforms(notice, "219497-2019", "2019-05-14+02:00")


def linked_rows(engine) -> dict[tuple[str, str], int | None]:
    with engine.connect() as conn:
        rows = conn.execute(select(ListingRow.id, ListingRow.source, ListingRow.source_id,
                                   ListingRow.duplicate_of)).all()
    ids = {row.id: (row.source, row.source_id) for row in rows}
    return {(row.source, row.source_id): ids.get(row.duplicate_of) for row in rows}


def test_the_sdk_notice_gives_the_same_keys_on_both_sources():
    record, ted = sdk_pair()
    (boamp_item,), (ted_item,) = boamp_items([record]), ted_items([ted])
    assert boamp_item["match_keys"] == ted_item["match_keys"] == [
        "eforms-notice:da4d46e9-490b-41ff-a2ae-8166d356a619",
        "eforms-procedure:e3cdabf1-e057-47a5-9210-b1f6fc757228",
        "tender:2019-06-24|rouen habitat|service d entretien de remise en etat et de "
        "nettoyage des espaces verts"]
    # the BOAMP listing keeps BOAMP's own spelling of the buyer; the key uses the notice's
    assert (boamp_item["organization"], ted_item["organization"]) == (
        "ROUEN HABITAT", "Rouen Habitat")


def test_boamp_and_ted_of_one_procedure_are_linked_in_the_store(engine):
    record, ted = sdk_pair()
    store(engine, boamp_items([record, *boamp_records()]), CRAWLED)
    store(engine, ted_items([ted, ted_notice()]), CRAWLED)
    assert linked_rows(engine) == {
        ("boamp", "19-68214"): None,  # the first stored stands for the group
        ("ted", "219497-2019"): ("boamp", "19-68214"),
        ("boamp", "26-79589"): None, ("boamp", "26-79592"): None,
        ("ted", "543742-2026"): None,  # Hyères: another procedure, not linked
    }


def test_the_real_boamp_record_and_its_ted_notice_are_linked(engine):
    record = boamp_records()[0]
    notice = EformsNotice.from_donnees(json.loads(record["donnees"]))
    ted = ted_from_eforms(notice, "530001-2026", "2026-08-12+02:00")
    store(engine, ted_items([ted]), CRAWLED)  # TED first this time
    store(engine, boamp_items([record]), CRAWLED)
    assert linked_rows(engine) == {("ted", "530001-2026"): None,
                                   ("boamp", "26-79589"): ("ted", "530001-2026")}


def test_without_eforms_identifiers_the_fallback_key_links(engine):
    record, ted = sdk_pair()
    ted = {k: v for k, v in ted.items() if k not in ("notice-identifier",
                                                     "procedure-identifier")}
    broken = {**record, "donnees": "{cut", "contractfolderid": None,
              "objet": "SERVICE D’ENTRETIEN DE REMISE EN ÉTAT ET DE NETTOYAGE DES ESPACES VERTS",
              "nomacheteur": "Rouen Habitat",
              "gestion": json.dumps({"INDEXATION": {
                  "DATE_LIMITE_REPONSE": "2019-06-24T18:00:00+02:00"}})}
    (boamp_item,), (ted_item,) = boamp_items([broken]), ted_items([ted])
    assert boamp_item["match_keys"] == ted_item["match_keys"] == [
        "tender:2019-06-24|rouen habitat|service d entretien de remise en etat et de "
        "nettoyage des espaces verts"]
    store(engine, [boamp_item], CRAWLED)
    store(engine, [ted_item], CRAWLED)
    assert linked_rows(engine)[("ted", "219497-2019")] == ("boamp", "19-68214")


def test_keys_are_specific():
    base = {"buyer": "Rouen Habitat", "title": "Espaces verts", "deadline": "2019-06-24Z"}
    assert tender_match_keys(**base) != tender_match_keys(**{**base, "deadline": "2019-06-25Z"})
    assert tender_match_keys(**{**base, "buyer": None}) == []  # too weak alone
    assert tender_match_keys(notice_id="DA4D46E9-490B-41FF-A2AE-8166D356A619") == [
        "eforms-notice:da4d46e9-490b-41ff-a2ae-8166d356a619"]
    long_title = tender_match_keys(buyer="b", title="x " * 400, deadline="2019-06-24")
    assert len(long_title[0]) == 300 and long_title[0].startswith("tender:2019-06-24|b|")
    assert deadline_day(["2026-09-22+02:00", "12:00:00+02:00"]) == "2026-09-22"
    assert deadline_day("2026-09-22T12:00:00+02:00") == "2026-09-22"
    assert deadline_day("22/09/2026") is None and deadline_day(None) is None
