"""The PostgreSQL half of benchmarks/search.py: the same typical searches, written by hand
the way one would for PostgreSQL (the stored ``fts_document``/``fts_title`` tsvector columns
through their GIN indexes, the search-order indexes), timed next to
``aggregator.query.search``."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from search import _PARIS, _percentiles

_OPEN = ("l.duplicate_of IS NULL AND l.status = 'open' AND (l.deadline_at IS NULL OR "
         "l.deadline_at > %(now)s) AND NOT l.hidden")
_ORDER = "ORDER BY l.deadline_at IS NULL, l.deadline_at, l.published_at DESC, l.id"


def _columns() -> str:
    from aggregator.store.models import Listing

    return ", ".join(f"l.{c.name}" for c in Listing.__table__.columns if c.name != "raw")


def _relevance(cols: str, where: str, query: str) -> str:
    """Title matches first, then the others, each soonest deadline first."""
    q = f"phraseto_tsquery('french_unaccent', '{query}')"
    in_title = f"l.fts_title @@ {q}"
    arms = [f"(SELECT {cols}, {tier} AS tier FROM listings l WHERE {where} AND "
            f"l.fts_document @@ {q} AND {cond} {_ORDER} LIMIT 50)"
            for tier, cond in ((0, in_title), (1, f"NOT {in_title}"))]
    order = _ORDER.replace("ORDER BY l.", "ORDER BY tier, ").replace(", l.", ", ")
    return f"SELECT * FROM ({arms[0]} UNION ALL {arms[1]}) u {order} LIMIT 50"


def queries() -> list[tuple[str, str, str]]:
    """(name, compact filter, the same query hand-written for PostgreSQL)."""
    cols = _columns()
    return [
        ("all open (no filter)", "",
         f"SELECT {cols} FROM listings l WHERE {_OPEN} {_ORDER} LIMIT 50"),
        ("place: dep:13", "dep:13",
         f"SELECT {cols} FROM listings l WHERE {_OPEN} AND l.department = '13' {_ORDER} "
         "LIMIT 50"),
        ("place: Paris (21 arrondissements)", "loc:Paris",
         f"SELECT {cols} FROM listings l WHERE {_OPEN} AND l.department = '75' AND "
         f"l.insee_code IN ({_PARIS}) {_ORDER} LIMIT 50"),
        ("place + deadline: PACA deadline<15d", "region:PACA deadline<15d",
         f"SELECT {cols} FROM listings l WHERE {_OPEN} AND l.region = '93' AND "
         f"l.deadline_at > %(now)s AND l.deadline_at < %(soon)s {_ORDER} LIMIT 50"),
        ("text: électricité", "électricité", _relevance(cols, _OPEN, "électricité")),
        ("text: only in descriptions (zinguerie)", "zinguerie",
         _relevance(cols, _OPEN, "zinguerie")),
        ("text + place + deadline", 'dep:69 deadline<30d "maîtrise d\'œuvre"',
         _relevance(cols, f"{_OPEN} AND l.department = '69' AND l.deadline_at > %(now)s AND "
                    "l.deadline_at < %(soon30)s", "maîtrise d''œuvre")),
        ("CPV prefix: kind:tender cpv:4533", "kind:tender cpv:4533",
         f"SELECT {cols} FROM listings l WHERE {_OPEN} AND l.kind = 'tender' AND l.id IN "
         "(SELECT listing_id FROM listing_cpv WHERE code BETWEEN '45330000' AND '45339999') "
         f"{_ORDER} LIMIT 50"),
        ("jobs: kind:job contract:cdi dep:75", "kind:job contract:cdi dep:75",
         f"SELECT {cols} FROM listings l WHERE {_OPEN} AND l.kind = 'job' AND "
         f"l.contract_type = 'cdi' AND l.department = '75' {_ORDER} LIMIT 50"),
    ]


def run_queries(url: str, runs: int, now: datetime, params: dict[str, Any],
                sqlite_ids: dict[str, list[int]], verbose: bool) -> list[tuple]:
    """Per query: rows, whether SQLite returned the same, p50/p95 of search(), of the SQL it
    sent (replayed with psycopg) and of the hand-written SQL, in ms, then p50/p95 of search()
    plus explain() on its page (search --why) and the best run of each; EXPLAIN when
    verbose."""
    import psycopg
    from sqlalchemy import event

    from aggregator.query import Filter, search
    from aggregator.query.why import explain
    from aggregator.store.engine import get_engine

    engine = get_engine(url)
    # never prepared, as search() sends them: the pool's rollback on each return clears
    # psycopg's prepared statements, so PostgreSQL plans each statement for its values. A
    # replay prepared after 5 runs got generic plans search() never gets (dep:75: 20x)
    raw = psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(
        hide_password=False), autocommit=True, prepare_threshold=None)
    rows = []
    for name, text, sql in queries():
        filter = Filter.parse(text)
        sent: list[tuple[str, Any]] = []

        def capture(_conn, _cursor, statement, parameters, _context, _many, sent=sent):
            sent.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", capture)
        found = search(engine, filter, now=now)
        event.remove(engine, "before_cursor_execute", capture)
        expected = raw.execute(sql, params).fetchall()
        assert [r.id for r in found] == [r[0] for r in expected], f"{name}: results differ"
        if verbose:
            print(f"\n== {name}: the statements search() sent")
            for statement, parameters in sent:
                plan = raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
                print("\n".join(line for (line,) in plan))
        ours: list[float] = []
        our_sql: list[float] = []
        hand: list[float] = []
        why: list[float] = []
        for _ in range(runs):  # interleaved: load on the machine hits all alike
            started = time.perf_counter()
            page = search(engine, filter, now=now)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()  # --why: this search, then explain its page
            explain(engine, filter, page, now=now)
            why.append(ours[-1] + (time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            for statement, parameters in sent:
                raw.execute(statement, parameters).fetchall()
            our_sql.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            raw.execute(sql, params).fetchall()
            hand.append((time.perf_counter() - started) * 1000)
        same = [r.id for r in found] == sqlite_ids.get(name)
        rows.append((name, len(found), same, *_percentiles(ours), *_percentiles(our_sql),
                     *_percentiles(hand), *_percentiles(why), min(ours), min(why)))
    raw.close()
    return rows
