"""Cegid Talentsoft career sites (EDF, Naval Group, Air France, France Travail...): the
Front-Office API v2 of each site, ``GET {site}/api/V2/offersummaries?count=100``.

A board is the career site's host: ``https://COMPANY.talent-soft.com`` (a bare ``COMPANY``
means that), or the site's own domain. The API wants an OAuth2 client-credentials token
from ``{site}/api/token`` (scope ``MetaEngine``); the client id and secret come from the
environment only (``TALENTSOFT_CLIENT_ID``, ``TALENTSOFT_CLIENT_SECRET``) and, as for France
Travail, are added inside the downloader only (spiders.base.oauth): recordings, replay sets
and queues never hold them. Pages answer ``data`` (the offers) and ``_pagination``
(``hasMore``, ``links`` with ``rel`` "next"), as read by public clients of the API
(github.com/mission-apprentissage/labonnealternance, importFranceTravailCEGID.ts).

An offer has ``reference``, ``title``, ``contractType`` (``label``: "CDD"),
``organisationName``, ``description1``/``description2`` and their HTML ``…Formatted``,
``salaryRange`` (``label``: "1 940 €"), places as code tables (``country``, ``region``,
``department``, ``geographicalLocation``: lists of ``{label}``), ``offerUrl`` (its page)
and ``startPublicationDate`` — a time without zone, Europe/Paris (the normaliser reads
zone-less French times so). Recorded sample:
tests/fixtures/jobs/talentsoft_francetravail-career_offers.json.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response
from scrapy.settings import BaseSettings

from aggregator.config import SourceConfig
from aggregator.i18n import N_, _
from aggregator.items import RawListing
from spiders.base.boards import SLUG, Board, BoardSpider, joined, pointer
from spiders.base.job_keys import job_match_keys
from spiders.base.oauth import (
    BEARER,
    OAUTH_META,
    ClientCredentials,
    TokenError,
    credential,
    enable_oauth_middleware,
)

CREDENTIALS = ("TALENTSOFT_CLIENT_ID", "TALENTSOFT_CLIENT_SECRET")
SCOPE = "MetaEngine"
PAGE_SIZE = 100
PLACES = ("geographicalLocation", "department", "region", "country")  # finest first


class TalentsoftSpider(BoardSpider):
    name = "talentsoft"
    about = N_("Cegid Talentsoft career sites (API v2)")
    board_help = N_("CAREER_SITE_URL (or COMPANY for COMPANY.talent-soft.com)")
    board_url = re.compile(r"https?://(?P<slug>[A-Za-z0-9-]+)\.talent-soft\.com", re.I)
    records_pointer = "/data"
    max_page_size = PAGE_SIZE
    credential_settings = CREDENTIALS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clients: dict[str, ClientCredentials] = {}  # board key → its token client

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        enable_oauth_middleware(settings)

    @classmethod
    def parse_board(cls, value: str) -> Board:
        value = value.strip()
        if SLUG.fullmatch(value) and "." not in value:
            value = f"https://{value}.talent-soft.com"
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise cls.not_a_board(value, N_("career site"))
        # the site's root, whatever page of it was pasted: its API or pages cut off
        prefix = re.split(r"/api/|/offre-de-emploi|/Pages/|/[^/]*\.aspx", parts.path,
                          maxsplit=1, flags=re.I)[0].rstrip("/")
        site = f"{parts.scheme}://{parts.netloc}{prefix}"
        return Board(key=site, slug=parts.hostname, base_url=site)

    @classmethod
    def needs(cls) -> str | None:
        return _("%(boards)s; %(names)s in the environment") % {
            "boards": super().needs(), "names": _(" and ").join(CREDENTIALS)}

    @classmethod
    def configuration_problem(cls, source_config: SourceConfig, args: dict[str, Any],
                              settings: Mapping[str, Any] | None = None) -> str | None:
        problem = super().configuration_problem(source_config, args, settings)
        missing = [name for name in CREDENTIALS if not credential(name, settings or {})]
        if problem or not missing:
            return problem
        return (f"{' and '.join(missing)} not set (the API client of the career site, "
                "from its Talentsoft administrator)")

    def credentials(self) -> tuple[str, str]:
        client_id, secret = (credential(name, self.settings) or "" for name in CREDENTIALS)
        return client_id, secret

    def oauth_for(self, request: Request) -> ClientCredentials | None:
        """The client of the site a request goes to: its board's, or the one whose token
        this is (sites may share a host)."""
        board = request.cb_kwargs.get("board")
        if isinstance(board, Board):
            return self.clients.get(board.key)
        return next((client for client in self.clients.values()
                     if client.token_url == request.url), None)

    def start_problem(self) -> str | None:
        # the boards' problems only: the credentials may come from -s settings or a replay
        problem = BoardSpider.configuration_problem.__func__(  # type: ignore[attr-defined]
            type(self), self.source_config, self.run_args)
        if problem is None and not all(self.credentials()) and not self.replaying():
            problem = self.configuration_problem(self.source_config, self.run_args)
        return problem

    async def start_board(self, board: Board) -> AsyncIterator[Request]:
        if await self.token_for(board):
            for request in self.board_requests(board):
                yield request
        else:
            self.board_failed(board)

    def replaying(self) -> bool:
        """Whether this run answers from a replay set (its recorded token answer is found
        without credentials)."""
        return self.settings.getbool("HTTPCACHE_ENABLED") and self.settings.getbool(
            "HTTPCACHE_IGNORE_MISSING")

    def board_requests(self, board: Board) -> Iterator[Request]:
        yield self.page_request(board, f"{board.base_url}/api/V2/offersummaries"
                                       f"?count={self.page_limit}")

    def page_request(self, board: Board, url: str) -> Request:
        request = self.board_request(board, url, "parse_page",
                                     headers={"Accept": "application/json"})
        request.meta[OAUTH_META] = BEARER
        return request

    async def token_for(self, board: Board) -> bool:
        """A token for the board's site; False (logged, board partial) when refused."""
        if board.key not in self.clients:
            self.clients[board.key] = ClientCredentials(
                self.crawler, f"{board.base_url}/api/token", *self.credentials(),
                scope=SCOPE, resource_url=board.base_url)
        try:
            await self.clients[board.key].get()
        except TokenError as exc:
            self.logger.error("%s board %s: %s", self.name, board.key, exc)
            return False
        return True

    def parse_page(self, response: Response, board: Board) -> Iterator[Any]:
        found = self.read_records(response, board)
        if found is None:
            return
        data, records = found
        yield from self.handle_records(records, board, data)
        following = next((link.get("href") for link in pointer(data, "/_pagination/links") or []
                          if isinstance(link, dict) and link.get("rel") == "next"), None)
        if following:
            yield self.page_request(board, response.urljoin(following))

    def record_id(self, record: Any) -> str | None:
        return record.get("reference") if isinstance(record, dict) else None

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        places = {name: [entry.get("label") for entry in record.get(name) or []
                         if isinstance(entry, dict) and entry.get("label")]
                  for name in PLACES}
        location = next((labels[0] for name in PLACES if (labels := places[name])), None)
        detail_link = next((link.get("href") for link in record.get("_links") or []
                            if link.get("rel") == "detail"), None)
        return self.listing(
            source_id=record["reference"],
            url=record.get("offerUrl") or detail_link,
            title=record["title"],
            organization=record.get("organisationName"),
            description=joined(record.get("description1Formatted") or record.get("description1"),
                               record.get("description2Formatted") or record.get("description2"),
                               sep="\n"),
            location=location,
            latitude=record.get("latitude"),
            longitude=record.get("longitude"),
            contract_type=(record.get("contractType") or {}).get("label"),
            salary=(record.get("salaryRange") or {}).get("label"),
            published_at=record.get("startPublicationDate"),
            modified_at=record.get("modificationDate"),
            match_keys=job_match_keys(record.get("organisationName"), record["title"],
                                      location, record.get("description1"),
                                      reference=record["reference"]),
            extra={k: v for k, v in {
                "reference": record["reference"],
                "places": [label for name in PLACES for label in places[name]],
                "api_detail": detail_link,
            }.items() if v not in (None, "", [])},
        )
