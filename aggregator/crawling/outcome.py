"""How a crawl ended, judged from its counts: the one judge of a run's outcome.

Scrapy exits 0 even when every request failed, so a crawl is judged from what it counted:
the Scrapy stats of a one-process crawl (``CrawlCounts.from_stats``), or the counts every
worker added to a distributed run (``CrawlCounts.of_run``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aggregator.store.models import CrawlRun
from aggregator.store.run_outcome import RunOutcome

# Exceptions that mean "we could not reach the source at all" rather than "the source failed".
NETWORK_ERRORS = {
    # Scrapy 2.19 wraps the download handlers' errors in its own exceptions.
    "scrapy.exceptions.CannotResolveHostError": "DNS lookup failed",
    "scrapy.exceptions.DownloadConnectionRefusedError": "connection refused",
    "scrapy.exceptions.DownloadTimeoutError": "connection timed out",
    "twisted.internet.error.DNSLookupError": "DNS lookup failed",
    "twisted.internet.error.ConnectionRefusedError": "connection refused",
    "twisted.internet.error.NoRouteError": "no route to host",
    "twisted.internet.error.TCPTimedOutError": "connection timed out",
    "twisted.internet.error.TimeoutError": "connection timed out",
    "twisted.internet.error.ConnectError": "could not connect",
    "twisted.internet.error.ConnectionLost": "connection lost",
}
_EXCEPTION_PREFIX = "downloader/exception_type_count/"
_HOST = re.compile(r"<[A-Z]+ https?://([^/:>]+)")
# Scrapy's close reason when the process was asked to stop (SIGTERM, SIGINT)
STOP_REASON = "shutdown"
# the close reason of a crawl whose first requests could not reach their host
# (aggregator.crawling.offline.OfflineMiddleware)
OFFLINE_REASON = "offline"


@dataclass(frozen=True)
class CrawlCounts:
    items: int = 0  # listings seen: stored or dropped
    responses: int = 0
    errors: int = 0  # error log lines
    network: frozenset[str] = frozenset()  # network failures met ("DNS lookup failed")
    reason: str | None = "finished"  # why the crawl closed (Scrapy's close reason)
    error_lines: Sequence[str] = ()  # the first error messages
    unconfigured: str | None = None  # why the source cannot run as configured

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any], reason: str | None, *,
                   error_lines: Sequence[str] = (),
                   unconfigured: str | None = None) -> CrawlCounts:
        """The counts of a one-process crawl, from its Scrapy stats."""
        exceptions = (key[len(_EXCEPTION_PREFIX):] for key in stats
                      if key.startswith(_EXCEPTION_PREFIX))
        return cls(items=stats.get("item_scraped_count", 0) + stats.get("item_dropped_count", 0),
                   responses=stats.get("downloader/response_count", 0),
                   errors=stats.get("log_count/ERROR", 0),
                   network=frozenset(NETWORK_ERRORS[name] for name in exceptions
                                     if name in NETWORK_ERRORS),
                   reason=reason, error_lines=tuple(error_lines), unconfigured=unconfigured)

    @classmethod
    def of_run(cls, run: CrawlRun) -> CrawlCounts:
        """The counts every worker added to a distributed run, which ends when drained."""
        return cls(items=run.items_seen, errors=run.errors,
                   error_lines=(run.error_summary,) if run.error_summary else ())


def judge_crawl(counts: CrawlCounts) -> tuple[RunOutcome, str | None]:
    """(outcome, one-line summary) of a finished crawl: unconfigured, stopped, failed,
    offline, partial (some errors) or ok."""
    if counts.unconfigured:
        return RunOutcome.UNCONFIGURED, counts.unconfigured
    first_error = counts.error_lines[0] if counts.error_lines else None
    network = ", ".join(sorted(counts.network))
    if counts.reason == OFFLINE_REASON or (
            counts.items == 0 and counts.responses == 0 and counts.network
            and counts.reason in ("finished", None)):
        hosts = sorted({m.group(1) for line in counts.error_lines if (m := _HOST.search(line))})
        where = f" ({', '.join(hosts[:3])})" if hosts else ""
        return RunOutcome.OFFLINE, f"network unreachable: {network or 'no network'}{where}"
    if counts.reason not in ("finished", None):
        outcome = RunOutcome.STOPPED if counts.reason == STOP_REASON else RunOutcome.FAILED
        return outcome, f"stopped: {counts.reason}" + (f" — {first_error}" if first_error else "")
    if counts.items == 0 and (counts.errors or counts.network):
        return RunOutcome.FAILED, first_error or (
            f"no listing: {network}" if network else "errors and no listing")
    if counts.errors or counts.network:
        return RunOutcome.PARTIAL, first_error or network or None
    return RunOutcome.OK, None
