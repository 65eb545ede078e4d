"""Hints that keep the search's plans cheap: SQLite reads a page in the search-order index
instead of sorting every match, unless the matches are few."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, func, literal_column, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

# Above this many matching rows, a text or CPV search reads listings in search order and keeps
# the matching ones; below it, it starts from the matches and sorts them (SQLite; PostgreSQL's
# planner has the statistics to choose by itself).
INDEX_DRIVEN_ABOVE = 4000


def unindexed(column_: Any, dialect: str) -> Any:
    """``column`` in a form SQLite will not pick an index for (its unary ``+``), so that the
    planner keeps reading the search-order index instead of sorting every match."""
    if dialect != "sqlite":
        return column_
    return literal_column(f"+{column_.table.name}.{column_.name}", type_=column_.type)


def not_index_driving(condition: ColumnElement[bool], dialect: str) -> ColumnElement[bool]:
    """``condition`` as one term SQLite reads no index for (a unary ``+`` on the whole), so
    that the planner reads the order's index instead of fetching and sorting every row the
    condition keeps."""
    if dialect != "sqlite":
        return condition
    return UnaryExpression(condition.self_group(), operator=operators.custom_op("+"),
                           type_=Boolean())


def more_than(conn: Any, ids: Any, threshold: int) -> bool:
    """Whether the id subquery ``ids`` yields more than ``threshold`` rows (reads at most
    threshold + 1 of them)."""
    capped = ids.limit(threshold + 1).subquery()
    return conn.execute(select(func.count()).select_from(capped)).scalar_one() > threshold
