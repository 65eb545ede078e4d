"""TED, the EU's Tenders Electronic Daily, through its Search API v3.

``POST {TED_API_URL}/notices/search`` with an expert query, an explicit ``fields`` list and
``paginationMode: ITERATION``: each answer carries ``iterationNextToken`` for the next page
(null on the last), with no cap on the number of notices (PAGE_NUMBER mode stops at 15,000),
at most 250 notices a page (https://docs.ted.europa.eu/reuse/search-api.html). 429s wait for
``Retry-After`` in aggregator.crawling.middlewares.RetryAfterMiddleware.

The default query takes competition notices performed in France published since the last
crawl; ``-a query=`` replaces it (``{since}`` / ``{until}`` are filled in, as YYYYMMDD), and
``-a notice_scope=`` sets the search's own ``scope`` field (e.g. ``ACTIVE``; not to be
confused with a listing's scope). Multilingual fields are read in French, else English, else
any language. The buyer's registration number (BT-501, ``organisation-identifier-buyer``, one
per buyer in the order of ``buyer-name``) is the listing's ``buyer_id`` when the first buyer's
is a SIREN or SIRET, as for BOAMP's eForms notices (no recorded response carries the field:
its shape, a list of texts, is the one TED's clients read). Deadlines are per lot, a [date,
time] pair each with its offset; the listing's is the earliest open lot's. The
place-of-performance codes (NUTS codes of any level and ISO alpha-3 countries, mixed:
``["FRL05", "FRA"]``, ``["FRK", "FRA"]``) all go to ``nuts`` as given: telling a NUTS region
from a country is the normaliser's job (``resolve_nuts``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import JsonRequest, Response
from twisted.python.failure import Failure

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.eforms import french_company_id
from spiders.base.listing_spider import ListingSpider
from spiders.base.tender_keys import tender_match_keys
from spiders.base.values import in_preferred_language

DEFAULT_QUERY = ("(place-of-performance IN (FRA)) AND (notice-type IN (cn-standard cn-social "
                 "cn-desg pin-cfc-standard pin-cfc-social)) AND (publication-date >= {since}) "
                 "AND (publication-date <= {until})")
FIELDS = [
    # as in the recorded request (tests/fixtures/tenders/PROVENANCE.md)
    "publication-number", "notice-title", "buyer-name", "buyer-country",
    "organisation-name-buyer", "organisation-country-buyer", "publication-date",
    "deadline-receipt-request", "deadline-receipt-tender-date-lot",
    "deadline-receipt-tender-time-lot", "classification-cpv", "place-of-performance",
    "notice-type", "procedure-type", "contract-nature", "estimated-value-lot",
    "estimated-value-cur-lot", "description-lot", "description-proc", "title-lot",
    "identifier-lot", "notice-identifier", "notice-version", "form-type", "official-language",
    "links",
    # what cross-source matching and the listing title need
    "procedure-identifier", "title-proc", "estimated-value-proc", "estimated-value-cur-proc",
    # the buyer's address: where the listing is when the notice names no place of work
    # (``buyer-city`` is multilingual, often ``{"mul": [...]}``; ``buyer-post-code`` a list)
    "buyer-city", "buyer-post-code",
    # the buyer's registration number (BT-501): a French buyer's SIRET links its notices to
    # its awards (DECP), as BOAMP's eForms CompanyID does
    "organisation-identifier-buyer",
]


def localized(value: Any) -> Any:
    """A multilingual field (``{"fra": ..., "eng": ...}``) in the preferred language."""
    return in_preferred_language(value) if isinstance(value, dict) else value


def one(value: Any) -> str | None:
    """A single text: the first non-empty value of a list."""
    value = localized(value)
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "")), None)
    return str(value).strip() if value not in (None, "") else None


def first(value: Any) -> str | None:
    """The first value of a list (empty or not: a position, not a choice), else the value."""
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value not in (None, "") else None


def many(value: Any) -> list[str]:
    value = localized(value)
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if v not in (None, "")]


class TedSpider(ListingSpider):
    name = "ted"
    kind = "tender"
    about = N_("EU tenders (TED search API v3), lots and exact deadlines")
    endpoint_setting = "TED_API_URL"
    endpoint_default = "https://api.ted.europa.eu/v3"
    max_page_size: ClassVar[int] = 250  # the API's maximum

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query = ""  # the expert query of this run, set in start()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        since, until = self.since_date(), self.until_date()
        self.run_args.update(since=since.isoformat(), until=until.isoformat())
        template = str(self.param("query") or DEFAULT_QUERY)
        self.query = template.replace("{since}", f"{since:%Y%m%d}").replace(
            "{until}", f"{until:%Y%m%d}")
        yield self.search_request(None)

    def search_request(self, token: str | None) -> JsonRequest:
        body: dict[str, Any] = {"query": self.query, "fields": FIELDS,
                                "limit": self.page_limit, "paginationMode": "ITERATION"}
        if token:
            body["iterationNextToken"] = token
        if self.param("notice_scope"):
            body["scope"] = str(self.param("notice_scope"))
        return JsonRequest(f"{self.endpoint}/notices/search", data=body,
                           callback=self.parse_page, errback=self.search_failed,
                           meta={"token": token}, dont_filter=True)

    def parse_page(self, response: Response) -> Iterator[RawListing | scrapy.Request]:
        data = self.read_json(response)
        if not isinstance(data, dict):
            return
        notices = data.get("notices")
        if not isinstance(notices, list):
            self.logger.error("ted: no notices list in the answer (%s)", str(data)[:200])
            self.partial = True
            return
        if response.meta.get("token") is None and isinstance(data.get("totalNoticeCount"), int):
            self.crawler.stats.inc_value("aggregator/source_records", data["totalNoticeCount"])
        for notice in notices:
            if not isinstance(notice, dict) or not one(notice.get("publication-number")):
                self.drop_record("no publication number")
                continue
            try:
                yield self.parse_notice(notice)
            except Exception as exc:  # one bad notice never stops the page
                self.logger.exception("cannot read ted notice")
                self.drop_record(f"unreadable record ({type(exc).__name__})",
                                 notice.get("publication-number"))
        token = data.get("iterationNextToken")
        if token and notices and token != response.meta.get("token"):
            yield self.search_request(str(token))

    def search_failed(self, failure: Failure) -> None:
        self.logger.error("ted search failed: %s", failure.getErrorMessage())
        self.partial = True

    def parse_notice(self, notice: dict[str, Any]) -> RawListing:
        number = one(notice["publication-number"])
        titles_lot = many(notice.get("title-lot"))
        title = (one(notice.get("title-proc"))
                 or (titles_lot[0] if len(set(titles_lot)) == 1 else None)
                 or one(notice.get("notice-title")))
        buyer = one(notice.get("buyer-name")) or one(notice.get("organisation-name-buyer"))
        lots = self.lots(notice, titles_lot)
        deadline = None
        if not any(lot["deadline_at"] for lot in lots):
            # restricted procedures: the deadline for requests to participate
            deadline = one(notice.get("deadline-receipt-request"))
        places = many(notice.get("place-of-performance"))
        form = one(notice.get("form-type")) or ""
        notice_type = one(notice.get("notice-type")) or ""
        closed = form == "result" or notice_type.startswith(("can-", "veat"))
        deadline_days = sorted(d[:10] for d in many(notice.get(
            "deadline-receipt-tender-date-lot")))
        return self.listing(
            source_id=number,
            url=self.notice_url(notice, number),
            title=title,
            organization=buyer,
            # the first buyer's, as the organization is the first buyer's name
            buyer_id=french_company_id(first(notice.get("organisation-identifier-buyer"))),
            description=one(notice.get("description-proc"))
            or "\n\n".join(dict.fromkeys(many(notice.get("description-lot")))) or None,
            published_at=one(notice.get("publication-date")),
            deadline_at=deadline,
            nuts=list(dict.fromkeys(places)),
            # The buyer's country only says where the work is when no place is given.
            country=None if places else one(notice.get("buyer-country")),
            buyer_location=one(notice.get("buyer-city")),
            buyer_postal_code=one(notice.get("buyer-post-code")),
            cpv=list(dict.fromkeys(many(notice.get("classification-cpv")))),
            procedure=one(notice.get("procedure-type")),
            contract_nature=one(notice.get("contract-nature")),
            estimated_value=one(notice.get("estimated-value-proc")),
            currency=one(notice.get("estimated-value-cur-proc"))
            or one(notice.get("estimated-value-cur-lot")),
            lots=lots,
            status="closed" if closed else "open",
            notice_type=notice_type or None,
            match_keys=tender_match_keys(
                notice_id=one(notice.get("notice-identifier")),
                procedure_id=one(notice.get("procedure-identifier")),
                buyer=buyer, title=title,
                deadline=deadline_days[0] if deadline_days else deadline),
            extra={k: v for k, v in {
                "notice_identifier": one(notice.get("notice-identifier")),
                "procedure_identifier": one(notice.get("procedure-identifier")),
                "notice_version": one(notice.get("notice-version")),
                "official_language": many(notice.get("official-language")) or None,
            }.items() if v},
            raw=notice,
        )

    @staticmethod
    def lots(notice: dict[str, Any], titles: list[str]) -> list[dict[str, Any]]:
        """Per-lot values come as parallel lists: zip them when they line up."""
        days = many(notice.get("deadline-receipt-tender-date-lot"))
        times = many(notice.get("deadline-receipt-tender-time-lot"))
        ids = many(notice.get("identifier-lot"))
        values = many(notice.get("estimated-value-lot"))
        count = max(len(ids), len(days))
        lots = []
        for index in range(count):
            day = days[index] if index < len(days) else None
            time = times[index] if index < len(times) and len(times) == len(days) else None
            lots.append({
                "id": ids[index] if len(ids) == count else None,
                "title": titles[index] if len(titles) == count else None,
                "deadline_at": [day, time] if day and time else day,
                "cpv": [],
                "estimated_value": values[index] if len(values) == count else None,
            })
        return lots

    @staticmethod
    def notice_url(notice: dict[str, Any], number: str) -> str:
        html = (notice.get("links") or {}).get("html") or {}
        for language in ("FRA", "ENG"):
            if html.get(language):
                return str(html[language])
        return next(iter(html.values()), None) or (
            f"https://ted.europa.eu/en/notice/-/detail/{number}")
