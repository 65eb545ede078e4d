"""Batched upsert of normalised listings, with change history and cross-source links.

One batch is one transaction: look up what is already stored, insert the new rows in bulk,
touch only ``last_seen_at`` on unchanged ones, rewrite changed ones and record the fields
that matter in ``listing_changes``. Core statements throughout: the ORM unit of work is
5-10x slower for this.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    String,
    any_,
    bindparam,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from aggregator.normalize.job_match import Offer, same_offer
from aggregator.normalize.listing import FIELDS, NormalizedListing, descriptor_rows
from aggregator.store.batches import chunks
from aggregator.store.bulk_insert import (
    SharedVectors,
    copy_insert,
    copy_links,
    share_vectors,
    spare_connection,
)
from aggregator.store.models import (
    AwardSupplier,
    Listing,
    ListingChange,
    ListingCpv,
    ListingDescriptor,
    ListingKey,
)
from aggregator.store.runs import add_to_run
from aggregator.store.search_index import index_written
from aggregator.store.status import effective_status

logger = logging.getLogger(__name__)

listings = Listing.__table__
changes = ListingChange.__table__
cpv_table = ListingCpv.__table__
keys_table = ListingKey.__table__
descriptors_table = ListingDescriptor.__table__
suppliers_table = AwardSupplier.__table__

# Fields whose change a user must be able to see afterwards (a corrigendum moving a deadline).
TRACKED_FIELDS = (
    "title", "organization", "url", "deadline_at", "status", "city", "postal_code",
    "department", "region", "country", "remote", "contract_type", "cpv", "estimated_value",
    "salary_min", "salary_max", "amount", "duration_months", "ends_at", "suppliers",
)
# What makes a listing "changed". Not the raw payload (it may hold counters or relative dates),
# not published_at (a relative "2 days ago" moves every day), not the source's own timestamp.
_UNHASHED = {"raw", "match_keys", "modified_at", "published_at"}
HASHED_FIELDS = tuple(f for f in FIELDS if f not in _UNHASHED)
# Columns written from a record on insert and on change.
STORED_FIELDS = (*(f for f in FIELDS if f != "match_keys"), "scope")
# What a batch reads of the stored listings to tell new, unchanged and changed apart; the
# tracked fields are read for the changed ones only (decoding them for every re-crawled
# listing was a good part of storing unchanged ones).
_LOOKUP_COLUMNS = (listings.c.id, listings.c.source_id, listings.c.content_hash,
                   listings.c.published_at, listings.c.modified_at)
_TRACKED_COLUMNS = tuple(listings.c[f] for f in TRACKED_FIELDS)
# VARCHAR limits (PostgreSQL enforces them): an overlong value is cut, not a failed batch.
_LENGTHS = {c.name: c.type.length for c in listings.columns
            if isinstance(c.type, String) and c.type.length and c.name in STORED_FIELDS
            and c.name not in ("source", "source_id")}


@dataclass
class WriteResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    new_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)

    def __iadd__(self, other: WriteResult) -> WriteResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.new_ids += other.new_ids
        self.changed_ids += other.changed_ids
        return self


def cpv_stem(code: str) -> str | None:
    """The 8 digits of a CPV code ("45310000-3" → "45310000"), None for anything else: the
    CPV filter compares digit strings."""
    stem = str(code).strip()[:8]
    return stem if len(stem) == 8 and stem.isdigit() else None


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def content_hash(record: Mapping[str, Any]) -> str:
    payload = json.dumps([record.get(f) for f in HASHED_FIELDS], default=_json_value,
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.md5(payload.encode("utf-8"), usedforsecurity=False).hexdigest()


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return old is not None and new is not None and abs(float(old) - float(new)) < 1e-6
    return old == new


def _history_value(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


_EMPTY = (None, "", [], {})


ANALYZE_FIRST_AT = 5000


def _files(details: Any) -> list[str]:
    """The files a listing was read from (``details.extra.files``), when its source says."""
    extra = details.get("extra") if isinstance(details, Mapping) else None
    files = extra.get("files") if isinstance(extra, Mapping) else None
    return [f for f in files if isinstance(f, str)] if isinstance(files, list) else []


def _keep_files(row: dict[str, Any], earlier: list[str], files: list[str] | None = None) -> None:
    """``row`` names the files ``earlier`` sightings were read from, then its own ``files``
    (by default those it names)."""
    own = _files(row.get("details")) if files is None else files
    merged = list(dict.fromkeys([*earlier, *own]))
    if merged == _files(row.get("details")):
        return
    details = dict(row.get("details") or {})
    details["extra"] = {**(details.get("extra") or {}), "files": merged}
    row["details"] = details


def _older(row: Mapping[str, Any], stored: Any) -> bool:
    """Whether ``row`` is a version the source dated before the stored one."""
    new, old = row.get("modified_at"), stored.modified_at
    return new is not None and old is not None and new < old


class ListingWriter:
    """Writes batches of normalised listings (``normalize_listing`` output) to the store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inserted = 0  # rows this writer added
        self._analyze_at = ANALYZE_FIRST_AT
        module = postgresql if engine.dialect.name == "postgresql" else sqlite
        # PostgreSQL: other backends compute part of a batch's tsvectors (bulk_insert.py)
        # and refresh the planner's statistics, while this one writes
        self._helper, self._analyzer = (
            (ThreadPoolExecutor(1, thread_name_prefix="tsvectors"),
             ThreadPoolExecutor(1, thread_name_prefix="analyze"))
            if module is postgresql else (None, None))
        self._analyzing: Future[None] | None = None
        # SQLite (PostgreSQL inserts by COPY): ON CONFLICT, no RETURNING
        self._insert_new = (module.insert(listings)
                            .on_conflict_do_nothing(index_elements=["source", "source_id"]))
        self._insert_codes = module.insert(cpv_table).on_conflict_do_nothing()
        self._insert_keys = module.insert(keys_table).on_conflict_do_nothing()
        self._insert_descriptors = module.insert(descriptors_table).on_conflict_do_nothing()
        self._insert_suppliers = module.insert(suppliers_table).on_conflict_do_nothing()
        self._update_changed = (
            update(listings)
            .where(listings.c.id == bindparam("_id"))
            .values({f: bindparam(f) for f in (*STORED_FIELDS, "content_hash", "published_at",
                                               "last_seen_at", "updated_at")}
                    | {"missed_crawls": 0})
        )

    def write(self, records: Iterable[NormalizedListing], *, run_id: int | None = None,
              now: datetime | None = None, count_in_run: bool = False) -> WriteResult:
        """Upsert ``records`` in one transaction; returns what was new, changed, unchanged.

        With ``count_in_run`` the counts are added to the crawl run ``run_id`` in the same
        transaction (distributed workers share one run: its counts are their sum).
        """
        now = now or datetime.now(UTC)
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for record in records:  # within a batch the last sighting wins
            row: dict[str, Any] = dict(record)
            row["status"] = effective_status(row.get("status"), row.get("deadline_at"), now)
            for name, length in _LENGTHS.items():
                value = row.get(name)
                if isinstance(value, str) and len(value) > length:
                    row[name] = value[:length]
            key = (row["source"], row["source_id"])
            if key in latest:
                _keep_files(row, _files(latest[key].get("details")))
            latest[key] = row
        result = WriteResult()
        if not latest:
            return result
        by_source: dict[str, list[dict[str, Any]]] = {}
        for (source, _), row in latest.items():
            by_source.setdefault(source, []).append(row)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # The commit returns without waiting for its WAL flush. A server crash may
                # lose the last batches written (≤ 3 × wal_writer_delay), whole, never half
                # of one: a crawl can be re-run, and any later synchronous commit (the run's
                # end) makes every batch before it durable.
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            # every source looked up first: on PostgreSQL another backend computes the
            # next source's search vectors while this one writes the first's
            looked_up = [(source, rows, *self._look_up(conn, source, rows))
                         for source, rows in by_source.items()]
            try:
                for source, rows, existing, fresh, vectors in looked_up:
                    result += self._write_source(conn, source, rows, existing, fresh, vectors,
                                                 run_id, now)
            finally:  # a failed batch leaves the other backend nothing more to compute
                for *_, vectors in looked_up:
                    if vectors is not None:
                        vectors.stop()
            self._link_duplicates(conn, [*latest.values()], result)
            # the full-text index follows in the same transaction (store/search_index.py)
            index_written(conn, result.new_ids, result.changed_ids)
            if count_in_run and run_id is not None:
                add_to_run(conn, run_id, items_seen=len(latest), items_new=result.new,
                           items_updated=result.updated, items_unchanged=result.unchanged)
        self._keep_statistics(result.new)
        return result

    def _keep_statistics(self, inserted: int) -> None:
        """Refresh PostgreSQL's statistics of a table growing fast under this writer.

        Before its first ANALYZE the planner thinks the table small and serves
        "source = ? AND source_id IN (...)" by reading the whole source: each batch then
        costs more than the last. Autovacuum fixes that within a minute or so; a first crawl
        or an import writes thousands of rows before it does. Analyzing at 5,000 rows, then
        at every doubling, costs a few sampled reads: of listings, the size and the two
        columns that lookup reads (the text search vectors are costly to analyze). Another
        backend does it while this one writes the next batches.
        """
        self.inserted += inserted
        if self._analyzer is None or self.inserted < self._analyze_at or \
                (self._analyzing is not None and not self._analyzing.done()):
            return
        self._analyze_at = self.inserted * 2
        if not spare_connection(self.engine):
            self._analyze()
            return
        self._analyzing = self._analyzer.submit(self._analyze)
        self._analyzing.add_done_callback(_log_failure)

    def _analyze(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("ANALYZE listings (source, source_id), listing_cpv, listing_keys, "
                              "award_suppliers"))

    def close(self) -> None:
        """Wait for the statistics being refreshed (PostgreSQL); the writer is done."""
        for executor in (self._helper, self._analyzer):
            if executor is not None:
                executor.shutdown()

    def _existing(self, conn: Connection, source: str,
                  source_ids: Sequence[str]) -> dict[str, Any]:
        found = {}
        for chunk in chunks(source_ids):
            query = select(*_LOOKUP_COLUMNS).where(
                listings.c.source == source, _among(listings.c.source_id, chunk, conn))
            for row in conn.execute(query):
                found[row.source_id] = row
        return found

    def _look_up(self, conn: Connection, source: str, rows: list[dict[str, Any]]
                 ) -> tuple[dict[str, Any], list[dict[str, Any]], SharedVectors | None]:
        """The stored listings of a source's ``rows``, by source_id, and its new rows, whose
        search vectors another backend starts on, on PostgreSQL (bulk_insert.py)."""
        existing = self._existing(conn, source, [r["source_id"] for r in rows])
        fresh = [r for r in rows if r["source_id"] not in existing]
        vectors = share_vectors(conn, fresh, self._helper) if fresh and self._helper else None
        return existing, fresh, vectors

    def _write_source(self, conn: Connection, source: str, rows: list[dict[str, Any]],
                      existing: dict[str, Any], fresh: list[dict[str, Any]],
                      vectors: SharedVectors | None, run_id: int | None,
                      now: datetime) -> WriteResult:
        result = WriteResult()
        sighted = [(r, files) for r in rows if (files := _files(r.get("details")))]
        self._merge_with_stored(conn, [
            (existing[r["source_id"]].id, r, bool(r.get("amends"))) for r in rows
            if r["source_id"] in existing and (r.get("amends")
                                               or _older(r, existing[r["source_id"]]))])
        self._keep_stored_files(conn, [(existing[r["source_id"]].id, r, files)
                                       for r, files in sighted if r["source_id"] in existing])
        for row in rows:  # the new rows' as they are written (_new_values)
            if row["source_id"] in existing:
                row["content_hash"] = content_hash(row)
        if fresh:
            inserted = self._insert_rows(conn, source, fresh, now, vectors)
            result.new = len(inserted)
            result.new_ids = list(inserted.values())
            new_pairs = [(inserted[r["source_id"]], r) for r in fresh
                         if r["source_id"] in inserted]
            self._replace_codes(conn, new_pairs, replace=False)
            self._record_amendments(conn, new_pairs, run_id, now)
            # Rows another writer inserted meanwhile are handled as existing ones.
            raced = [r["source_id"] for r in fresh if r["source_id"] not in inserted]
            if raced:
                existing.update(self._existing(conn, source, raced))
        unchanged_ids: list[int] = []
        changed: list[tuple[Any, dict[str, Any]]] = []
        for row in rows:
            old = existing.get(row["source_id"])
            if old is None:
                continue
            if old.content_hash == row["content_hash"]:
                unchanged_ids.append(old.id)
            else:
                changed.append((old, row))
        for chunk in chunks(unchanged_ids):
            conn.execute(update(listings).where(_among(listings.c.id, chunk, conn))
                         .values(last_seen_at=now, missed_crawls=0))
        if changed:
            self._update_rows(conn, changed, run_id, now)
        result.unchanged = len(unchanged_ids)
        result.updated = len(changed)
        result.changed_ids = [old.id for old, _ in changed]
        return result

    def _keep_stored_files(self, conn: Connection,
                           triples: list[tuple[int, dict[str, Any], list[str]]]) -> None:
        """A listing read from several files (the same contract in a buyer's DECP file and
        in a consolidated one) keeps every file it was read from, the stored ones first."""
        if not triples:
            return
        stored = {row.id: _files(row.details) for chunk in chunks([i for i, _, _ in triples])
                  for row in conn.execute(select(listings.c.id, listings.c.details)
                                          .where(_among(listings.c.id, chunk, conn)))}
        for listing_id, row, files in triples:
            _keep_files(row, stored.get(listing_id, []), files)

    def _merge_with_stored(self, conn: Connection,
                           triples: list[tuple[int, dict[str, Any], bool]]) -> None:
        """Merge records with the stored listing they are a version of.

        An amendment (corrigendum, award) leaves fields empty that it does not change: the
        stored values stay there, so applying it does not clear the deadline or the lots.
        An older version met after a newer one (a crawl's day of overlap, or workers of a
        distributed crawl) does not undo it: it only fills what the stored one lacks.
        """
        if not triples:
            return
        columns = [listings.c[f] for f in STORED_FIELDS if f not in ("source", "source_id")]
        stored = {row.id: row for chunk in chunks([i for i, _, _ in triples])
                  for row in conn.execute(select(listings.c.id, *columns)
                                          .where(_among(listings.c.id, chunk, conn)))}
        for listing_id, row, amends in triples:
            for column in columns:
                kept = getattr(stored[listing_id], column.name)
                if amends:
                    if row.get(column.name) in _EMPTY:
                        row[column.name] = kept
                elif kept not in _EMPTY:
                    row[column.name] = kept

    def _insert_rows(self, conn: Connection, source: str, rows: list[dict[str, Any]],
                     now: datetime, vectors: SharedVectors | None) -> dict[str, int]:
        """Insert ``rows``; returns the ids of those this call inserted, by source_id.

        PostgreSQL: through COPY (:func:`copy_insert`). SQLite: batched INSERTs; a row
        another writer inserted meanwhile is skipped by ON CONFLICT; it is told apart
        from ours by its first_seen_at and content hash, and left out of the result.
        """
        if conn.dialect.name == "postgresql":  # one binary COPY: store/bulk_insert.py
            return copy_insert(conn, listings, _NEW_ROW_COLUMNS, rows,
                               lambda row: _new_values(row, now), vectors)
        params = [dict(zip(_NEW_ROW_COLUMNS, _new_values(r, now), strict=True)) for r in rows]
        hashes = {r["source_id"]: r["content_hash"] for r in rows}
        inserted: dict[str, int] = {}
        for chunk in chunks(params):
            conn.execute(self._insert_new, list(chunk))
            query = (select(listings.c.id, listings.c.source_id, listings.c.content_hash,
                            listings.c.first_seen_at)
                     .where(listings.c.source == source,
                            listings.c.source_id.in_([p["source_id"] for p in chunk])))
            for row in conn.execute(query):
                if row.first_seen_at == now and row.content_hash == hashes[row.source_id]:
                    inserted[row.source_id] = row.id
        return inserted

    def _update_rows(self, conn: Connection, changed: list[tuple[Any, dict[str, Any]]],
                     run_id: int | None, now: datetime) -> None:
        params = []
        history = []
        stored = {r.id: r for chunk in chunks([old.id for old, _ in changed])
                  for r in conn.execute(select(listings.c.id, *_TRACKED_COLUMNS)
                                        .where(_among(listings.c.id, chunk, conn)))}
        for old, row in changed:
            published = row.get("published_at")
            if old.published_at is not None and (published is None or old.published_at < published):
                published = old.published_at
            params.append({**{f: row.get(f) for f in STORED_FIELDS}, "_id": old.id,
                           "content_hash": row["content_hash"], "published_at": published,
                           "last_seen_at": now, "updated_at": now})
            for name in TRACKED_FIELDS:
                before, after = getattr(stored[old.id], name), row.get(name)
                if not _same(before, after):
                    history.append({"listing_id": old.id, "run_id": run_id, "changed_at": now,
                                    "field": name, "old_value": _history_value(before),
                                    "new_value": _history_value(after)})
        for chunk in chunks(params):
            conn.execute(self._update_changed, list(chunk))
        for chunk in chunks(history):
            conn.execute(changes.insert(), list(chunk))
        self._replace_codes(conn, [(old.id, row) for old, row in changed], replace=True)

    def _replace_codes(self, conn: Connection, pairs: list[tuple[int, Mapping[str, Any]]],
                       *, replace: bool) -> None:
        """Keep listing_cpv, listing_keys and listing_descriptors in step with the records'
        codes, keys and descriptors."""
        if replace:
            ids = [listing_id for listing_id, _ in pairs]
            for chunk in chunks(ids):
                for table in (cpv_table, keys_table, descriptors_table, suppliers_table):
                    conn.execute(delete(table).where(_among(table.c.listing_id, chunk, conn)))
        codes = [{"listing_id": i, "code": code} for i, r in pairs
                 for code in dict.fromkeys(cpv_stem(c) for c in r.get("cpv") or ()) if code]
        keys = [{"listing_id": i, "key": k} for i, r in pairs for k in r.get("match_keys") or ()]
        suppliers = [{"listing_id": i, "supplier_id": sid} for i, r in pairs
                     for sid in dict.fromkeys(s["id"][:40] for s in r.get("suppliers") or ()
                                              if s.get("id"))]
        for statement, rows in ((self._insert_codes, codes), (self._insert_keys, keys),
                                (self._insert_descriptors, descriptor_rows(pairs)),
                                (self._insert_suppliers, suppliers)):
            if not replace and conn.dialect.name == "postgresql":
                copy_links(conn, statement.table, rows)  # new listings: none of theirs stored
                continue
            for chunk in chunks(rows):
                conn.execute(statement, list(chunk))

    def _record_amendments(self, conn: Connection, pairs: list[tuple[int, Mapping[str, Any]]],
                           run_id: int | None, now: datetime) -> None:
        """An award first seen with amendments: each one goes to its history, dated."""
        history = []
        for listing_id, row in pairs:
            details = row.get("details") or {}
            before = dict(details.get("initial") or {})
            for change in details.get("amendments") or ():
                for name in ("amount", "duration_months"):
                    if change[name] is not None and not _same(before[name], change[name]):
                        history.append({
                            "listing_id": listing_id, "run_id": run_id, "field": name,
                            "changed_at": datetime.fromisoformat(change["date"])
                            if change["date"] else now,
                            "old_value": before[name], "new_value": change[name]})
                        before[name] = change[name]
        for chunk in chunks(history):
            conn.execute(changes.insert(), list(chunk))

    def _link_duplicates(self, conn: Connection, rows: list[dict[str, Any]],
                         result: WriteResult) -> None:
        """Listings of different sources sharing a match key become one group.

        The oldest listing of a group stands for it (``duplicate_of`` NULL); the others point
        to it, so search shows one row and a digest sends it once.
        """
        all_keys = sorted({k for r in rows for k in r.get("match_keys") or ()})
        if not all_keys:
            return
        members: dict[str, list[tuple[int, str, int | None]]] = {}
        offers: dict[int, Offer] = {}  # what job_match reads of each job key's listings
        keys_of: dict[int, set[str]] = {}
        for chunk in chunks(all_keys):
            query = (select(keys_table.c.key, listings.c.id, listings.c.source,
                            listings.c.duplicate_of, listings.c.kind,
                            listings.c.published_at, listings.c.description)
                     .join(listings, listings.c.id == keys_table.c.listing_id)
                     .where(_among(keys_table.c.key, chunk, conn)))
            for key, listing_id, source, duplicate_of, kind, published, description in \
                    conn.execute(query):
                members.setdefault(key, []).append((listing_id, source, duplicate_of))
                if kind == "job":
                    offers[listing_id] = Offer(_aware(published), description)
                    keys_of.setdefault(listing_id, set()).add(key)
        # Union of groups: every listing reachable through a shared key, across sources.
        parent: dict[int, int] = {}

        def find(node: int) -> int:
            while parent.setdefault(node, node) != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        def same(a: int, b: int) -> bool:
            """A job pair proposed by a key is kept only when it is one offer."""
            if a not in offers or b not in offers:
                return True  # tenders: their keys are the procedure's own ids
            return same_offer(offers[a], offers[b],
                              shared_keys=frozenset(keys_of[a] & keys_of[b]))

        current: dict[int, int | None] = {}
        for group in members.values():
            if len({source for _, source, _ in group}) < 2:
                continue
            for index, (listing_id, source, duplicate_of) in enumerate(group):
                current.setdefault(listing_id, duplicate_of)
                find(listing_id)  # every member has a root, linked or not
                if duplicate_of is not None:
                    parent[find(duplicate_of)] = find(listing_id)
                for other, other_source, _ in group[:index]:
                    if other_source != source and same(other, listing_id):
                        parent[find(listing_id)] = find(other)
        roots: dict[int, int] = {}
        for node in parent:
            root = find(node)
            roots[root] = min(roots.get(root, node), node)
        for node in current:
            target = roots[find(node)]
            wanted = None if target == node else target
            if current[node] != wanted:
                conn.execute(update(listings).where(listings.c.id == node)
                             .values(duplicate_of=wanted))


_NEW_ROW_COLUMNS = (*STORED_FIELDS, "content_hash", "first_seen_at", "last_seen_at",
                    "updated_at", "missed_crawls", "starred", "hidden")


def _new_values(record: dict[str, Any], now: datetime) -> list[Any]:
    """A new listing's values of :data:`_NEW_ROW_COLUMNS`, its content hash computed (and
    kept in ``record``)."""
    record["content_hash"] = content_hash(record)
    return [*map(record.get, STORED_FIELDS), record["content_hash"], now, now, now, 0, False,
            False]


def _among(column: Any, values: Sequence[Any], conn: Connection) -> Any:
    """``column IN values``; on PostgreSQL ``= ANY`` of one array: an IN list of a batch's
    values is rendered, sent and planned anew every time (4x slower for 250 ids)."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def _log_failure(analyzing: Future[None]) -> None:
    if (error := analyzing.exception()) is not None:
        logger.warning("refreshing the store's statistics failed: %s", error)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives stored instants back without their zone: they are UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None \
        else moment
