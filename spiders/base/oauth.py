"""OAuth2 client-credentials tokens for API spiders (RFC 6749 §4.4), fetched through Scrapy.

The token request goes through the downloader middlewares (retries, HTTP cache) but not
through the spider's callbacks. The token is cached until shortly before ``expires_in`` runs
out; ``refresh(stale)`` replaces it once after a 401, and concurrent callers share one
refresh.

Secrets never leave the downloader. What a request carries when it is built — and so what
Scrapy's HTTP cache records (``aggregator crawl --record``), what a replay set keeps and what
a distributed crawl pickles into its Redis queue — holds neither the client secret nor a
token:

- the token request is built *without* the client credentials (``client_id`` and
  ``client_secret``); :class:`OAuthMiddleware`, placed after the HTTP cache middleware (900),
  appends them to the body just before sending and takes them out again when the answer
  comes back, before the cache stores the request. The cache key (request fingerprint) is
  computed on the credential-less body, so a replay finds the recorded token response
  without any credentials;
- API requests carry ``meta["oauth"] = "bearer"`` only; the middleware adds the
  ``Authorization: Bearer`` header at send time (to the API host only: a redirect elsewhere
  never gets it) and removes it again from the request object afterwards. It notes the token's
  ``generation`` (a counter, not the token) in the meta, for ``refresh``.

A spider using it sets ``self.oauth`` (a :class:`ClientCredentials`), or defines
``oauth_for(request)`` when each site has its own (Talentsoft), and calls
:func:`enable_oauth_middleware` in its ``update_settings``. What a replay set does keep is the
A replay set keeps no token either: the token request is marked ``dont_record`` (the replay
set's storage, aggregator.crawling.replay, never writes its response) and carries the body a
replay answers it with instead — a stand-in token that no server accepts, never sent anyway
(a replay sends nothing).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

logger = logging.getLogger(__name__)

# Renew this long before the announced expiry, so that no request leaves with a dying token.
EXPIRY_MARGIN_SECONDS = 60
OAUTH_META = "oauth"  # request.meta key: TOKEN_REQUEST or BEARER
TOKEN_REQUEST = "token"
BEARER = "bearer"
GENERATION_META = "oauth_generation"  # the generation of the token a request was sent with
# A token response is never written to a replay set; a replay answers with this (RFC 6749 §5.1).
REPLAY_STAND_IN = json.dumps({"access_token": "replayed-no-token", "token_type": "Bearer",
                              "expires_in": 3600}).encode()
# After the HTTP cache middleware (900), so that neither the secret nor the token is cached.
MIDDLEWARE_PRIORITY = 910


class TokenError(RuntimeError):
    """No token could be obtained; the message says why in one line."""


class ClientCredentials:
    def __init__(self, crawler: Crawler, token_url: str, client_id: str, client_secret: str,
                 scope: str, *, resource_url: str | None = None) -> None:
        self.crawler = crawler
        self.token_url = token_url
        self.form = {"grant_type": "client_credentials", "scope": scope}
        self._credentials = b"&" + urlencode({"client_id": client_id,
                                               "client_secret": client_secret}).encode()
        # Bearer tokens go to this host only (the API's), whatever a redirect says.
        self.resource_host = urlsplit(resource_url).netloc if resource_url else None
        self.token: str | None = None
        self.generation = 0  # +1 with each new token
        self.expires_at = 0.0  # time.monotonic() value
        self._lock: asyncio.Lock | None = None

    async def get(self) -> str:
        """A valid access token (cached until it expires)."""
        if self.token and time.monotonic() < self.expires_at:
            return self.token
        return await self._fetch(stale=self.generation)

    async def refresh(self, stale: int | None) -> str:
        """A new token after the one of generation ``stale`` was refused (401); shared by
        concurrent callers."""
        return await self._fetch(stale=stale)

    def token_request(self) -> Request:
        """The token request as Scrapy sees it: without credentials (see the module doc)."""
        return scrapy.Request(
            self.token_url, method="POST", body=urlencode(self.form),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/json"},
            # An authentication endpoint, not a page to crawl: robots.txt does not apply.
            meta={"dont_obey_robotstxt": True, OAUTH_META: TOKEN_REQUEST,
                  "dont_record": True, "replay_stand_in": REPLAY_STAND_IN}, dont_filter=True)

    async def _fetch(self, *, stale: int | None) -> str:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self.token and self.generation != stale and time.monotonic() < self.expires_at:
                return self.token  # another caller renewed it meanwhile
            assert self.crawler.engine is not None
            response = await self.crawler.engine.download_async(self.token_request())
            if self.crawler.stats:
                self.crawler.stats.inc_value("aggregator/oauth_token_requests")
            try:
                payload = json.loads(response.text)
            except (ValueError, AttributeError):
                payload = {}
            if response.status != 200 or not isinstance(payload, dict) \
                    or not payload.get("access_token"):
                # RFC 6749 §5.2 error body: {"error": ..., "error_description": ...}
                detail = ""
                if isinstance(payload, dict) and payload.get("error"):
                    detail = f": {payload['error']}"
                    if payload.get("error_description"):
                        detail += f" ({payload['error_description']})"
                raise TokenError(f"token request refused (HTTP {response.status}){detail}")
            try:
                lifetime = float(payload.get("expires_in") or 0)
            except (TypeError, ValueError):
                lifetime = 0.0
            self.token = str(payload["access_token"])
            self.generation += 1
            self.expires_at = time.monotonic() + max(lifetime - EXPIRY_MARGIN_SECONDS, 0.0)
            return self.token

    # -- used by OAuthMiddleware, inside the downloader only ---------------------------------

    def add_credentials(self, request: Request) -> None:
        # Request bodies have no public setter; the request is restored by
        # remove_credentials before anything outside the downloader (cache, retries,
        # callbacks) sees it.
        request._set_body(request.body + self._credentials)

    def remove_credentials(self, request: Request) -> None:
        if request.body.endswith(self._credentials):
            request._set_body(request.body[:-len(self._credentials)])

    def authorize(self, request: Request) -> bool:
        """Add the bearer header to an API request; False when it must go without one."""
        request.meta[GENERATION_META] = self.generation
        if not self.token or (self.resource_host is not None
                              and urlsplit(request.url).netloc != self.resource_host):
            return False
        request.headers["Authorization"] = f"Bearer {self.token}"
        return True


class OAuthMiddleware:
    """Puts a spider's OAuth credentials on its requests at send time, and takes them off
    again before the HTTP cache stores the request (see the module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OAuthMiddleware:
        return cls(crawler)

    def _client(self, request: Request) -> ClientCredentials | None:
        if request.meta.get(OAUTH_META) not in (TOKEN_REQUEST, BEARER):
            return None
        spider = self.crawler.spider
        # One client per spider (``oauth``), or one per site (``oauth_for(request)``).
        client = spider.oauth_for(request) if hasattr(spider, "oauth_for") else \
            getattr(spider, "oauth", None)
        return client if isinstance(client, ClientCredentials) else None

    def process_request(self, request: Request) -> None:
        client = self._client(request)
        if client is None:
            return
        if request.meta[OAUTH_META] == TOKEN_REQUEST:
            client.add_credentials(request)
        else:
            client.authorize(request)

    def _clean(self, request: Request) -> None:
        client = self._client(request)
        if client is None:
            return
        if request.meta[OAUTH_META] == TOKEN_REQUEST:
            client.remove_credentials(request)
        else:
            request.headers.pop("Authorization", None)

    def process_response(self, request: Request, response: Response) -> Response:
        self._clean(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._clean(request)


class OAuthAddon:
    """A Scrapy add-on that enables :class:`OAuthMiddleware`.

    An add-on because add-ons update the crawler's settings when the crawl starts, after
    the crawling process has merged its own settings in (aggregator.crawling.process hands a
    Crawler to the process, whose DOWNLOADER_MIDDLEWARES would otherwise replace one set in
    the spider's ``update_settings``).
    """

    def update_settings(self, settings: BaseSettings) -> None:
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", OAuthMiddleware,
                                                MIDDLEWARE_PRIORITY)


def enable_oauth_middleware(settings: BaseSettings) -> None:
    """For a spider's ``update_settings``: add :class:`OAuthAddon` to ``ADDONS``, keeping the
    add-ons already configured."""
    addons = settings.getdict("ADDONS")
    addons[OAuthAddon] = 0
    priority = max(settings.getpriority("ADDONS") or 0, SETTINGS_PRIORITIES["spider"])
    settings.set("ADDONS", addons, priority)


def credential(name: str, settings: Mapping[str, Any]) -> str | None:
    """One rule for an API credential, for the "unconfigured" check and the crawl alike: a
    ``-s NAME=VALUE`` setting wins (tests and the replay builder pass dummy values that way),
    else the environment. Real secrets belong in the environment."""
    return settings.get(name) or os.environ.get(name) or None
