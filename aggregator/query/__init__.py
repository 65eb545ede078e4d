"""The filter model and search: what the CLI, the TUI, saved searches, digests and exports
ask the store through.

- ``language``: the :class:`Filter` and its compact text form (``kind:tender dep:13 …``),
  read by ``grammar`` (the syntax), ``keys`` (the key table), ``values`` (what keys take)
  and ``terms`` (the free text);
- ``sql``: a filter as SQL — one page of results (:func:`search`), every match read in batches
  (:func:`stream`), how many (:func:`count`);
- ``fulltext``: words as an FTS5 query or a PostgreSQL tsquery; ``planner``: plan hints;
- ``listings``: one listing with its duplicate group and history;
- ``records``: a listing as these read it (its columns as attributes, without the ORM);
- ``completion``: completing a filter being typed.
"""

from aggregator.query.completion import complete
from aggregator.query.errors import BadValue, FilterError
from aggregator.query.keys import KEYS, read_option
from aggregator.query.language import Filter
from aggregator.query.listings import ListingDetail, get_listing, listing_groups
from aggregator.query.sql import build_queries, conditions, count, search, stream, stream_batches
from aggregator.query.terms import Term, parse_terms
from aggregator.query.values import KINDS, SORTS, STATUSES, read_as_of, resolve_location

__all__ = ["KEYS", "KINDS", "SORTS", "STATUSES", "BadValue", "Filter", "FilterError",
           "ListingDetail", "Term", "build_queries", "complete", "conditions", "count",
           "get_listing", "listing_groups", "parse_terms", "read_as_of", "read_option",
           "resolve_location", "search", "stream", "stream_batches"]
