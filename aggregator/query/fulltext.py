"""Full text: the filter's terms as an FTS5 query (SQLite) or a tsquery (PostgreSQL), and
the conditions on ``listings.id`` they become (aggregator/store/search_index.py writes the
indexes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    Text,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
)
from sqlalchemy.sql.elements import ColumnElement

from aggregator.normalize.folding import fold
from aggregator.query.planner import INDEX_DRIVEN_ABOVE, more_than, unindexed
from aggregator.query.terms import Term
from aggregator.store.search_index import (
    FTS_TABLE,
    LIGATURES,
    PG_CONFIG,
    PG_DOCUMENT_COLUMN,
    PG_TITLE_COLUMN,
)
from aggregator.store.tables import listings

_LIGATURES = str.maketrans(LIGATURES)  # the index reads œ/æ as oe/ae (store/search_index.py)
_fts = table(FTS_TABLE, column("rowid"))
_pg_document = literal_column(f"{listings.name}.{PG_DOCUMENT_COLUMN}")
_pg_title = literal_column(f"{listings.name}.{PG_TITLE_COLUMN}")


def _fts5_string(term: Term) -> str:
    # Every token is quoted: FTS5 operators (AND, NEAR, ^, column filters) and punctuation
    # in user text stay text. Inside quotes, unicode61 splits "café-crème" into a phrase.
    body = '"' + " ".join(term.words()).translate(_LIGATURES) + '"'
    return body + " *" if term.prefix else body


def fts5_query(terms: Sequence[Term]) -> tuple[str | None, str | None]:
    """(positive query, excluded query) in FTS5 syntax; either may be None."""
    positive = [_fts5_string(t) for t in terms if not t.negated]
    negative = [_fts5_string(t) for t in terms if t.negated]
    return (" AND ".join(positive) or None, " OR ".join(negative) or None)


def pg_tsquery_terms(terms: Sequence[Term]) -> list[tuple[str, str, bool]]:
    """Each term as (the function making its tsquery, that function's text, negated)."""
    parts = []
    for term in terms:
        if term.prefix:
            # stemmed like the index ("maintenance*" → 'mainten':*), or it misses words
            parts.append(("to_tsquery", fold(term.text).replace(" ", "") + ":*", term.negated))
        else:
            parts.append(("phraseto_tsquery", " ".join(term.words()), term.negated))
    return parts


def pg_tsquery(terms: Sequence[Term]) -> ColumnElement[Any] | None:
    # PostgreSQL's types, imported on PostgreSQL only (its dialect is a SQLite search's cost)
    from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY

    config = cast(literal(PG_CONFIG), REGCONFIG)
    query: ColumnElement[Any] | None = None
    for function, text, negated in pg_tsquery_terms(terms):
        part = getattr(func, function)(config, literal(text), type_=TSQUERY)
        if negated:
            part = func.tsquery_not(part, type_=TSQUERY)
        query = part if query is None else func.tsquery_and(query, part, type_=TSQUERY)
    return query


@dataclass
class TextMatch:
    """The full-text part of a search as conditions on ``listings.id``.

    ``matches``: the listing matches (every column, exclusions applied). ``in_title``: the
    positive terms are all in its title — relevance: these come first, each group in the
    usual deadline order. None when there is no positive term.
    """

    matches: ColumnElement[bool]
    in_title: ColumnElement[bool] | None
    index_driven: bool = False  # read in search order, keeping matches (SQLite, many matches)
    # ``in_title`` alone implies ``matches`` (no exclusions): the title group need not test
    # the whole document, so PostgreSQL reads only the small title index for it
    title_implies_match: bool = False


def _pg_constant(tsquery: str) -> ColumnElement[Any]:
    """A tsquery written into the statement: once the driver prepares a statement, a
    parameter would have PostgreSQL plan it for any words, as if each matched as many rows."""
    from sqlalchemy.dialects.postgresql import TSQUERY

    return cast(literal(tsquery, literal_execute=True), TSQUERY)


def text_match(terms: Sequence[Term], dialect: str, conn: Any = None, *,
               ordered: bool = True) -> TextMatch | None:
    if not terms:
        return None
    positive = [t for t in terms if not t.negated]
    if dialect == "sqlite":
        pos, neg = fts5_query(terms)
        match_ = literal_column(FTS_TABLE).op("MATCH")

        def ids(query: str) -> Select[Any]:
            return select(_fts.c.rowid).where(match_(literal(query)))

        def rows(query: str) -> Any:
            return ids(query).scalar_subquery()

        if pos is None:
            assert neg is not None  # terms without a positive one are all exclusions
            return TextMatch(listings.c.id.not_in(rows(neg)), None)
        full = pos if neg is None else f"({pos}) NOT ({neg})"
        title = f"{{title}} : ({pos})"
        # many matches: read listings in search order and keep the matching ones; few: start
        # from the matches. Decided for all matches and for title matches apart (a word
        # found only in descriptions has few or no title matches). Not ``ordered`` (a
        # count): always from the matches.
        index_driven = (ordered and conn is not None
                        and more_than(conn, ids(pos), INDEX_DRIVEN_ABOVE))
        title_driven = index_driven and more_than(conn, ids(title), INDEX_DRIVEN_ABOVE)
        listing_id = unindexed(listings.c.id, dialect) if index_driven else listings.c.id
        title_id = unindexed(listings.c.id, dialect) if title_driven else listings.c.id
        return TextMatch(listing_id.in_(rows(full)), title_id.in_(rows(title)), index_driven)
    query = pg_tsquery(terms)
    assert query is not None
    title = pg_tsquery(positive) if positive else None
    if conn is not None:
        # Built once, here: the statement then holds tsquery constants, never re-parsed per
        # row whatever plan PostgreSQL picks. Only French stop words ("le"): no text
        # condition. Decided here, not in the SQL: an "OR numnode(q) = 0" would keep
        # PostgreSQL from using the GIN index.
        nodes, query_text, title_text = conn.execute(select(
            func.numnode(query), cast(query, Text),
            null() if title is None else cast(title, Text))).one()
        if nodes == 0:
            return None
        query = _pg_constant(query_text)
        title = None if title is None else _pg_constant(title_text)
    # the row's own tsvector columns: PostgreSQL may read a page in search order and test
    # each row, or start from the GIN index, as its statistics say
    matches = _pg_document.op("@@")(query)
    if title is None:
        return TextMatch(matches, None, False)
    return TextMatch(matches, _pg_title.op("@@")(title), False,
                     title_implies_match=len(positive) == len(terms))
