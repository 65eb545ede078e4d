"""Free text: the words, phrases, exclusions and prefixes the full-text search looks for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.query.grammar import KeyClause, Piece, parse_clauses

# A word starting like a key clause ("foo:bar", "kind:", "deadline<x") would be read as one:
# as text it is written as a phrase.
_KEY_LIKE = re.compile(r"[A-Za-z][A-Za-z_]*(?:<=|>=|<|>|:)")


@dataclass(frozen=True, slots=True)
class Term:
    """One piece of free text: a word, a quoted phrase, a ``-`` exclusion, a ``prefix*``."""

    text: str
    phrase: bool = False
    negated: bool = False
    prefix: bool = False

    def __str__(self) -> str:
        body = f'"{self.text}"' if self.phrase else self.text + ("*" if self.prefix else "")
        return ("-" if self.negated else "") + body

    def words(self) -> list[str]:
        """The words the tokenizer will see (letters and digits, as written)."""
        return re.findall(r"\w+", self.text.replace("_", " "))


def term(piece: Piece) -> Term | None:
    """The term a piece of text stands for; None when it holds no word (``-``, ``""``,
    ``+++``): nothing a full-text index could match."""
    text = " ".join(piece.text.split())
    if piece.quoted:
        found = Term(text, phrase=True, negated=piece.negated)
    else:
        stripped = text.lstrip("-")  # "-nettoyage" excludes, "--x" too
        prefix = stripped.endswith("*") and re.fullmatch(r"[^\W_]+", stripped[:-1]) is not None
        found = Term(stripped[:-1] if prefix else stripped, negated=stripped != text,
                     prefix=prefix)
        if _KEY_LIKE.match(found.text):
            found = Term(found.text, phrase=True, negated=found.negated)
    return found if found.words() else None


def parse_terms(text: str | None) -> tuple[Term, ...]:
    """Free text → terms. Key clauses (``foo:bar``) are taken as text here: phrases."""
    terms: list[Term] = []
    for clause in parse_clauses(text or ""):
        pieces = (Piece(clause.token.replace('"', ""), quoted=True),) \
            if isinstance(clause, KeyClause) else clause.pieces
        terms += filter(None, map(term, pieces))
    return tuple(terms)


def canonical_text(text: str | None) -> str | None:
    """The text as the filter writes it back: one space between terms, None if empty."""
    return " ".join(map(str, parse_terms(text))) or None
