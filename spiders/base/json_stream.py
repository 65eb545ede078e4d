"""Records of a large JSON document, read one at a time (ijson) instead of loading it whole.

A document is checked to its end before any record is given out: a truncated file, an HTML
error page served as JSON or any other broken document yields nothing at all, so a crawl
never stores half of a file.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator
from typing import Any

import ijson


class BrokenDocument(ValueError):
    """The document is not complete, well-formed JSON."""


def check_document(body: bytes) -> None:
    """Read the whole document without building it; BrokenDocument if it is not JSON."""
    try:
        for _ in ijson.parse(io.BytesIO(body)):
            pass
    except ijson.JSONError as exc:
        raise BrokenDocument(str(exc).splitlines()[0][:200] or "not JSON") from None


def stream_records(body: bytes, prefixes: Collection[str]) -> Iterator[tuple[str, Any]]:
    """(prefix, record) for every object found at one of ``prefixes`` (ijson's dotted paths,
    ``marches.item``), one object in memory at a time. Check the document first."""
    builder: Any = None
    current = ""
    for prefix, event, value in ijson.parse(io.BytesIO(body), use_float=True):
        if builder is None:
            if event == "start_map" and prefix in prefixes:
                builder, current = ijson.ObjectBuilder(), prefix
                builder.event(event, value)
            continue
        builder.event(event, value)
        if event == "end_map" and prefix == current:
            yield current, builder.value
            builder = None
