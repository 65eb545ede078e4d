"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message


def retry_after_seconds(value: bytes | str | None, *, default: float, maximum: float,
                        now: datetime | None = None) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), bounded."""
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
    return max(0.0, min(delay, maximum))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429 or 503 first waits as long as the server asks.

    The wait is bounded by RETRY_AFTER_MAX_SECONDS; without the header it backs off
    exponentially from RETRY_AFTER_DEFAULT_SECONDS.
    """

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX_SECONDS", 600)
        self.retry_after_default = settings.getfloat("RETRY_AFTER_DEFAULT_SECONDS", 5)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status in (429, 503) and response.status in self.retry_http_codes:
            retries = request.meta.get("retry_times", 0)
            if retries < request.meta.get("max_retry_times", self.max_retry_times):
                delay = retry_after_seconds(
                    response.headers.get("Retry-After"),
                    default=self.retry_after_default * 2 ** retries,
                    maximum=self.retry_after_max)
                if self.crawler.stats:
                    self.crawler.stats.inc_value("retry_after/waits")
                await self._wait(delay)
            return self._retry(request, response_status_message(response.status)) or response
        return super().process_response(request, response)

    async def _wait(self, seconds: float) -> None:
        """Sleep, but stop waiting when the crawl is being stopped: a clean shutdown waits
        for requests in flight, and must not wait minutes for this one."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            engine = self.crawler.engine
            if engine is not None and not engine.running:
                return
            await asyncio.sleep(min(1.0, left))
