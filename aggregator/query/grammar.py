"""The syntax of the compact form (a lark grammar): clauses separated by white space.

A clause is either a key clause — ``kind:tender``, ``loc:"Saint-Denis (93)"``,
``deadline<=2026-12-01``, ``cpv:45,71`` — or free text: ``word``, ``"a phrase"``,
``-exclusion``, ``-"excluded phrase"``, ``prefix*``. What the keys mean is ``keys``'
business; what the words mean is ``terms``'. The grammar reads every string (an unclosed
quote runs to the end of the text), so what can go wrong is a key or a value, never the
syntax.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aggregator.i18n import _
from aggregator.query.errors import FilterError

# A key clause is a key glued to its operator and a value (nothing but white space ends
# it); ``kind:`` followed by a space or the end is a word, which ``keys`` reports as a key
# without a value. Items of a list are separated by commas; a quoted item may hold commas.
GRAMMAR = r"""
start: _WS? (_clause (_WS _clause)*)? _WS?
_clause: key_clause | text_clause
key_clause: KEY (QUOTED | BARE | COMMA)+
text_clause: (WORD | QUOTED | NEG_QUOTED)+

KEY.3: /[A-Za-z][A-Za-z_]*(?:<=|>=|<|>|:)(?=\S)/
NEG_QUOTED.2: /-+"[^"]*"?/
QUOTED.2: /"[^"]*"?/
COMMA.2: ","
BARE: /[^\s",]+/
WORD: /[^\s"]+/
_WS: /\s+/
"""
OPERATORS = ("<=", ">=", "<", ">", ":")


@dataclass(frozen=True, slots=True)
class KeyClause:
    """``key`` + ``op`` + the items of its value (quotes removed, empty items dropped)."""

    key: str
    op: str
    values: tuple[str, ...]
    token: str  # as typed, for error messages

    @property
    def value(self) -> str:
        return ",".join(self.values)


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of free text as typed: a word (dashes and ``*`` kept) or a quoted phrase."""

    text: str
    quoted: bool = False
    negated: bool = False  # only for a quoted phrase: a word keeps its dashes in ``text``


@dataclass(frozen=True, slots=True)
class TextClause:
    pieces: tuple[Piece, ...]
    token: str


Clause = KeyClause | TextClause


@lru_cache(maxsize=1)
def _parser() -> Any:
    # Imported here: the CLI's start-up does not pay for it. lark also imports the ``regex``
    # module when it is installed (dateparser needs it), only to analyse grammars with
    # Unicode categories: this one has none, and comes analysed from lark's cache. Hidden
    # while lark loads, it costs a search nothing (~10 ms otherwise).
    hidden = "regex" not in sys.modules
    if hidden:
        sys.modules["regex"] = None  # type: ignore[assignment]
    try:
        from lark import Lark
    finally:
        if hidden:
            del sys.modules["regex"]
    # cache: the analysed grammar is kept in a temporary file (2-3× faster to load)
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", cache=True)


def _unquote(token: str) -> str:
    return token.lstrip("-")[1:].removesuffix('"') if token.lstrip("-").startswith('"') \
        else token


def _key_clause(children: list[Any]) -> KeyClause:
    head = str(children[0])
    op = next(o for o in OPERATORS if head.endswith(o))
    items: list[str] = []
    current: list[str] = []
    for token in children[1:]:
        if token.type == "COMMA":
            items.append("".join(current))
            current = []
        else:
            current.append(_unquote(str(token)))
    items.append("".join(current))
    token = "".join(map(str, children))
    return KeyClause(head[:-len(op)], op, tuple(i for i in items if i.strip()), token)


def _text_clause(children: list[Any]) -> TextClause:
    pieces = []
    for token in children:
        if token.type == "WORD":
            pieces.append(Piece(str(token)))
        else:
            pieces.append(Piece(_unquote(str(token)), quoted=True,
                                negated=token.type == "NEG_QUOTED"))
    return TextClause(tuple(pieces), "".join(map(str, children)))


@lru_cache(maxsize=1024)
def parse_clauses(text: str) -> tuple[Clause, ...]:
    """The clauses of ``text``, in order."""
    if not text.strip():  # no query (`aggregator list`): no need to load the parser
        return ()
    parser = _parser()  # first: it imports lark
    from lark.exceptions import LarkError

    try:
        tree = parser.parse(text)
    except LarkError as exc:  # the grammar reads any text: this would be a bug, said plainly
        column = getattr(exc, "column", "?")
        raise FilterError(_("cannot read the filter at column %(column)s: %(text)r")
                          % {"column": column, "text": text}) from None
    return tuple(_key_clause(c.children) if c.data == "key_clause" else
                 _text_clause(c.children) for c in tree.children)
