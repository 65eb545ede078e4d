"""France Travail "Offres d'emploi v2": job offers of France Travail and its partners.

API facts used here are from France Travail's OpenAPI spec
(tests/fixtures/jobs/francetravail_offresdemploi_v2_openapi.json) and its client-credentials
documentation (emploi-store-dev.fr, "Générer un access token"):

- OAuth2 client credentials on the ``/partenaire`` realm, scopes ``api_offresdemploiv2``
  and ``o2dsoffre``; the credentials come from the environment only.
- ``GET /offres/search?range=p-d``: at most 150 results a page; 206 = more pages, 200 = the
  last one, 204 = none; ``Content-Range: offres p-d/total``. ``p`` may not pass 3000 nor
  ``d`` 3149: a query yields at most 3,150 offers. A query with more is split into creation
  date windows (``minCreationDate``/``maxCreationDate``, which the API takes together), then,
  for a window too short to split, into departments, so nothing beyond the cap is lost.

Arguments / ``[sources.francetravail]``: ``departments`` (one query each), ``keywords``
(``motsCles``, all required), ``contract_types`` (``typeContrat`` codes: CDI, CDD, MIS...),
``since``/``until`` (creation dates; default: incremental from the newest stored offer *of
each query's scope*, so a department just added starts like a first crawl), ``full`` (read
every live offer, not only new ones: the only kind of crawl that can tell an offer has gone,
so the only one that records complete scopes for expiry) and ``page_size`` (fewer than the
API's 150 offers a page: tests page through few offers).

The client secret and the tokens are added to the requests inside the downloader only
(spiders.base.oauth): recordings, replay sets and a distributed crawl's queue never hold them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from aggregator.config import SourceConfig
from aggregator.i18n import N_, _
from spiders.base import ListingSpider
from spiders.base.job_keys import job_match_keys
from spiders.base.listing_spider import Endpoint
from spiders.base.oauth import (
    BEARER,
    GENERATION_META,
    OAUTH_META,
    ClientCredentials,
    TokenError,
    credential,
    enable_oauth_middleware,
)
from spiders.base.scopes import ScopeProgress
from spiders.base.values import as_mapping, record_id

CREDENTIALS = ("FRANCE_TRAVAIL_CLIENT_ID", "FRANCE_TRAVAIL_CLIENT_SECRET")

# The OAuth2 client-credentials token endpoint of the /partenaire realm.
TOKEN_ENDPOINT = Endpoint(
    "FRANCE_TRAVAIL_TOKEN_URL",
    "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire",
    "token_url")
SCOPE = "api_offresdemploiv2 o2dsoffre"
DETAIL_URL = "https://candidat.francetravail.fr/offres/recherche/detail/{id}"
PAGE_SIZE = 150  # the most a page may hold
MAX_START = 3000  # the API's highest first index of a page ("p")
LAST_INDEX = 3149  # and its highest last index ("d"): at most 3,150 offers a query
MIN_WINDOW = timedelta(minutes=1)  # below this, split by department instead
FULL_CRAWL_YEARS = 3  # a full crawl's oldest creation date (offers live a few months)
# Department codes the API's `departement` filter takes (INSEE codes, overseas included).
DEPARTMENTS = tuple([f"{n:02d}" for n in range(1, 20)] + ["2A", "2B"]
                    + [f"{n:02d}" for n in range(21, 96)]
                    + ["971", "972", "973", "974", "976"])
_CONTENT_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)\s*/\s*(\d+)")
# Fields kept beside the mapped ones (the whole offer stays in `raw`).
EXTRA_FIELDS = ("typeContratLibelle", "natureContrat", "romeCode", "romeLibelle",
                "appellationlibelle", "experienceLibelle", "qualificationLibelle",
                "secteurActiviteLibelle", "nombrePostes", "dureeTravailLibelle")


def _api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Query:
    """One search: the configured filters, an optional department and creation window."""

    scope: str  # the listing this query is part of (see FranceTravailSpider.queries)
    params: dict[str, str] = field(default_factory=dict)
    department: str | None = None
    window: tuple[datetime, datetime] | None = None
    bounds: tuple[datetime, datetime] | None = None  # what to split a window-less query into

    def url(self, base: str, offset: int, size: int = PAGE_SIZE) -> str:
        query = dict(self.params)
        if self.department:
            query["departement"] = self.department
        if self.window:
            query["minCreationDate"] = _api_time(self.window[0])
            query["maxCreationDate"] = _api_time(self.window[1])
        query["range"] = f"{offset}-{min(offset + size - 1, LAST_INDEX)}"
        return f"{base}/offres/search?{urlencode(query)}"

    def describe(self) -> str:
        parts = [f"departement {self.department}" if self.department else "all departments"]
        if self.window:
            parts.append(f"created {_api_time(self.window[0])}..{_api_time(self.window[1])}")
        return ", ".join(parts)

    def splits(self) -> list[Query]:
        """Narrower queries covering this one (bounds overlap by a second: none is lost)."""
        window = self.window or self.bounds
        if window and window[1] - window[0] > MIN_WINDOW:
            start, end = window
            middle = (start + (end - start) / 2).replace(microsecond=0)
            return [replace(self, window=(start, middle)), replace(self, window=(middle, end))]
        if self.department is None:
            return [replace(self, department=code) for code in DEPARTMENTS]
        return []


class FranceTravailSpider(ListingSpider):
    name = "francetravail"
    kind = "job"
    about = N_("France Travail job offers (API Offres d'emploi v2)")
    endpoint_setting = "FRANCE_TRAVAIL_API_URL"
    endpoint_default = "https://api.francetravail.io/partenaire/offresdemploi/v2"
    more_endpoints = (TOKEN_ENDPOINT,)
    credential_settings = CREDENTIALS
    full_crawl_days = 7
    max_page_size: ClassVar[int] = PAGE_SIZE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: set[str] = set()
        self.scopes = ScopeProgress(self)  # a scope is complete when all its queries are
        self.oauth: ClientCredentials | None = None

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        enable_oauth_middleware(settings)

    @property
    def cap(self) -> int:
        """How many offers one query can read: pages may start at MAX_START at the latest."""
        return min(LAST_INDEX + 1, MAX_START + self.page_limit)

    @classmethod
    def needs(cls) -> str | None:
        return _("%(names)s in the environment (or -s NAME=VALUE)") % {
            "names": _(" and ").join(CREDENTIALS)}

    @classmethod
    def configuration_problem(cls, source_config: SourceConfig, args: dict[str, Any],
                              settings: Mapping[str, Any] | None = None) -> str | None:
        missing = [name for name in CREDENTIALS if not credential(name, settings or {})]
        if missing:
            return (f"{' and '.join(missing)} not set (France Travail API credentials, "
                    "from francetravail.io)")
        return None

    def credentials(self) -> tuple[str, str] | None:
        client_id, secret = (credential(name, self.settings) for name in CREDENTIALS)
        if client_id and secret:
            return client_id, secret
        # A replay sends nothing: its recorded token response is found without credentials.
        return (client_id or "", secret or "") if self.replaying() else None

    def replaying(self) -> bool:
        """Whether this run answers from a replay set (crawling.replay.cache_settings)."""
        return self.settings.getbool("HTTPCACHE_ENABLED") and self.settings.getbool(
            "HTTPCACHE_IGNORE_MISSING")

    # -- the searches ------------------------------------------------------------------

    def base_params(self) -> dict[str, str]:
        params = {"sort": "1"}  # creation date, newest first: new offers only shift pages down
        keywords = self.list_param("keywords")
        if keywords:
            params["motsCles"] = ",".join(keywords)
        contracts = self.list_param("contract_types")
        if contracts:
            params["typeContrat"] = ",".join(contracts)
        return params

    def queries(self) -> list[Query]:
        until = self.until_date()
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        self.run_args["until"] = until.isoformat()
        full = self.full_crawl()
        if full:
            self.run_args["full"] = "true"
        params = self.base_params()
        filters = urlencode(sorted((k, v) for k, v in params.items() if k != "sort"))
        bounds = (end - timedelta(days=365 * FULL_CRAWL_YEARS), end)
        queries = []
        since_by_scope: dict[str, date | None] = {}
        # departments = [1, 13] in TOML are numbers: the API wants "01", "13"
        departments = [d.zfill(2) if d.isdigit() else d.upper()
                       for d in self.list_param("departments")]
        for department in departments or [None]:
            # The scope names what the query lists, so a complete read of it can expire
            # the offers it no longer shows (full crawls only).
            scope = ("&".join(p for p in (f"departement={department}" if department else "",
                                          filters) if p) or "all")[:200]
            window = None  # a full crawl: no date filter (split from FULL_CRAWL_YEARS back)
            if not full:
                since = self.since_date(scope)  # from this scope's newest stored offer
                since_by_scope[scope] = since
                window = (datetime.combine(since, time(), UTC), end)
                # older offers stay unread: the scope's listing is not complete (nothing
                # of it may expire)
                self.scopes.skipped(scope)
            queries.append(Query(scope=scope, params=params, department=department,
                                 window=window, bounds=bounds))
        if not full:
            self.record_since(since_by_scope)
        return queries

    async def start(self) -> AsyncIterator[Any]:
        credentials = self.credentials()
        if credentials is None:
            self.unconfigured(self.configuration_problem(self.source_config, self.run_args)
                              or "no credentials")
            return
        self.oauth = ClientCredentials(self.crawler, self.settings[TOKEN_ENDPOINT.setting],
                                       *credentials, scope=SCOPE, resource_url=self.endpoint)
        try:
            await self.oauth.get()
        except TokenError as exc:
            self.logger.error("France Travail: %s", exc)
            self.partial = True
            return
        for query in self.queries():
            request = await self.search(query, 0)
            if request is not None:
                yield request

    async def search(self, query: Query, offset: int, *, retried_auth: bool = False,
                     total: int | None = None) -> scrapy.Request | None:
        """The request for one page of ``query``; None when no token could be had."""
        if offset == 0 and not retried_auth:
            self.scopes.started(query.scope)
        assert self.oauth is not None
        try:
            await self.oauth.get()  # a valid token when it leaves (added at send time)
        except TokenError as exc:
            self.logger.error("France Travail: %s", exc)
            self.finish(query, failed=True)
            return None
        return scrapy.Request(
            query.url(self.endpoint, offset, self.page_limit),
            callback=self.parse_page, errback=self.failed,
            headers={"Accept": "application/json"},
            cb_kwargs={"query": query, "offset": offset, "total": total},
            meta={"handle_httpstatus_list": [401], "retried_auth": retried_auth,
                  OAUTH_META: BEARER},
            dont_filter=retried_auth)

    def finish(self, query: Query, *, failed: bool = False) -> None:
        """One query is done; a scope whose queries all ended cleanly was read completely."""
        self.scopes.finished(query.scope, failed=failed)

    async def parse_page(self, response: Response, query: Query, offset: int,
                         total: int | None) -> AsyncIterator[Any]:
        if response.status == 401:
            if response.meta.get("retried_auth"):
                self.logger.error("France Travail refused a fresh token (HTTP 401) for %s",
                                  response.url)
                self.finish(query, failed=True)
                return
            assert self.oauth is not None
            try:
                await self.oauth.refresh(stale=response.meta.get(GENERATION_META))
            except TokenError as exc:
                self.logger.error("France Travail: %s", exc)
                self.finish(query, failed=True)
                return
            request = await self.search(query, offset, retried_auth=True, total=total)
            if request is not None:
                yield request
            return
        if response.status == 204:  # no offer matches ("Content-Range: */0")
            self.finish(query)
            return
        payload = self.read_json(response)
        if not isinstance(payload, dict):
            self.finish(query, failed=True)
            return
        match = _CONTENT_RANGE.search(response.headers.get("Content-Range", b"").decode())
        if match:
            total = int(match.group(3))
        results = payload.get("resultats") or []
        if offset == 0 and total is not None and total > self.cap:
            narrower = query.splits()
            if narrower:
                self.logger.info("France Travail: %d offers for %s; split into %d queries",
                                 total, query.describe(), len(narrower))
                self.crawler.stats.inc_value("aggregator/francetravail/splits")
                for child in narrower:
                    request = await self.search(child, 0)
                    if request is not None:
                        yield request
                self.finish(query)
                return
            self.logger.warning("France Travail: %d offers for %s, more than the API's %d "
                                "and no narrower query left: only %d read",
                                total, query.describe(), self.cap, self.cap)
            self.finish_capped(query)
        for offer in results:
            try:
                item = self.parse_offer(offer, query.scope)
            except Exception as exc:  # one bad offer never loses the page nor the query
                self.logger.exception("France Travail: cannot read an offer of %s",
                                      query.describe())
                self.drop_record(f"unreadable record ({type(exc).__name__})",
                                 offer.get("id") if isinstance(offer, dict) else None)
                # an offer we could not read is not gone: the scope cannot expire anything
                self.scopes.failed(query.scope)
                continue
            if item is not None:
                yield item
        next_offset = offset + self.page_limit
        if response.status == 206 and results and (total is None or next_offset < total):
            if next_offset <= MAX_START:
                request = await self.search(query, next_offset, total=total)
                if request is not None:
                    yield request
                return
            if total is None:  # no Content-Range, so the cap was not seen on page one
                self.logger.warning("France Travail: %s reached the API's %d-offer cap",
                                    query.describe(), self.cap)
                self.finish_capped(query)
        self.finish(query)

    def finish_capped(self, query: Query) -> None:
        self.scopes.failed(query.scope)
        self.crawler.stats.inc_value("aggregator/francetravail/capped_queries")

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.logger.error("France Travail search failed: %s (%s)", request.url,
                          failure.getErrorMessage())
        self.finish(request.cb_kwargs["query"], failed=True)

    # -- one offer ---------------------------------------------------------------------

    def parse_offer(self, offer: Any, scope: str) -> Any:
        if not isinstance(offer, dict) or not offer.get("id"):
            self.drop_record("offer without id")
            return None
        offer_id = record_id(offer["id"])
        if offer_id is None:
            self.drop_record("offer id is not a text or number")
            return None
        if offer_id in self.seen:  # overlapping windows and shifting pages repeat offers
            return None
        self.seen.add(offer_id)
        place = as_mapping(offer.get("lieuTravail"), "libelle")
        company = as_mapping(offer.get("entreprise"), "nom")
        origin = as_mapping(offer.get("origineOffre"), "urlOrigine")
        contract = [offer["typeContrat"]] if offer.get("typeContrat") else []
        if offer.get("alternance") is True:
            contract.append("alternance")
        return self.listing(
            source_id=offer_id,
            url=origin.get("urlOrigine") or DETAIL_URL.format(id=offer_id),
            title=offer.get("intitule"),
            organization=company.get("nom"),
            description=offer.get("description"),
            published_at=offer.get("dateCreation"),
            modified_at=offer.get("dateActualisation"),
            location=place.get("libelle"),
            postal_code=place.get("codePostal"),
            insee_code=place.get("commune"),
            latitude=place.get("latitude"),
            longitude=place.get("longitude"),
            contract_type=contract or None,
            working_time=offer.get("dureeTravailLibelleConverti"),
            salary=(offer.get("salaire") or {}).get("libelle"),
            status="open",
            scope=scope,
            match_keys=job_match_keys(company.get("nom"), offer.get("intitule"),
                                      place.get("libelle"), offer.get("description")),
            raw=offer,
            extra={k: offer[k] for k in EXTRA_FIELDS if offer.get(k) not in (None, "")},
        )
