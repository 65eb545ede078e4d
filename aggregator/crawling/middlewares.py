"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)

# a character UTF-8 writes in several bytes: a lead byte and its continuation bytes
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def retry_after_seconds(value: bytes | str | None, *, default: float,
                        now: datetime | None = None) -> float:
    """Seconds a Retry-After header (delta-seconds or HTTP-date) asks to wait; ``default``
    when it is absent or unreadable."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    delay = default
    if value and value.strip():
        text = value.strip()
        if text.isdigit():
            delay = float(text)
        else:
            try:
                when = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                delay = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, delay)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429 or 503 first waits as long as the server asks.

    Without the header it backs off exponentially from RETRY_AFTER_DEFAULT_SECONDS. A request
    waits RETRY_AFTER_MAX_SECONDS at most over all its retries: a server that asks for more
    (``Retry-After: 86400``) is not waited for; the request counts as failed (an error of
    the run) and the crawl goes on with the others.
    """

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX_SECONDS", 300)
        self.retry_after_default = settings.getfloat("RETRY_AFTER_DEFAULT_SECONDS", 5)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status in (429, 503) and response.status in self.retry_http_codes:
            retries = request.meta.get("retry_times", 0)
            if retries >= request.meta.get("max_retry_times", self.max_retry_times):
                return self._retry(request, response_status_message(response.status)) or response
            delay = retry_after_seconds(response.headers.get("Retry-After"),
                                        default=self.retry_after_default * 2 ** retries)
            waited = request.meta.get("retry_after_waited", 0.0)
            if waited + delay > self.retry_after_max:
                self._count("retry_after/gave_up")
                logger.error("Gave up %s after HTTP %s: the server asks to wait %.0f s, more "
                             "than RETRY_AFTER_MAX_SECONDS (%.0f s)", request.url,
                             response.status, delay, self.retry_after_max)
                return response
            self._count("retry_after/waits")
            await self._wait(delay)
            retry = self._retry(request, response_status_message(response.status))
            if retry is None:
                return response
            retry.meta["retry_after_waited"] = waited + delay
            return retry
        return super().process_response(request, response)

    def _count(self, key: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(key)

    async def _wait(self, seconds: float) -> None:
        """Sleep, but stop waiting when the crawl is being stopped: a clean shutdown waits
        for requests in flight, and must not wait minutes for this one."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            engine = self.crawler.engine
            if engine is not None and not engine.running:
                return
            await asyncio.sleep(min(1.0, left))


class MisdeclaredCharsetMiddleware:
    """A page that says it is UTF-8 but is written in Windows-1252 is read as Windows-1252.

    Older French career sites and CMS templates send ``charset=utf-8`` over Latin-1 bytes:
    read as declared, each accented letter becomes U+FFFD ("D\ufffdveloppeur"), and the
    letter is lost before any spider sees it. Only an HTML page none of whose bytes form a
    UTF-8 sequence is read again: a UTF-8 page with a stray byte stays UTF-8. APIs answer
    JSON or XML, which are UTF-8 or say otherwise in their own prolog."""

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or response.body.isascii() or \
                response.encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
            return response
        body = response.body
        try:
            body.decode("utf-8")
            return response
        except UnicodeDecodeError:
            pass
        if _UTF8_SEQUENCE.search(body):
            return response
        try:
            body.decode("cp1252")
        except UnicodeDecodeError:  # bytes Windows-1252 leaves undefined: not that either
            return response
        logger.info("%s says it is UTF-8 but is written in Windows-1252: read as such",
                    response.url)
        return response.replace(encoding="cp1252")
