"""Copy a whole store into another database (usually SQLite → PostgreSQL), then verify it.

What a copy does, in order:

1. both schemas at the Alembic head (the target is upgraded; the source must already be —
   `aggregator db copy` opens it like every command does, which upgrades it);
2. the target must hold no rows (else :class:`CopyError`, unless ``replace``: then it is
   emptied in the same transaction as the copy);
3. the source is checked for what the target would refuse: references to missing rows
   (a SQLite file written without ``PRAGMA foreign_keys``) and, for PostgreSQL, text longer
   than its VARCHAR limit — named, rather than failing half-way;
4. every table of the schema is streamed in foreign-key order, in primary-key order,
   in batches, primary keys kept, from one read snapshot of the source, into one transaction
   on the target (a failed copy leaves the target as it was). JSON travels as its text, so
   SQL NULL and JSON ``null`` stay apart. ``listings.duplicate_of`` points inside its own
   table: a link to a row not yet copied is written NULL first and set once the table is in;
5. PostgreSQL sequences restart after the largest copied id, and the full-text index is
   rebuilt (:func:`aggregator.store.search_index.rebuild`);
6. :func:`verify_copy`: row counts of every table, and a sample of rows per table spread
   over its primary-key range, compared column by column (instants as instants, JSON as
   values), plus the full-text index check.

``scheduler_locks`` is not copied: its rows are leases of processes running on the *source*
(they expire within minutes); processes on the target take their own.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError

from aggregator.i18n import N_, _, ngettext, number
from aggregator.store import search_index
from aggregator.store.engine import current_revision, head_revision, upgrade_schema
from aggregator.store.tables import JSONType, metadata

# Transient state that must not follow the data, with the reason shown to the user.
SKIPPED_TABLES = {
    "scheduler_locks": N_("not copied (running processes' leases)"),
}
BATCH_ROWS = 2000
SAMPLE_ROWS = 200
_KEYS_PER_QUERY = 500


class CopyError(Exception):
    """The copy cannot start or failed; the message says why (the target is unchanged)."""


@dataclass
class TableCheck:
    """One table after a copy: counts on both sides and the sampled rows that differ."""

    name: str
    source_rows: int
    target_rows: int
    sampled: int = 0
    mismatches: list[str] = field(default_factory=list)
    note: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.skipped or (self.source_rows == self.target_rows and not self.mismatches)


@dataclass
class Verification:
    tables: list[TableCheck]
    index_ok: bool

    @property
    def ok(self) -> bool:
        return self.index_ok and all(t.ok for t in self.tables)


@dataclass
class CopyReport:
    copied: dict[str, int]  # table → rows written
    sequences: dict[str, int]  # table → the next id the target will hand out (PostgreSQL)
    seconds: float
    verification: Verification


Progress = Callable[[str, int, int], None]  # table, rows done, rows in all


def copied_tables() -> list[Table]:
    """Every table of the schema in foreign-key order (referenced tables first)."""
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _pk(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns)


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSONType)


def _select(table: Table) -> Any:
    """The table's rows in primary-key order, JSON columns as their text."""
    columns = [cast(c, Text).label(c.name) if _is_json(c) else c for c in table.columns]
    return select(*columns).order_by(*_pk(table))


def _param(name: str) -> str:
    return f"p_{name}"  # SQLAlchemy reserves the column names for its own parameters


def _insert(table: Table, dialect: str) -> Any:
    """An INSERT of the rows :func:`_select` reads (JSON as text), parameters `p_<column>`."""
    values: dict[str, Any] = {}
    for column in table.columns:
        if _is_json(column):
            param = bindparam(_param(column.name), type_=Text)
            values[column.name] = cast(param, JSONB) if dialect == "postgresql" else param
        else:
            values[column.name] = bindparam(_param(column.name), type_=column.type)
    return insert(table).values(values)


def _count(conn: Connection, table: Table | str) -> int:
    source = text(table) if isinstance(table, str) else table
    return conn.execute(select(func.count()).select_from(source)).scalar_one()


def _snapshot(engine: Engine) -> Connection:
    """A connection that reads the source as of one instant, whatever writes meanwhile."""
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        # pysqlite opens no transaction for SELECTs: without one, each table would be read
        # at a different moment. A WAL read transaction is a snapshot.
        conn.exec_driver_sql("BEGIN")
    else:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    return conn


# --- Checks before copying ------------------------------------------------------------------

def _nonempty(conn: Connection) -> dict[str, int]:
    counts = {t.name: _count(conn, t) for t in metadata.sorted_tables}
    return {name: n for name, n in counts.items() if n}


def _dangling_references(conn: Connection) -> list[str]:
    """Foreign keys of the source pointing to rows that do not exist."""
    problems = []
    for table in copied_tables():
        for fk in table.foreign_keys:
            referred = fk.column.table.alias("referred")
            column = table.c[fk.parent.name]
            missing = conn.execute(
                select(func.count()).select_from(table.outerjoin(
                    referred, column == referred.c[fk.column.name]))
                .where(column.is_not(None), referred.c[fk.column.name].is_(None))
            ).scalar_one()
            if missing:
                problems.append(f"{table.name}.{column.name}: {missing} row(s) refer to a "
                                f"missing {fk.column.table.name}.{fk.column.name}")
    return problems


def _overlong_text(conn: Connection) -> list[str]:
    """VARCHAR values PostgreSQL would refuse (SQLite does not enforce lengths)."""
    problems = []
    for table in copied_tables():
        limited = [c for c in table.columns
                   if isinstance(c.type, String) and c.type.length and not _is_json(c)]
        if not limited:
            continue
        longest = conn.execute(select(*(func.max(func.length(c)) for c in limited))).one()
        for column, length in zip(limited, longest, strict=True):
            if length is not None and length > column.type.length:
                problems.append(f"{table.name}.{column.name}: values up to {length} "
                                f"characters, the limit is {column.type.length}")
    return problems


def _check_schemas(source: Engine, target: Engine) -> None:
    upgrade_schema(target)
    head = head_revision(source)
    revision = current_revision(source)
    if revision != head:
        raise CopyError(_("the source database is at revision %(revision)s, not at the head "
                          "%(head)s: upgrade it first (`aggregator db upgrade`)")
                        % {"revision": revision or _("none"), "head": head})


# --- Copying --------------------------------------------------------------------------------

def _clear(conn: Connection) -> None:
    """Empty every copied table of the target (``replace``), inside the copy's transaction;
    its scheduler locks stay: they belong to processes running on the target."""
    tables = copied_tables()
    if conn.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in reversed(tables):
        conn.execute(table.delete())


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _copy_table(source: Connection, target: Connection, table: Table, batch: int,
                progress: Progress | None) -> int:
    total = _count(source, table)
    statement = _insert(table, target.dialect.name)
    pk = _pk(table)
    self_refs = _self_references(table)
    if self_refs and len(pk) != 1:  # pragma: no cover - no such table in the schema
        raise CopyError(f"{table.name}: a self-reference needs a single-column primary key")
    # A self-reference to a row of an earlier batch is already satisfied; any other is
    # written NULL and set afterwards (PostgreSQL checks foreign keys statement by statement).
    copied_up_to: Any = None
    later: list[dict[str, Any]] = []
    done = 0
    result = source.execution_options(stream_results=True, yield_per=batch).execute(
        _select(table))
    for rows in result.partitions(batch):
        records = [dict(row._mapping) for row in rows]
        for record in records:
            for name in self_refs:
                ref = record[name]
                if ref is not None and (copied_up_to is None or ref > copied_up_to):
                    later.append({"_key": record[pk[0].name], "_ref": ref, "_column": name})
                    record[name] = None
        try:
            target.execute(statement, [{_param(k): v for k, v in r.items()} for r in records])
        except DBAPIError as exc:
            first, last = (tuple(records[i][c.name] for c in pk) for i in (0, -1))
            raise CopyError(_("%(table)s: the rows %(first)s to %(last)s were refused by the "
                              "target: %(reason)s") % {"table": table.name, "first": first,
                                                       "last": last, "reason": exc.orig}
                            ) from None
        if self_refs:
            copied_up_to = records[-1][pk[0].name]
        done += len(records)
        if progress:
            progress(table.name, done, total)
    for name in self_refs:
        links = [{"_key": r["_key"], "_ref": r["_ref"]} for r in later if r["_column"] == name]
        fix = (update(table).where(pk[0] == bindparam("_key"))
               .values({name: bindparam("_ref")}))
        for start in range(0, len(links), batch):
            target.execute(fix, links[start:start + batch])
    return done


def _reset_sequences(conn: Connection) -> dict[str, int]:
    """PostgreSQL: each serial id continues after the largest copied one."""
    if conn.dialect.name != "postgresql":
        return {}  # SQLite hands out max(rowid) + 1 by itself
    following = {}
    for table in metadata.sorted_tables:
        pk = _pk(table)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        sequence = conn.execute(select(func.pg_get_serial_sequence(table.name, pk[0].name))
                                ).scalar_one()
        if sequence is None:
            continue
        following[table.name] = conn.execute(
            select(func.setval(sequence, func.coalesce(func.max(pk[0]), 0) + 1,
                               literal_column("false")))).scalar_one()
    return following


def copy_store(source: Engine, target: Engine, *, replace: bool = False,
               batch: int = BATCH_ROWS, sample: int = SAMPLE_ROWS,
               progress: Progress | None = None) -> CopyReport:
    """Copy every listing, change, run, alert and outbox row of ``source`` into ``target``,
    then verify the copy (:func:`verify_copy`). Raises :class:`CopyError` before writing
    anything when the copy cannot be made, and leaves the target unchanged if it fails."""
    started = time.perf_counter()
    _check_schemas(source, target)
    with target.connect() as conn:
        filled = _nonempty(conn)
    if filled and not replace:
        rows = {name: ngettext("%(n)s row", "%(n)s rows", n) % {"n": number(n)}
                for name, n in filled.items()}
        listed = ", ".join(f"{name} ({count})" for name, count in rows.items())
        raise CopyError(_("the target database is not empty: %(tables)s. Copy into an empty "
                          "database, or pass --replace to overwrite it") % {"tables": listed})
    reading = _snapshot(source)
    try:
        problems = _dangling_references(reading)
        if target.dialect.name == "postgresql":
            problems += _overlong_text(reading)
        if problems:
            raise CopyError("the source holds rows the target would refuse:\n  "
                            + "\n  ".join(problems))
        copied: dict[str, int] = {}
        with target.begin() as writing:
            if replace:
                _clear(writing)
            for table in copied_tables():
                copied[table.name] = _copy_table(reading, writing, table, batch, progress)
            sequences = _reset_sequences(writing)
            search_index.rebuild(writing)
        if target.dialect.name == "postgresql":
            with target.connect() as conn:  # planner statistics for the fresh tables
                conn.execute(text("ANALYZE"))
                conn.commit()
        verification = verify_copy(reading, target, sample=sample)
    finally:
        reading.rollback()
        reading.close()
    return CopyReport(copied, sequences, time.perf_counter() - started, verification)


# --- Verifying ------------------------------------------------------------------------------

def _sample_keys(conn: Connection, table: Table, size: int) -> list[tuple[Any, ...]]:
    """``size`` to ``2 * size`` primary keys spread evenly over the table, first and last
    included."""
    pk = _pk(table)
    total = _count(conn, table)
    if not total:
        return []
    step = max(1, total // size)
    ranked = select(*pk, func.row_number().over(order_by=pk).label("rank")).subquery()
    rank = ranked.c["rank"]
    keys = conn.execute(select(*(ranked.c[c.name] for c in pk))
                        .where(((rank - 1) % step == 0) | (rank == total))
                        .order_by(rank)).all()
    return [tuple(k) for k in keys]


def _rows_by_key(conn: Connection, table: Table, keys: Sequence[tuple[Any, ...]],
                 ) -> dict[tuple[Any, ...], dict[str, Any]]:
    pk = _pk(table)
    found = {}
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start:start + _KEYS_PER_QUERY]
        where = (pk[0].in_([k[0] for k in chunk]) if len(pk) == 1
                 else tuple_(*pk).in_(chunk))
        for row in conn.execute(_select(table).where(where)):
            record = dict(row._mapping)
            found[tuple(record[c.name] for c in pk)] = record
    return found


def _normal(value: Any, column: Column[Any]) -> Any:
    """A value as both databases must agree on it."""
    if value is None:
        return None
    if _is_json(column):
        return ("json", json.loads(value))  # JSON text → value; SQL NULL stays None
    if isinstance(value, datetime):  # the same instant, whatever the zone it is read in
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def _compare(table: Table, source: dict[str, Any], target: dict[str, Any] | None) -> list[str]:
    if target is None:
        return ["missing in the target"]
    return [column.name for column in table.columns
            if _normal(source[column.name], column) != _normal(target[column.name], column)]


def verify_copy(source: Connection, target: Engine, *, sample: int = SAMPLE_ROWS,
                ) -> Verification:
    """Row counts of every table and ``sample`` rows per table compared with the source."""
    checks = []
    with target.connect() as conn:
        for name, reason in SKIPPED_TABLES.items():
            checks.append(TableCheck(name, _count(source, name), _count(conn, name),
                                     note=reason, skipped=True))
        for table in copied_tables():
            check = TableCheck(table.name, _count(source, table), _count(conn, table))
            keys = _sample_keys(source, table, sample)
            expected = _rows_by_key(source, table, keys)
            actual = _rows_by_key(conn, table, keys)
            check.sampled = len(keys)
            for key in keys:
                differing = _compare(table, expected[key], actual.get(key))
                if differing:
                    check.mismatches.append(f"{'/'.join(map(str, key))}: {', '.join(differing)}")
            checks.append(check)
        index_ok = search_index.check(conn)
        conn.rollback()
    checks.sort(key=lambda c: [t.name for t in metadata.sorted_tables].index(c.name))
    return Verification(checks, index_ok)


def iter_problems(verification: Verification) -> Iterator[str]:
    """One line per difference found, for the command's report."""
    for check in verification.tables:
        if check.skipped:
            continue
        if check.source_rows != check.target_rows:
            yield (f"{check.name}: {check.source_rows} rows in the source, "
                   f"{check.target_rows} in the target")
        for mismatch in check.mismatches:
            yield f"{check.name} row {mismatch}"
    if not verification.index_ok:
        yield "the target's full-text index does not match its listings"
