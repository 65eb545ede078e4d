"""Which scopes (ATS boards, career sites, search queries) a crawl read completely.

A *scope* is a part of a source whose complete listing a crawl can read; the run recorder
closes the listings of a completely read scope that the crawl did not see
(aggregator.store.lifecycle.expire_missing). So a scope may only count as complete when
every request that lists part of it ended without error and nothing of it was left unread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spiders.base.listing_spider import ListingSpider

# A record's page or detail answering these is gone (withdrawn between the list and the
# detail, or a dead job page): nothing to read, and nothing failed.
GONE_STATUSES = (404, 410)


class ScopeProgress:
    """In-flight bookkeeping of a spider's scopes.

    ``started(scope)`` when a request of the scope is made, ``finished(scope)`` once its
    callback or errback is done; when the last one finishes and none ``failed`` and nothing
    was ``skipped``, the scope joins ``spider.completed_scopes``.
    """

    def __init__(self, spider: ListingSpider) -> None:
        self.spider = spider
        self.pending: dict[str, int] = {}
        self.incomplete: set[str] = set()

    def started(self, scope: str) -> None:
        self.pending[scope] = self.pending.get(scope, 0) + 1

    def failed(self, scope: str) -> None:
        """Part of the scope could not be read: it stays incomplete and the run is partial."""
        self.incomplete.add(scope)
        self.spider.partial = True

    def skipped(self, scope: str) -> None:
        """Part of the scope is left unread on purpose (an incremental read, robots.txt): it
        cannot be complete, but nothing failed."""
        self.incomplete.add(scope)

    def finished(self, scope: str, *, failed: bool = False) -> bool:
        """One request of ``scope`` is done; True when that made the scope complete."""
        if failed:
            self.failed(scope)
        self.pending[scope] = self.pending.get(scope, 0) - 1
        if self.pending[scope] != 0 or scope in self.incomplete:
            return False
        self.spider.completed_scopes.add(scope)
        return True
