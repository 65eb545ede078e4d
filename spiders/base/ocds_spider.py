"""OCDS release packages, paged by ``links.next`` (the OCDS pagination extension).

One contracting process (``ocid``) has many releases: the tender, its amendments, the
award... Each Contracts-Finder-style release carries the whole tender as it stands, so the
listing is the *latest* release of its ocid (which applies the amendments), closed once the
process is awarded, complete or cancelled. The spider walks date windows newest first and
keeps, per ocid, the date of the release it gave: an older release met later is skipped
(``aggregator/superseded``), a newer one replaces it in the store (and its history).

A publisher subclass sets the endpoint setting, the window parameters and what it knows
about its own URLs; see spiders/ocds.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode, urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from aggregator.items import RawListing
from aggregator.normalize.countries import resolve_country
from spiders.base.listing_spider import ListingSpider
from spiders.base.tender_keys import tender_match_keys
from spiders.base.values import as_list

OPEN_TAGS = {"tender", "tenderUpdate", "tenderAmendment"}
CLOSED_TAGS = {"award", "awardUpdate", "awardCancellation", "contract", "contractUpdate",
               "contractAmendment", "implementation", "implementationUpdate", "contractTermination"}
_OLDEST = datetime.min.replace(tzinfo=UTC)
NOT_TENDERS = {"planning", "planningUpdate"}
CLOSED_TENDER_STATUSES = {"complete": "closed", "cancelled": "cancelled",
                          "unsuccessful": "closed", "withdrawn": "cancelled"}


def _when(value: Any) -> datetime | None:
    """A release date, only to order releases (the normaliser reads the listing's dates)."""
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class OCDSReleaseSpider(ListingSpider):
    kind = "tender"
    from_parameter: ClassVar[str] = "publishedFrom"
    to_parameter: ClassVar[str] = "publishedTo"  # the end of a window (midnight, exclusive)
    # (Scrapy sets every -a argument as an attribute: none of these names is an argument.)
    days_per_window: ClassVar[int] = 7  # -a window_days= changes it
    max_page_size: ClassVar[int] = 100
    default_stages: ClassVar[tuple[str, ...]] = ()  # () = every stage, one query per window

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.given: dict[str, datetime | None] = {}  # ocid -> date of the release given
        self.queries: list[dict[str, Any]] = []

    async def start(self) -> AsyncIterator[scrapy.Request]:
        since, until = self.since_date(), self.until_date()
        self.run_args.update(since=since.isoformat(), until=until.isoformat())
        stages = self.list_param("stages") or list(self.default_stages) or [None]
        try:
            width = max(1, int(self.param("window_days") or self.days_per_window))
        except ValueError:
            width = self.days_per_window
        end = until + timedelta(days=1)
        while end > since:  # newest window first
            begin = max(since, end - timedelta(days=width))
            for stage in stages:
                self.queries.append(self.query(begin, end, stage))
            end = begin
        if self.queries:
            yield self.page_request(self.search_url(self.queries[0]), query_index=0)

    def query(self, begin: date, end: date, stage: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if stage:
            query["stages"] = stage
        query.update({self.from_parameter: begin.isoformat(),
                      self.to_parameter: end.isoformat(), "limit": self.page_limit})
        return query

    def search_url(self, query: dict[str, Any]) -> str:
        return f"{self.endpoint}?{urlencode(query, quote_via=quote)}"

    def page_request(self, url: str, *, query_index: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.page_failed,
                              headers={"Accept": "application/json"},
                              meta={"query_index": query_index})

    def next_query(self, query_index: int) -> scrapy.Request | None:
        if query_index + 1 < len(self.queries):
            return self.page_request(self.search_url(self.queries[query_index + 1]),
                                     query_index=query_index + 1)
        return None

    def next_link(self, package: dict[str, Any]) -> str | None:
        """``links.next``, asked of the configured endpoint: same path and query on the real
        service, and a test server or a replay keeps the walk instead of leaving for the
        host the page names."""
        link = (package.get("links") or {}).get("next") if isinstance(package, dict) else None
        if not link or not isinstance(link, str):
            return None
        query = urlsplit(link).query
        return f"{self.endpoint}?{query}" if query else None

    # -- responses -----------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[RawListing | scrapy.Request]:
        index = response.meta["query_index"]
        package = self.read_json(response)
        releases = package.get("releases") if isinstance(package, dict) else None
        if isinstance(package, dict) and not isinstance(releases, list):
            self.logger.error("%s: no releases list in %s", self.name, response.url)
            self.partial = True
        releases = releases if isinstance(releases, list) else []
        # newest first within the page too, so that the latest release of an ocid wins
        ordered = sorted((r for r in releases if isinstance(r, dict)),
                         key=lambda r: _when(r.get("date")) or _OLDEST, reverse=True)
        for _ in range(len(releases) - len(ordered)):
            self.drop_record("unreadable record")
        for release in ordered:
            try:
                item = self.parse_release(release)
            except Exception as exc:  # one bad release never stops the page
                self.logger.exception("cannot read %s release", self.name)
                self.drop_record(f"unreadable record ({type(exc).__name__})", release.get("id"))
                continue
            if item is not None:
                yield item
        following = self.next_link(package) if releases else None
        if following and following != response.url:
            yield self.page_request(following, query_index=index)
        elif (request := self.next_query(index)) is not None:
            yield request

    def page_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request
        self.logger.error("%s page failed: %s (%s)", self.name, request.url,
                          failure.getErrorMessage())
        self.partial = True
        if (following := self.next_query(request.meta["query_index"])) is not None:
            yield following

    def parse_release(self, release: dict[str, Any]) -> RawListing | None:
        ocid = str(release.get("ocid") or "").strip()
        if not ocid:
            self.drop_record("no ocid", release.get("id"))
            return None
        tags = {str(t) for t in as_list(release.get("tag"))}  # a list; a lone string too
        tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
        if tags and tags <= NOT_TENDERS:
            self.drop_record("planning release", ocid)
            return None
        when = _when(release.get("date"))
        if ocid in self.given:
            previous = self.given[ocid]
            if previous is not None and (when is None or when <= previous):
                self.crawler.stats.inc_value("aggregator/superseded")
                return None
        self.given[ocid] = when
        status = CLOSED_TENDER_STATUSES.get(str(tender.get("status") or ""), "open")
        if status == "open" and tags & CLOSED_TAGS:
            status = "closed"  # awarded: no longer open to tenders
        buyer = (release.get("buyer") or {}).get("name") or self.party(release, "buyer")
        value = tender.get("value") if isinstance(tender.get("value"), dict) else {}
        period = tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"),
                                                          dict) else {}
        locality, region, postal, country = self.place(tender)
        return self.listing(
            source_id=ocid,
            url=self.release_url(release, tender),
            title=tender.get("title"),
            organization=buyer,
            description=tender.get("description"),
            published_at=tender.get("datePublished") or release.get("date"),
            modified_at=release.get("date"),
            deadline_at=period.get("endDate"),
            location=locality,
            postal_code=postal,
            country=country or self.default_country,
            cpv=self.cpv(tender),
            procedure=tender.get("procurementMethod"),
            contract_nature=tender.get("mainProcurementCategory"),
            estimated_value=value.get("amount"),
            currency=value.get("currency"),
            lots=[{"id": lot.get("id"), "title": lot.get("title"), "deadline_at": None,
                   "cpv": [], "estimated_value": (lot.get("value") or {}).get("amount")}
                  for lot in tender.get("lots") or [] if isinstance(lot, dict)],
            status=status,
            notice_type=",".join(sorted(tags)) or None,
            match_keys=tender_match_keys(buyer=buyer, title=tender.get("title"),
                                         deadline=period.get("endDate")),
            extra={k: v for k, v in {
                "release_id": release.get("id"),
                "procurement_method_details": tender.get("procurementMethodDetails"),
                # context for people, never a place to resolve: "North West", "England"
                "region": region,
            }.items() if v not in (None, "")},
            raw=release,
        )

    # -- publisher specifics (override) --------------------------------------------------

    default_country: ClassVar[str | None] = None

    @staticmethod
    def party(release: dict[str, Any], role: str) -> str | None:
        for party in release.get("parties") or []:
            if isinstance(party, dict) and role in (party.get("roles") or []):
                return party.get("name")
        return None

    @staticmethod
    def cpv(tender: dict[str, Any]) -> list[str]:
        codes: dict[str, None] = {}
        classifications = [tender.get("classification"),
                           *(tender.get("additionalClassifications") or []),
                           *(item.get("classification") for item in tender.get("items") or []
                             if isinstance(item, dict))]
        for classification in classifications:
            if (isinstance(classification, dict)
                    and str(classification.get("scheme", "")).upper() == "CPV"
                    and classification.get("id")):
                codes.setdefault(str(classification["id"]), None)
        return list(codes)

    @staticmethod
    def place(tender: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
        """(locality, region, postal code, country) from the delivery addresses: the first of
        each that is given (a feed may split them over several addresses). The region stays
        apart: given alone as the place text, the normaliser would take it for a town. The
        country is the first that names one: Contracts Finder lists where suppliers may be
        from as addresses ("British Oversea Territories", "Europe", …, "United Kingdom")."""
        found: dict[str, Any] = {}
        for item in tender.get("items") or []:
            addresses = item.get("deliveryAddresses") if isinstance(item, dict) else None
            for address in addresses or []:
                if not isinstance(address, dict):
                    continue
                for key in ("locality", "region", "postalCode", "countryName"):
                    value = address.get(key)
                    if value in (None, "") or key in found or (
                            key == "countryName" and not resolve_country(str(value))):
                        continue
                    found[key] = value
        return (found.get("locality"), found.get("region"), found.get("postalCode"),
                found.get("countryName"))

    def release_url(self, release: dict[str, Any], tender: dict[str, Any]) -> str | None:
        """The human page: the tender notice document, else an award notice document."""
        documents = [*(tender.get("documents") or []),
                     *(doc for award in release.get("awards") or [] if isinstance(award, dict)
                       for doc in award.get("documents") or [])]
        for wanted in ("tenderNotice", "awardNotice", None):
            for document in documents:
                if isinstance(document, dict) and document.get("url") and (
                        wanted is None or document.get("documentType") == wanted):
                    return str(document["url"])
        return None
