"""validate → normalise → store: each a small Scrapy item pipeline.

A bad item is dropped with a reason counted in the stats (``aggregator/dropped/<reason>``),
which the crawl run record keeps; nothing a source sends can stop the crawl. Every reason
is known to aggregator.drop_reasons, which says it in the reader's language.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from aggregator.drop_reasons import DROPPED_PREFIX, STORE_ERROR
from aggregator.items import KINDS, STATUSES
from aggregator.normalize import NormalizationError, NormalizedListing, normalize_listing
from aggregator.store.engine import get_engine
from aggregator.store.writer import ListingWriter, WriteResult

logger = logging.getLogger(__name__)

# Sent after every store flush: what was parsed so far is committed (distributed workers
# release their requests' leases on it).
batch_stored = object()


class _Pipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _Pipeline:
        return cls(crawler)

    def drop(self, reason: str, item: Any) -> DropItem:
        """A DropItem whose reason is counted for the run record."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(DROPPED_PREFIX + reason)
        ident = item.get("source_id") or item.get("url") or "?"
        return DropItem(f"{reason} ({ident})")


class ValidatePipeline(_Pipeline):
    """Required fields and their types; the normaliser may then rely on them."""

    def process_item(self, item: Any) -> Any:
        if item.get("kind") not in KINDS:
            raise self.drop("invalid kind", item)
        for name in ("source", "source_id", "url", "title"):
            value = item.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and name == "source_id":
                item[name] = value = str(value)
            if value not in (None, "") and not isinstance(value, str):
                raise self.drop(f"invalid {name}", item)  # a table is no id, title or URL
            if not isinstance(value, str) or not value.strip():
                raise self.drop(f"missing {name}", item)
        if len(item["source_id"]) > 512:
            raise self.drop("source_id too long", item)
        try:
            scheme = urlsplit(item["url"].strip()).scheme
        except ValueError:  # "http://[bad": not a URL at all
            scheme = None
        if scheme not in ("http", "https"):
            raise self.drop("invalid url", item)
        if item.get("status") not in (None, *STATUSES):
            raise self.drop("invalid status", item)
        for name in ("cpv", "nuts", "match_keys", "descriptors", "lots", "suppliers",
                     "amendments"):
            if item.get(name) is not None and not isinstance(item[name], (list, tuple)):
                raise self.drop(f"invalid {name}", item)
        return item


def crawl_clock(settings: Any) -> datetime:
    """The instant a crawl sees its responses at: now, or when a replayed set was recorded
    (``REPLAY_AS_OF``), so that a tender open then is stored open and dated then."""
    as_of = settings.get("REPLAY_AS_OF")
    return datetime.fromisoformat(as_of) if as_of else datetime.now(UTC)


class NormalizePipeline(_Pipeline):
    """Raw fields → the store's columns (aggregator.normalize)."""

    def process_item(self, item: Any) -> NormalizedListing:
        try:
            record = normalize_listing(item, crawled_at=crawl_clock(self.crawler.settings))
        except NormalizationError as exc:
            raise self.drop(str(exc), item) from None
        except Exception:  # a normaliser bug on odd input: counted and shown, the crawl goes on
            logger.exception("normalising %s %s failed", item.get("source"),
                             item.get("source_id"))
            raise self.drop("normalize error", item) from None
        for name in record["details"].get("unreadable", ()):  # left empty, the listing kept
            self.crawler.stats.inc_value(f"aggregator/unreadable/{name}")
        record["scope"] = item.get("scope")
        record["amends"] = bool(item.get("amends"))
        return record


class StorePipeline(_Pipeline):
    """Batched upserts: one transaction per STORE_BATCH_SIZE items, the rest when the crawl
    is idle or closes."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.batch_size = crawler.settings.getint("STORE_BATCH_SIZE", 500)
        self.buffer: list[NormalizedListing] = []
        self.writer: ListingWriter | None = None
        crawler.signals.connect(self.flush, signal=signals.spider_idle)

    def open_spider(self) -> None:
        self.writer = ListingWriter(get_engine(self.crawler.settings.get("DATABASE_URL")))

    def process_item(self, item: NormalizedListing) -> NormalizedListing:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()

    def flush(self) -> None:
        if self.writer is None:
            return
        batch, self.buffer = self.buffer, []
        run_id = getattr(self.crawler.spider, "crawl_run_id", None)
        try:
            if batch:
                self._write(batch, run_id)
        except Exception:
            # One bad row must not lose the batch: write one by one, drop only what fails.
            logger.exception("batch write failed; retrying its %d items one by one", len(batch))
            for record in batch:
                try:
                    self._write([record], run_id)
                except Exception as exc:
                    logger.error("store error for %s %s: %s", record.get("source"),
                                 record.get("source_id"), exc)
                    self.crawler.stats.inc_value(DROPPED_PREFIX + STORE_ERROR)
        self.crawler.signals.send_catch_log(signal=batch_stored)

    def _write(self, batch: list[NormalizedListing], run_id: int | None) -> None:
        # The run's counts grow with each batch stored, in its transaction: a crawl killed
        # mid-way leaves a run that says what it stored (distributed workers share one run).
        self._count(self.writer.write(batch, run_id=run_id, count_in_run=True,
                                      now=crawl_clock(self.crawler.settings)))

    def _count(self, result: WriteResult) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("aggregator/items_new", result.new)
        stats.inc_value("aggregator/items_updated", result.updated)
        stats.inc_value("aggregator/items_unchanged", result.unchanged)
