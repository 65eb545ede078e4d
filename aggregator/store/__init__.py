"""The SQL store: models, engine set-up, batched upsert with history, run records.

The names below are read from their modules on first use: importing one part of the store
(``store.batches``) does not load the writer and the normalisers behind it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aggregator.store.engine import create_store_engine, get_engine, upgrade_schema
    from aggregator.store.writer import ListingWriter, WriteResult

_MODULES = {"ListingWriter": "writer", "WriteResult": "writer", "create_store_engine": "engine",
            "get_engine": "engine", "upgrade_schema": "engine"}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        # a submodule (``from aggregator.store import copy``) is found by the import system
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)


__all__ = ["ListingWriter", "WriteResult", "create_store_engine", "get_engine", "upgrade_schema"]
