"""A listing as the reading commands hold it: one row of the ``listings`` table, its
columns as attributes (``record.title``), read without the ORM."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Result

from aggregator.store.tables import listings


class ListingRecord:
    """The columns a statement read of one listing (others are absent, as a deferred ORM
    column was). Plain and mutable, like the detached ORM rows it replaces: a reading
    ``as_of`` an instant sets the status the listing had then, the TUI the flags it has
    just written; nothing is ever written back from it."""

    __slots__ = tuple(column.name for column in listings.columns)

    def __repr__(self) -> str:
        return f"<listing {getattr(self, 'id', None)!r} {getattr(self, 'title', '')!r}>"


_COLUMN_NAMES = frozenset(ListingRecord.__slots__)


def records(result: Result[Any]) -> list[ListingRecord]:
    """The rows of ``result`` as records of the ``listings`` columns they hold (other
    columns, such as a sort key, are left out)."""
    names = [(index, name) for index, name in enumerate(result.keys())
             if name in _COLUMN_NAMES]
    found = []
    for row in result:
        record = ListingRecord()
        for index, name in names:
            setattr(record, name, row[index])
        found.append(record)
    return found
