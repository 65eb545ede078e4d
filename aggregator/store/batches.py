"""Batches of ids and rows for statements: one size for the whole store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

# Keeps IN (...) lists and executemany batches well under every driver's parameter limit
# (SQLite's is 32,766 since 3.32) while amortising each round trip.
BATCH = 500


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def batched(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """``items`` (any iterable, read lazily: a stream of rows) in lists of ``size``."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
