"""Duplicate keys of job offers, on the real samples (tests/fixtures/jobs)."""

from __future__ import annotations

import json

import pytest

from spiders.base.job_keys import (
    description_fingerprint,
    job_match_keys,
    location_city_key,
    organization_key,
    title_key,
)
from tests.sites import fixture


def _offers() -> dict[str, dict]:
    first = json.loads(fixture(
        "jobs/francetravail_offres_search_2025-11-13_range0-149_first20.json"))["resultats"]
    edge = json.loads(fixture("jobs/francetravail_offres_selected_edgecases_2025-11.json"))
    return {o["id"]: o for o in [*first, *edge]}


OFFERS = _offers()


@pytest.mark.parametrize("raw, key", [
    # France Travail lieuTravail.libelle, as recorded
    ("78 - Saint-Germain-en-Laye", "saint germain en laye"),
    ("93 - EPINAY SUR SEINE", "epinay sur seine"),
    ("75 - PARIS 16", "paris"),
    ("13 - Marseille 1er Arrondissement", "marseille"),
    ("13 - MARSEILLE 14", "marseille"),
    ("69 - LYON 01", "lyon"),
    ("971 - STE ANNE", "sainte anne"),
    ("973 - Saint-Laurent-du-Maroni", "saint laurent du maroni"),
    ("France", ""),
    # how career pages and ATS boards write the same places
    ("Paris, Île-de-France, France", "paris"),
    ("Paris (75)", "paris"),
    ("75016 Paris", "paris"),
    ("Sainte-Anne", "sainte anne"),
    ("Épinay-sur-Seine", "epinay sur seine"),
    ("Sunnyvale, CA", "sunnyvale"),
    ("Remote - France", ""),
    (None, ""),
])
def test_city_key(raw, key):
    assert location_city_key(raw) == key


@pytest.mark.parametrize("raw, key", [
    ("Second de cuisine F/H ", "second de cuisine"),
    ("Second de cuisine (H/F)", "second de cuisine"),
    ("Cariste F/H", "cariste"),
    ("Software Engineer (m/w/d)", "software engineer"),
    ("Ingénieur H/F/X", "ingenieur"),
    ("Manager Ecosystem Integration &amp; Certification (Human)",
     "manager ecosystem integration certification human"),
])
def test_title_key(raw, key):
    assert title_key(raw) == key


@pytest.mark.parametrize("raw, key", [
    ("BONOR SAS", "bonor"), ("Bonor", "bonor"), ("Neura Robotics GmbH", "neura robotics"),
    ("Meta Platforms, Inc.", "meta platforms"), ("SYNERGIE (EU)", "synergie eu"),
    ("SAS", "sas"),  # a name that is only a legal form keeps it
])
def test_organization_key(raw, key):
    assert organization_key(raw) == key


def test_real_offer_keys():
    offer = OFFERS["200HHPB"]
    keys = job_match_keys(offer["entreprise"]["nom"], offer["intitule"],
                          offer["lieuTravail"]["libelle"], offer["description"])
    assert keys[0] == "job:elior support|second de cuisine|saint germain en laye"
    assert keys[1].startswith("job-text:second de cuisine|saint germain en laye|")
    assert len(keys[1].rsplit("|", 1)[1]) == 16


def test_same_offer_relayed_elsewhere_shares_keys():
    """The same offer as an employer's career page would write it: other spelling of the
    title, employer and place, the description as HTML with entities."""
    offer = OFFERS["200HHMZ"]  # "Cariste F/H", SYNERGIE (EU), 76 - Blangy-sur-Bresle
    ft = job_match_keys(offer["entreprise"]["nom"], offer["intitule"],
                        offer["lieuTravail"]["libelle"], offer["description"])
    html = "".join(f"<p>{line.replace('&', '&amp;')}</p>"
                   for line in offer["description"].split("\n"))
    career = job_match_keys("Synergie (EU)", "Cariste (H/F)", "Blangy-sur-Bresle, France",
                            html)
    assert ft == career
    # relayed by an agency under another employer name: the description key still links
    agency = job_match_keys("Agence X", "CARISTE H/F", "76340 Blangy-sur-Bresle", html)
    assert set(ft) & set(agency) == {ft[1]}


def test_different_offers_do_not_share_keys():
    """Same employer and title in two towns; same employer and town, other titles."""
    keys = {}
    for offer_id in ("200HHPB", "200HHNY", "200HHNX", "200HHNT", "200HHNQ", "200HHNP"):
        offer = OFFERS[offer_id]
        keys[offer_id] = set(job_match_keys(offer["entreprise"]["nom"], offer["intitule"],
                                            offer["lieuTravail"]["libelle"],
                                            offer["description"]))
    ids = list(keys)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            assert not keys[a] & keys[b], (a, b)


def test_every_sample_offer_with_a_city_has_keys():
    for offer in OFFERS.values():
        keys = job_match_keys((offer.get("entreprise") or {}).get("nom"), offer["intitule"],
                              offer["lieuTravail"].get("libelle"), offer.get("description"))
        if offer["lieuTravail"]["libelle"] == "France":
            assert keys == []  # no city: no key rather than a loose one
        else:
            assert keys, offer["id"]
            assert all(len(k) <= 300 for k in keys)


def test_short_descriptions_give_no_fingerprint():
    assert description_fingerprint("Cariste confirmé, CACES 3.") is None
    assert description_fingerprint(None) is None


def test_relayed_offer_is_linked_across_sources_in_the_store(engine):
    """A real France Travail offer and the same offer on the employer's career page (its
    JSON-LD written from the offer's own fields, the description as HTML) become one
    listing with two sources; the employer's other offers stay apart."""
    from datetime import UTC, datetime

    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler
    from sqlalchemy import select

    from aggregator.normalize import normalize_listing
    from aggregator.store.models import Listing
    from aggregator.store.writer import ListingWriter
    from spiders.francetravail import FranceTravailSpider
    from spiders.jobposting import JobPostingSpider, Site

    now = datetime(2025, 11, 15, tzinfo=UTC)
    ft = get_crawler(FranceTravailSpider, {})._create_spider()
    offer = OFFERS["200HHMZ"]
    posting = {"@context": "https://schema.org", "@type": "JobPosting",
               "title": "Cariste (H/F)", "identifier": {"@type": "PropertyValue",
                                                        "value": "SYN-4242"},
               "hiringOrganization": {"@type": "Organization", "name": "Synergie (EU)"},
               "datePosted": "2025-11-14",
               "description": "".join(f"<p>{line}</p>"
                                      for line in offer["description"].split("\n")),
               "jobLocation": {"@type": "Place", "address": {
                   "@type": "PostalAddress", "addressLocality": "Blangy-sur-Bresle",
                   "postalCode": "76340", "addressCountry": "FR"}}}
    page = f'<script type="application/ld+json">{json.dumps(posting)}</script>'.encode()
    url = "https://www.synergie.fr/offres/cariste-4242"
    jp = get_crawler(JobPostingSpider, {})._create_spider()
    (career,) = jp.postings(HtmlResponse(url, body=page, request=Request(url)),
                            Site(scope="www.synergie.fr", root="https://www.synergie.fr"))
    others = [ft.parse_offer(OFFERS[i], "all") for i in ("200HHMX", "200HHMQ")]
    writer = ListingWriter(engine)
    writer.write([normalize_listing(i, crawled_at=now)
                  for i in [ft.parse_offer(offer, "all"), *others]], now=now)
    writer.write([normalize_listing(career, crawled_at=now)], now=now)
    with engine.connect() as conn:
        rows = {r.source_id: r for r in conn.execute(select(Listing.__table__))}
    assert rows["www.synergie.fr:SYN-4242"].duplicate_of == rows["200HHMZ"].id
    assert rows["200HHMZ"].duplicate_of is None
    assert rows["200HHMX"].duplicate_of is None and rows["200HHMQ"].duplicate_of is None
