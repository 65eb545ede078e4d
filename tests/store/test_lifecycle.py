"""Closing listings: gone from complete crawls of their scope, or past their deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.normalize import normalize_listing
from aggregator.store.lifecycle import close_past_deadlines, expire_missing
from aggregator.store.models import Listing, ListingChange
from aggregator.store.writer import ListingWriter

DAY0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def job(source_id: str, *, scope: str = "codepath", **fields) -> dict:
    item = {"kind": "job", "source": "greenhouse", "source_id": source_id,
            "url": f"https://boards.greenhouse.io/codepath/jobs/{source_id}",
            "title": f"Engineer {source_id}", "published_at": "2026-10-01T10:00:00Z"} | fields
    return normalize_listing(item, crawled_at=DAY0) | {"scope": scope}


def status(engine) -> dict[str, str]:
    with Session(engine) as session:
        return dict(session.execute(select(Listing.source_id, Listing.status)).all())


def crawl(engine, day: int, ids: list[str], *, complete: bool = True) -> int:
    """One daily crawl of the board seeing ``ids``; a complete crawl counts the misses."""
    started = DAY0 + timedelta(days=day)
    ListingWriter(engine).write([job(i) for i in ids], now=started + timedelta(minutes=1))
    if not complete:
        return 0
    return expire_missing(engine, "greenhouse", {"codepath"}, crawl_started_at=started,
                          now=started + timedelta(minutes=2))


def test_a_job_missed_by_two_complete_crawls_is_closed_and_reopens_if_back(engine):
    crawl(engine, 0, ["a", "b", "c"])
    assert crawl(engine, 1, ["a", "b"]) == 0  # one miss: maybe a glitch
    assert status(engine)["c"] == "open"
    assert crawl(engine, 2, ["a", "b"]) == 1
    assert status(engine) == {"a": "open", "b": "open", "c": "closed"}
    with Session(engine) as session:
        change = session.scalars(select(ListingChange)).one()
    assert (change.field, change.old_value, change.new_value) == ("status", "open", "closed")

    crawl(engine, 3, ["a", "b", "c"])
    assert status(engine)["c"] == "open"


def test_a_sighting_between_misses_resets_the_count(engine):
    crawl(engine, 0, ["a", "c"])
    crawl(engine, 1, ["a"])
    crawl(engine, 2, ["a", "c"])
    crawl(engine, 3, ["a"])
    assert status(engine)["c"] == "open"


def test_partial_crawls_close_nothing(engine):
    crawl(engine, 0, ["a", "c"])
    for day in (1, 2, 3):
        crawl(engine, day, ["a"], complete=False)
    assert status(engine)["c"] == "open"


def test_other_scopes_are_untouched(engine):
    ListingWriter(engine).write([job("x", scope="other-board")], now=DAY0)
    crawl(engine, 0, ["a"])
    crawl(engine, 1, ["a"])
    crawl(engine, 2, ["a"])
    assert status(engine)["x"] == "open"


def test_past_deadlines_close(engine):
    ListingWriter(engine).write([job("soon", deadline_at="2026-11-03T12:00:00+01:00"),
                                 job("later", deadline_at="2026-12-03T12:00:00+01:00")],
                                now=DAY0)
    assert close_past_deadlines(engine, now=datetime(2026, 11, 4, tzinfo=UTC)) == 1
    assert status(engine) == {"soon": "closed", "later": "open"}
