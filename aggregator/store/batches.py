"""Batches of ids and rows for statements: one size for the whole store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Keeps IN (...) lists and executemany batches well under every driver's parameter limit
# (SQLite's is 32,766 since 3.32) while amortising each round trip.
BATCH = 500


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
