"""OAuth2 client-credentials tokens for API spiders (RFC 6749 §4.4), fetched through Scrapy.

The token request goes through the downloader middlewares (retries, HTTP cache — so replays
and recordings include it) but not through the spider's callbacks. The token is cached until
shortly before ``expires_in`` runs out; ``refresh(stale)`` replaces it once after a 401, and
concurrent callers share one refresh.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlencode

import scrapy
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Renew this long before the announced expiry, so that no request leaves with a dying token.
EXPIRY_MARGIN_SECONDS = 60


class TokenError(RuntimeError):
    """No token could be obtained; the message says why in one line."""


class ClientCredentials:
    def __init__(self, crawler: Crawler, token_url: str, client_id: str, client_secret: str,
                 scope: str) -> None:
        self.crawler = crawler
        self.token_url = token_url
        self.form = {"grant_type": "client_credentials", "client_id": client_id,
                     "client_secret": client_secret, "scope": scope}
        self.token: str | None = None
        self.expires_at = 0.0  # time.monotonic() value
        self._lock: asyncio.Lock | None = None

    async def get(self) -> str:
        """A valid access token (cached until it expires)."""
        if self.token and time.monotonic() < self.expires_at:
            return self.token
        return await self._fetch(stale=self.token)

    async def refresh(self, stale: str | None) -> str:
        """A new token after ``stale`` was refused (401); shared by concurrent callers."""
        return await self._fetch(stale=stale)

    async def _fetch(self, *, stale: str | None) -> str:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self.token and self.token != stale and time.monotonic() < self.expires_at:
                return self.token  # another caller renewed it meanwhile
            request = scrapy.Request(
                self.token_url, method="POST", body=urlencode(self.form),
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": "application/json"},
                # An authentication endpoint, not a page to crawl: robots.txt does not apply.
                meta={"dont_obey_robotstxt": True}, dont_filter=True)
            assert self.crawler.engine is not None
            response = await self.crawler.engine.download_async(request)
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
            self.expires_at = time.monotonic() + max(lifetime - EXPIRY_MARGIN_SECONDS, 0.0)
            return self.token
