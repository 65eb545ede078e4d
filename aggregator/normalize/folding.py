"""Folding names to lookup keys: case, accents, punctuation and the usual abbreviations.

``fold("St-Étienne")``, ``fold("SAINT ETIENNE")`` and ``fold("Saint-Étienne")`` all give
``"saint etienne"``. The resolver compares keys, never raw names, so every variant a source
writes lands on the same dictionary entry. It runs on every place string: one ``translate``
and one ``split``, no regular expression.
"""

from __future__ import annotations

import unicodedata

# Letters that do not decompose into ASCII letter + combining marks.
_SPECIAL = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ħ": "h",
            "ı": "i", "ð": "d", "þ": "th", "ŀ": "l", "ſ": "s"}
# Anything that separates words in a place name becomes a space ("Val-d'Oise", "St.Etienne").
_SEPARATORS = "-‐‑‒–—―_'’‘`´ʼ.,;:/\\|()[]{}<>\"«»“”!?*+&#%=~^°•·\t\n\r\u00a0\u202f\u2009"


def _table() -> dict[int, str]:
    table: dict[int, str] = {ord(c): " " for c in _SEPARATORS}
    for code in range(0xC0, 0x250):
        char = chr(code).lower()
        if char in _SPECIAL:
            table[code] = _SPECIAL[char]
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))
        if base != char and base.isascii():
            table[code] = base
    for char, repl in _SPECIAL.items():
        table[ord(char)] = repl
    # Combining marks left over by decomposed (NFD) input.
    for code in range(0x300, 0x370):
        table[code] = ""
    return table


_TABLE = _table()
# Accents only: for text whose punctuation matters (dates: "30/06/2023 à 12h00").
_ACCENTS = {k: v for k, v in _TABLE.items() if chr(k) not in _SEPARATORS}

# Abbreviations of French place names, as whole words ("St Etienne", "STE ANNE").
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def fold(text: str) -> str:
    """The lookup key of a name: lower case, no accents, words separated by one space."""
    words = text.lower().translate(_TABLE).split()
    return " ".join([ABBREVIATIONS.get(w, w) for w in words])


def strip_accents(text: str) -> str:
    """Lower case, no accents, punctuation kept: ``"Publié le 6 Juin"`` → ``"publie le 6 juin"``."""
    return text.lower().translate(_ACCENTS)
