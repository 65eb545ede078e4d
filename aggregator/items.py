"""The one shape every spider yields.

A spider only *parses*: it copies what the source says into these fields, as raw as it
comes (HTML descriptions, French date strings, "95 - Roissy-en-France", a contract label).
The pipelines then validate and normalise it (``aggregator.normalize.normalize_listing``)
into the columns of the store. Keep the raw payload in ``raw`` so a parser fix can re-derive
fields without a new crawl.
"""

from __future__ import annotations

import scrapy

KINDS = ("job", "tender", "award")
STATUSES = ("open", "closed", "cancelled")


class RawListing(scrapy.Item):
    # identity
    kind = scrapy.Field()  # "job" | "tender"
    source = scrapy.Field()  # spider name; set by the base spider
    source_id = scrapy.Field()  # the source's own id (idweb, publication-number, offer id)
    url = scrapy.Field()  # the human page for the listing

    # text (may hold HTML, entities, odd whitespace: the normaliser cleans it)
    title = scrapy.Field()
    organization = scrapy.Field()
    description = scrapy.Field()

    # dates, raw: ISO strings, French strings, epoch milliseconds, datetimes,
    # or a [date, time] pair when the source splits them (TED)
    published_at = scrapy.Field()
    modified_at = scrapy.Field()  # the source's own "last updated"
    deadline_at = scrapy.Field()  # response deadline (tender) or validThrough (job)

    # place, raw: whatever the source gives; the place resolver fills the rest
    location = scrapy.Field()  # free text: "95 - Roissy-en-France", "Paris, France"
    postal_code = scrapy.Field()
    insee_code = scrapy.Field()  # commune INSEE code when the source has it
    department = scrapy.Field()  # department code when the source has it (BOAMP)
    # the buyer's address (town, postal code): where a tender is when it names no place
    buyer_location = scrapy.Field()
    buyer_postal_code = scrapy.Field()
    nuts = scrapy.Field()  # list of NUTS codes (TED place of performance)
    country = scrapy.Field()  # code or name
    latitude = scrapy.Field()
    longitude = scrapy.Field()
    remote = scrapy.Field()  # bool, or a raw word ("TELECOMMUTE", "Télétravail")

    # jobs
    contract_type = scrapy.Field()  # raw label or list of labels ("CDI", "FULL_TIME", "alternance")
    working_time = scrapy.Field()  # raw: "Temps plein", "PART_TIME"
    salary = scrapy.Field()  # raw text, or a structured dict (schema.org baseSalary, ATS fields)

    # tenders
    cpv = scrapy.Field()  # list of CPV codes
    # the source's own keywords (BOAMP descripteurs): {"code": "365" or None, "label": "Voirie"}
    descriptors = scrapy.Field()
    procedure = scrapy.Field()  # "open", "restricted", ... as the source says
    contract_nature = scrapy.Field()  # "works" | "supplies" | "services", as the source says
    estimated_value = scrapy.Field()
    currency = scrapy.Field()
    lots = scrapy.Field()  # list of dicts: {id, title, deadline_at (raw), cpv, estimated_value}

    # awards (DECP: a notified contract or concession), raw as the source gives them
    buyer_id = scrapy.Field()  # the buyer's SIRET as given
    suppliers = scrapy.Field()  # list of {id, id_type, name}
    amount = scrapy.Field()  # montant, or valeurGlobale for a concession
    awarded_at = scrapy.Field()  # dateNotification, or dateSignature for a concession
    duration_months = scrapy.Field()
    nature = scrapy.Field()  # "Marché", "Accord-cadre", "Marché subséquent", "Concession…"
    offers_received = scrapy.Field()
    amendments = scrapy.Field()  # list of {date, amount, duration_months, object}

    # lifecycle
    status = scrapy.Field()  # "open" (default), "closed", "cancelled"
    notice_type = scrapy.Field()  # the source's notice kind: "corrigendum", "award", ...

    # the part of the source this listing was listed in (an ATS board, a career site): when a
    # crawl reads a scope's complete listing, the scope's listings it did not see are missed
    scope = scrapy.Field()

    # a corrigendum, cancellation or award applied to an earlier listing (same source_id):
    # fields it leaves empty keep their stored values instead of being cleared
    amends = scrapy.Field()

    # cross-source duplicates: listings of different sources that share a key are linked
    match_keys = scrapy.Field()  # list of str, e.g. "eforms-procedure:8322a903-..."

    raw = scrapy.Field()  # the source's payload for this listing (dict, list or str)
    extra = scrapy.Field()  # other source fields worth keeping (dict)
