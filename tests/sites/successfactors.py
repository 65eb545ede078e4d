"""SAP SuccessFactors: careers.qorvo.com's RSS feed, a board given by its feed URL.

The recorded feed answers at its path (``/feeds//`` with ``locale=en_US``), under any host:
tests give the board as ``BASE/feeds//?locale=en_US``; the replay set records it under its
real URL. Any other feed path answers 404.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.sites import FixtureSite, Received, Reply, fixture

FEED = "https://careers.qorvo.com/feeds//?locale=en_US"
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}

REPLAY = {"args": {"boards": FEED}}


def feed(body: bytes) -> Callable[[Received], Reply]:
    """A handler answering ``body`` at the recorded query."""
    def answer(request: Received) -> Reply:
        if request.query != {"locale": ["en_US"]}:
            return Reply(400, b"not what was recorded", {"Content-Type": "text/plain"})
        return Reply(200, body, RSS_TYPE)

    return answer


def site(then: bytes | None = None) -> FixtureSite:
    """The recorded feed; with ``then``, the recorded feed once and ``then`` afterwards (the
    same address, so the same board, changes between crawls)."""
    recorded = fixture("jobs/successfactors_qorvo_feeds.xml")
    found = FixtureSite()
    if then is None:
        return found.add("GET", r"/feeds//", feed(recorded))
    return (found.add("GET", r"/feeds//", feed(recorded), times=1)
            .add("GET", r"/feeds//", feed(then)))
