"""No network: a crawl stops as ``offline`` within seconds, not after minutes of retries."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from aggregator.crawling.outcome import NETWORK_ERRORS, OFFLINE_REASON

logger = logging.getLogger(__name__)
# The failures that say "this machine cannot reach the host" (a timeout may be a slow server).
_UNREACHABLE = {"DNS lookup failed", "connection refused", "no route to host",
                "could not connect"}


class OfflineMiddleware:
    """No network: stop the crawl within seconds, not after minutes of retries.

    When the first requests of a crawl all fail to reach their host (DNS failure, connection
    refused) — OFFLINE_AFTER of them, retries included, before any response — the crawl
    closes with reason ``offline`` (judged ``offline``: aggregator.crawling.outcome). Placed
    before the retry middleware, so that it sees each failure before it is retried.
    """

    def __init__(self, crawler: Crawler, threshold: int) -> None:
        self.crawler = crawler
        self.threshold = threshold
        self.failures = 0
        self.closing: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OfflineMiddleware:
        threshold = crawler.settings.getint("OFFLINE_AFTER", 2)
        if threshold < 1:
            raise NotConfigured
        return cls(crawler, threshold)

    def process_exception(self, request: Request, exception: BaseException) -> None:
        kind = type(exception)
        failure = NETWORK_ERRORS.get(f"{kind.__module__}.{kind.__qualname__}")
        stats = self.crawler.stats
        if failure not in _UNREACHABLE or (stats and stats.get_value(
                "downloader/response_count", 0)):
            return None
        self.failures += 1
        if self.failures < self.threshold:
            return None
        if self.closing is None and self.crawler.engine is not None:
            from scrapy.utils.defer import deferred_from_coro

            logger.error("no network: %s for %s", failure, request)
            self.closing = deferred_from_coro(
                self.crawler.engine.close_spider_async(reason=OFFLINE_REASON))
        raise IgnoreRequest(f"no network: {failure}")
