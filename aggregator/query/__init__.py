"""The filter model and search: what the CLI, the TUI, saved searches, digests and exports
ask the store through.

- ``language``: the :class:`Filter` and its compact text form (``kind:tender dep:13 …``);
- ``sql``: a filter as SQL — one page of results (:func:`search`), how many (:func:`count`);
- ``fulltext``: words as an FTS5 query or a PostgreSQL tsquery; ``planner``: plan hints;
- ``listings``: one listing with its duplicate group and history;
- ``completion``: completing a filter being typed.
"""

from aggregator.query.completion import complete
from aggregator.query.language import (
    KEYS,
    KINDS,
    SORTS,
    STATUSES,
    Filter,
    FilterError,
    Term,
    parse_terms,
    resolve_location,
)
from aggregator.query.listings import ListingDetail, get_listing, listing_groups
from aggregator.query.sql import build_queries, conditions, count, search

__all__ = ["KEYS", "KINDS", "SORTS", "STATUSES", "Filter", "FilterError", "ListingDetail",
           "Term", "build_queries", "complete", "conditions", "count", "get_listing",
           "listing_groups", "parse_terms", "resolve_location", "search"]
