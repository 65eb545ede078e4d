"""SQLite's plans of the statements a piece of code sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def sqlite_plans(engine: Engine, starting: str) -> Iterator[list[str]]:
    """The ``EXPLAIN QUERY PLAN`` (its lines joined) of each statement beginning with
    ``starting`` that ``engine`` runs inside the block."""
    plans: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(starting):
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.append("\n".join(row[3] for row in rows))

    event.listen(engine, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        event.remove(engine, "before_cursor_execute", explain)
