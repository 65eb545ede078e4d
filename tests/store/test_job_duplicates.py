"""One job offer relayed by France Travail, APEC, a Talentsoft site and the employer's own
page is one listing with several sources; the same employer's other offers are not."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from aggregator.store.models import Listing
from spiders.base.job_keys import job_match_keys
from tests.factories import NOW, item, write
from tests.sites import fixture


def recorded_offer() -> dict:
    """A real France Travail offer (ELIOR SUPPORT, Second de cuisine, Saint-Germain-en-Laye)."""
    page = json.loads(fixture(
        "jobs/francetravail_offres_search_2025-11-13_range0-149_first20.json"))
    return page["resultats"][0]


def job(source: str, source_id: str, *, organization: str, title: str, location: str,
        description: str, days_later: int = 0, reference: str | None = None) -> dict:
    published = (NOW - timedelta(days=30) + timedelta(days=days_later)).isoformat()
    return item(source_id, kind="job", source=source, title=title, organization=organization,
                location=location, description=description, published_at=published,
                url=f"https://{source}.example/{source_id}",
                match_keys=job_match_keys(organization, title, location, description,
                                          reference=reference))


def groups(engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        found = conn.execute(select(Listing.id, Listing.source_id, Listing.duplicate_of)).all()
    by_id = {row.id: row.source_id for row in found}
    return {row.source_id: by_id.get(row.duplicate_of) for row in found}


def test_one_offer_from_four_sources_is_one_listing(engine) -> None:
    offer = recorded_offer()
    text = offer["description"]
    words = text.split()
    write(engine, [
        job("francetravail", "200HHPB", organization="ELIOR SUPPORT",
            title="Second de cuisine F/H ", location="78 - Saint-Germain-en-Laye",
            description=text),
        # APEC relays the start of the text, two days later
        job("apec", "179000001W", organization="Elior Support SAS",
            title="Second de cuisine (H/F)", location="Saint-Germain-en-Laye - 78",
            description=" ".join(words[:120]) + "...", days_later=2),
        # the Talentsoft site has it as HTML, its paragraphs reflowed
        job("talentsoft", "2025-00042", organization="Elior Support",
            title="Second de cuisine H/F", location="Saint-Germain-en-Laye (78)",
            description="<p>" + "</p><p>".join(text.split("\n")) + "</p>", days_later=1,
            reference="2025-00042"),
        # the employer's page carries the same ATS reference: linked whatever its text
        job("jobposting", "elior.example:2025-00042", organization="Elior",
            title="Second de cuisine", location="Paris", description="Rejoignez-nous.",
            days_later=3, reference="2025-00042"),
    ])
    assert groups(engine) == {"200HHPB": None, "179000001W": "200HHPB",
                              "2025-00042": "200HHPB", "elior.example:2025-00042": "200HHPB"}


def test_the_same_title_reposted_months_later_is_another_offer(engine) -> None:
    text = recorded_offer()["description"]
    write(engine, [
        job("francetravail", "200HHPB", organization="ELIOR SUPPORT", title="Second de cuisine",
            location="78 - Saint-Germain-en-Laye", description=text),
        job("apec", "179000002W", organization="ELIOR SUPPORT", title="Second de cuisine",
            location="Saint-Germain-en-Laye - 78", description=text, days_later=90),
    ])
    assert groups(engine) == {"200HHPB": None, "179000002W": None}


def test_two_openings_with_one_title_but_different_texts_stay_apart(engine) -> None:
    offers = json.loads(fixture(
        "jobs/francetravail_offres_search_2025-11-13_range0-149_first20.json"))["resultats"]
    other_text = next(o["description"] for o in offers if o["id"] == "200HHNH")
    write(engine, [
        job("francetravail", "200HHPB", organization="ELIOR SUPPORT", title="Second de cuisine",
            location="78 - Saint-Germain-en-Laye", description=offers[0]["description"]),
        job("apec", "179000003W", organization="ELIOR SUPPORT", title="Second de cuisine",
            location="Saint-Germain-en-Laye - 78", description=other_text, days_later=1),
    ])
    assert groups(engine) == {"200HHPB": None, "179000003W": None}
