"""Source health: a verdict per source, read from its crawl run history.

Used by `aggregator sources` (aggregator/cli/health.py), the TUI status bar and the e-mail
digest (both through ``source_health`` / ``broken_sources``).

The verdict, from the source's runs newest first:

- ``unconfigured``: the source cannot run as configured (the spider's
  ``configuration_problem``, e.g. missing credentials or no boards), or its latest run said so
  and there is no spider left to ask. A source configured since an unconfigured latest run is
  ``unknown`` (not crawled since), the configuration of today being what holds.
- ``broken``: its last two runs both failed (``failed``/``timeout``) or brought zero items.
- ``degraded``: its last run failed or brought zero items (once), had errors (``partial``
  or an error count), or brought fewer than half the usual items — the median of the
  successful (``ok``) runs before it, up to 7 of them, once there are at least 3.
- ``ok``: none of the above.
- ``unknown``: never crawled yet.

Runs that say nothing about the source are left out (``RunOutcome.judges_source``): ones
still ``running``, ``offline`` ones (this machine had no network), and ``stopped`` ones (a
scheduler shutdown, Ctrl-C). The runs and counts are read by aggregator.store.runs.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from aggregator.config import Config, load_config
from aggregator.i18n import _, ngettext
from aggregator.presentation import state_name
from aggregator.run_notes import note_line, run_note
from aggregator.store.run_outcome import RunOutcome
from aggregator.store.runs import (
    close_dead_runs,
    open_listings_by_source,
    recent_runs,
    sources_with_runs,
)
from aggregator.store.state import recorded_as_of

VERDICTS = ("ok", "degraded", "broken", "unconfigured", "unknown")
BASELINE_RUNS = 7  # successful runs whose median is the usual item count
MIN_BASELINE_RUNS = 3  # fewer, and a low count is not judged yet (one run is not "usual")
HISTORY = 40  # runs read per source


class RunLike(Protocol):
    outcome: RunOutcome
    items_seen: int
    errors: int
    error_summary: str | None
    started_at: datetime
    finished_at: datetime | None
    replayed: bool  # read a replay set: says nothing of the source


@dataclass(frozen=True)
class SourceHealth:
    source: str
    enabled: bool
    configured: bool | None  # None: no spider of that name any more (only runs remain)
    verdict: str  # one of VERDICTS
    reason: str  # why, in one line ("" when ok)
    last_run_at: datetime | None  # start of the latest run, whatever its outcome
    last_outcome: RunOutcome | None
    last_replayed: bool  # the latest run read a replay set, not the source
    last_success_at: datetime | None  # end of the latest ok run
    items_last_run: int | None  # items of the latest run that judges the source
    median_items: float | None  # the usual count it is compared with
    open_listings: int


def _judged(runs: Sequence[RunLike]) -> list[RunLike]:
    return [run for run in runs if run.outcome.judges_source and not run.replayed]


def _failed(run: RunLike) -> bool:
    return run.outcome in (RunOutcome.FAILED, RunOutcome.TIMEOUT)


def _bad(run: RunLike) -> bool:
    """Failed, or read the source and found nothing."""
    return _failed(run) or (run.outcome.read_source and not run.items_seen)


def _why_bad(run: RunLike) -> str:
    if _failed(run):
        summary = note_line(run.error_summary)
        if not summary:
            return state_name(run.outcome)
        return _("%(outcome)s: %(problem)s") % {"outcome": state_name(run.outcome),
                                                "problem": summary}
    return _("no items")


def baseline(runs: Sequence[RunLike]) -> float | None:
    """The usual item count: median of up to 7 ``ok`` runs (newest first) — None when
    there are fewer than 3."""
    counts = [run.items_seen for run in runs if run.outcome is RunOutcome.OK][:BASELINE_RUNS]
    return statistics.median(counts) if len(counts) >= MIN_BASELINE_RUNS else None


def verdict(runs: Sequence[RunLike], problem: str | None = None, *,
            configured: bool | None = None) -> tuple[str, str]:
    """(verdict, reason) from a source's runs, newest first, and its configuration problem;
    ``configured``: whether the configuration is known to hold now (None: no spider to ask,
    its latest run says)."""
    if problem:
        return "unconfigured", run_note(problem)
    judged = _judged(runs)
    if not judged:  # a replay says nothing of the source today
        return "unknown", (_("only replayed, never crawled online")
                           if any(run.replayed for run in runs) else _("never crawled"))
    last = judged[0]
    if last.outcome is RunOutcome.UNCONFIGURED:
        if configured:  # configured since: that run is history, not the state of today
            return "unknown", _("not crawled since it was configured (last run: %(then)s)") % {
                "then": state_name(RunOutcome.UNCONFIGURED)}
        return "unconfigured", note_line(last.error_summary) or _("not configured")
    if _bad(last):
        if len(judged) > 1 and _bad(judged[1]):
            before = (_("no items") if judged[1].outcome.read_source
                      else state_name(judged[1].outcome))
            return "broken", (_("twice in a row: %(why)s (before: %(before)s)")
                              % {"why": _why_bad(last), "before": before})
        return "degraded", _("last run: %(why)s") % {"why": _why_bad(last)}
    if last.outcome is RunOutcome.PARTIAL or last.errors:
        return "degraded", ngettext("%(n)d error in the last run",
                                    "%(n)d errors in the last run", last.errors) % {
                                        "n": last.errors}
    usual = baseline(judged[1:])
    if usual is not None and last.items_seen < usual / 2:
        return "degraded", ngettext("%(n)d item, usually %(usual)s",
                                    "%(n)d items, usually %(usual)s", last.items_seen) % {
                                        "n": last.items_seen, "usual": f"{usual:g}"}
    return "ok", ""


def _spiders() -> dict[str, Any]:
    from aggregator.crawling.registry import spider_class, spider_names

    return {name: spider_class(name) for name in spider_names()}


def source_health(engine: Engine, config: Config | None = None) -> list[SourceHealth]:
    """Every source (each spider, and any source that has runs), sorted by name."""
    config = config or load_config()
    spiders = _spiders()
    close_dead_runs(engine)  # a crawl killed earlier shows `interrupted`, not `running`
    # open as the reading commands judge them: on a replayed store, on the day recorded
    open_counts = open_listings_by_source(engine, recorded_as_of(engine))
    result = []
    for name in sorted(set(spiders) | sources_with_runs(engine)):
        source_config = config.source(name)
        spider = spiders.get(name)
        check = getattr(spider, "configuration_problem", None)
        problem = check(source_config, {}) if check else None
        runs = recent_runs(engine, source=name, limit=HISTORY)
        judged = _judged(runs)
        success = next((run for run in judged if run.outcome is RunOutcome.OK), None)
        configured = None if spider is None else problem is None
        state, reason = verdict(runs, problem, configured=configured)
        result.append(SourceHealth(
            source=name,
            enabled=source_config.enabled,
            configured=configured,
            verdict=state,
            reason=reason,
            last_run_at=runs[0].started_at if runs else None,
            last_outcome=runs[0].outcome if runs else None,
            last_replayed=bool(runs and runs[0].replayed),
            last_success_at=(success.finished_at or success.started_at) if success else None,
            items_last_run=judged[0].items_seen if judged else None,
            median_items=baseline(judged[1:]),
            open_listings=open_counts.get(name, 0),
        ))
    return result


def broken_sources(engine: Engine, config: Config | None = None) -> list[SourceHealth]:
    """Enabled sources whose verdict is ``broken`` (the TUI status bar, the digest)."""
    return [health for health in source_health(engine, config)
            if health.enabled and health.verdict == "broken"]
