"""The scheduler's work besides crawling: after each batch of crawls, and between crawls.

A step is ``(label, function)``, the function called as ``function(engine, config)``. Steps
must be idempotent (a step may run after every batch of crawls, and again after a restart);
a step that fails is logged and the next one still runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine

from aggregator.config import Config
from aggregator.mail.digests import DigestRunSummary, send_due_digests
from aggregator.presentation import local
from aggregator.scheduling.health import broken_sources
from aggregator.store.lifecycle import close_past_deadlines

logger = logging.getLogger(__name__)

Step = tuple[str, Callable[[Engine, Config], Any]]


def close_expired_listings(engine: Engine, config: Config) -> int:
    """Close the listings whose deadline has passed."""
    return close_past_deadlines(engine)


def broken_source_lines(engine: Engine, config: Config) -> list[str]:
    """One line per enabled source whose health verdict is ``broken`` (for the digests)."""
    lines = []
    for health in broken_sources(engine, config):
        since = (f"; last success {local(health.last_success_at)}"
                 if health.last_success_at else "; no successful run yet")
        lines.append(f"{health.source}: {health.reason}{since}. Its listings may be missing.")
    return lines


def send_digests(engine: Engine, config: Config) -> DigestRunSummary:
    """Send the digests that are due (and retry pending ones), naming broken sources."""
    return send_due_digests(engine, config,
                            broken_sources=lambda: broken_source_lines(engine, config))


# After crawls, in this order.
POST_CRAWL_STEPS: list[Step] = [
    ("close past deadlines", close_expired_listings),
    ("send due digests", send_digests),
]
# Between crawls as well, every PERIODIC_MINUTES: digests due at an HH:MM time, and pending
# digests to retry.
PERIODIC_STEPS: list[Step] = [
    ("send due digests", send_digests),
]
PERIODIC_MINUTES = 15


def run_steps(engine: Engine, config: Config,
              steps: Iterable[Step] = POST_CRAWL_STEPS) -> dict[str, Any]:
    """Run the steps in order; returns each step's result (failed ones absent)."""
    results: dict[str, Any] = {}
    for label, step in steps:
        try:
            results[label] = step(engine, config)
            logger.info("post-crawl step %s: %s", label, results[label])
        except Exception:
            logger.exception("post-crawl step %s failed", label)
    return results
