"""The CPV 2008 nomenclature: codes, French and English labels, hierarchy, and the codes a
trade's words name.

- :func:`lookup` reads a code as people write it (``45310000``, ``45310000-3`` or the prefix
  ``4531``); :func:`label`, :func:`with_label`, :func:`parents` and :func:`children` take the
  same forms.
- :func:`suggest` ranks the codes whose labels hold a trade's words (accent- and
  case-insensitive, stemmed with Snowball): exact labels, then labels holding every word, then
  the broader codes those sit under, then labels holding some of the words.

The hierarchy follows from the codes: a code's significant digits (``4531`` for
``45310000``; at least the two of its division) are the ``cpv:`` filter prefix that covers
it and every code below it, and its parent is the nearest existing code whose significant
digits are a prefix of its own (division ``45000000`` → group ``45300000`` → class
``45310000`` → category ``45311000`` → ``45311100``).

Nothing is read at import time: ``data/cpv.json.gz`` (9,454 codes, ~170 kB) is loaded on
the first call (~30 ms), and a language's word index on its first :func:`suggest`. Where the
data comes from is in ``data/README.md``; ``data/build_cpv.py`` rebuilds it.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from aggregator.normalize.folding import fold

FORMAT = 1
LANGUAGES = ("fr", "en")
LEVELS = {2: "division", 3: "group", 4: "class", 5: "category"}  # deeper: "subcategory"

# A code as people write it: 2 to 8 digits, maybe the 8 digits with the check digit.
_CODE = re.compile(r"(\d{2,8})|(\d{8})-\d")
_WORD = re.compile(r"[^\W_]+\*?")
# Function words carry no trade: "services de nettoyage" is {services, nettoyage}.
_STOPWORDS = {
    "fr": frozenset(("a", "à", "au", "aux", "avec", "d", "dans", "de", "des", "du", "en", "et",
                     "l", "la", "le", "les", "ou", "par", "pour", "sans", "sous", "sur", "un",
                     "une", "y", "compris")),
    "en": frozenset(("a", "an", "and", "as", "at", "by", "for", "from", "in", "incl", "of",
                     "on", "or", "the", "to", "with", "without")),
}
# What a label excludes is no match: "Équipement de bureau, excepté les meubles" is not
# about furniture. A bracketed exclusion ends at its bracket, any other at the label's end.
_EXCLUSION = re.compile(
    r"\(\s*(?:excepté|à l'exclusion|à l'exception|except|excl\.)[^)]*\)"
    r"|,?\s*(?:\b(?:excepté|à l'exclusion|à l'exception|except|excluding|other than)\b"
    r"|\bexcl\.).*"
    r"|,[^,]*\bexclu(?:e|s|es)?$", re.IGNORECASE)
_STEMMERS = {"fr": "french", "en": "english"}
# How much a label's matching codes below it add to its rank (see _rank).
_BELOW_WEIGHT = 0.1


@dataclass(frozen=True, slots=True)
class CpvCode:
    code: str  # 8 digits, no check digit
    fr: str
    en: str
    parent: str | None  # None for a division

    @property
    def prefix(self) -> str:
        """The significant digits: the ``cpv:`` filter prefix for this code and those below."""
        return significant_digits(self.code)

    @property
    def level(self) -> str:
        return LEVELS.get(len(self.prefix), "subcategory")

    def label(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr


@dataclass(slots=True)
class Nomenclature:
    codes: dict[str, CpvCode]
    children: dict[str, tuple[str, ...]]
    source: str


def significant_digits(code: str) -> str:
    """``45310000`` → ``4531``; a division keeps its two digits (``03000000`` → ``03``)."""
    return code[:2] + code[2:].rstrip("0")


def _load_raw() -> dict:
    data = resources.files("aggregator.normalize.data").joinpath("cpv.json.gz")
    raw = json.loads(gzip.decompress(data.read_bytes()))
    if raw.get("format") != FORMAT:
        raise RuntimeError(f"cpv.json.gz has format {raw.get('format')}, expected {FORMAT}")
    return raw


def _parent(code: str, known: dict[str, tuple[str, str]]) -> str | None:
    digits = significant_digits(code)
    for end in range(len(digits) - 1, 1, -1):
        candidate = digits[:end].ljust(8, "0")
        if candidate in known:
            return candidate
    return None


@cache
def _labels() -> tuple[dict[str, tuple[str, str]], str]:
    """Every code → its French and English labels, and where they come from."""
    raw = _load_raw()
    return {code: (fr, en) for code, fr, en in raw["codes"]}, raw["source"]


@cache
def nomenclature() -> Nomenclature:
    """Every code with its labels, parent and children (built once per process)."""
    labels, source = _labels()
    codes: dict[str, CpvCode] = {}
    children: dict[str, list[str]] = {}
    for code, (fr, en) in labels.items():  # by code: children come out in code order
        parent = _parent(code, labels)
        codes[code] = CpvCode(code, fr, en, parent)
        if parent is not None:
            children.setdefault(parent, []).append(code)
    return Nomenclature(codes, {k: tuple(v) for k, v in children.items()}, source)


def parse_code(text: str) -> str | None:
    """The 8-digit code that ``text`` writes (``4531`` → ``45310000``, ``45310000-3`` →
    ``45310000``), whether or not it exists; None when ``text`` is no code."""
    found = _CODE.fullmatch(text.strip())
    if found is None:
        return None
    return (found.group(1) or found.group(2)).ljust(8, "0")


def lookup(code: str) -> CpvCode | None:
    """The CPV code ``code`` writes, if it exists (``4531`` → 45310000)."""
    parsed = parse_code(code)
    return nomenclature().codes.get(parsed) if parsed else None


def label(code: str, lang: str = "fr") -> str | None:
    """The label of a code in ``lang`` (``fr`` or ``en``); None for an unknown code. Read
    without building the hierarchy (`aggregator show` names a tender's codes)."""
    parsed = parse_code(code)
    found = _labels()[0].get(parsed) if parsed else None
    return (found[1] if lang == "en" else found[0]) if found else None


def with_label(code: str, lang: str = "fr") -> str:
    """``45310000 Travaux d'équipement électrique``: a code as people should read it (the
    code as given, alone when it is unknown)."""
    text = label(code, lang)
    return f"{code} {text}" if text else code


def parents(code: str) -> list[CpvCode]:
    """The codes above ``code``, its division first; empty for a division or unknown code."""
    found = lookup(code)
    chain: list[CpvCode] = []
    codes = nomenclature().codes
    while found is not None and found.parent is not None:
        found = codes[found.parent]
        chain.append(found)
    return chain[::-1]


def children(code: str) -> list[CpvCode]:
    """The codes directly below ``code``, in code order."""
    found = lookup(code)
    if found is None:
        return []
    nomen = nomenclature()
    return [nomen.codes[c] for c in nomen.children.get(found.code, ())]


# --- Finding codes by words -------------------------------------------------------------

@dataclass(slots=True)
class _WordIndex:
    """One language's labels as stemmed, folded word keys."""

    stem: Any  # a Snowball stemmer
    keys: dict[str, tuple[str, ...]]  # code → its label's word keys, in order
    postings: dict[str, frozenset[str]]  # word key → codes whose label has it
    idf: dict[str, float]  # word key → how rare it is among labels
    spellings: dict[str, tuple[str, ...]]  # folded word → the words labels write it as
    stems: dict[str, str]  # word → key: the labels' words, then the words typed
    # PyStemmer's stemmers are not thread-safe (the TUI suggests from worker threads)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def key(self, word: str) -> str:
        found = self.stems.get(word)
        if found is None:
            with self.lock:
                found = self.stems[word] = fold(self.stem.stemWord(word))
        return found

    def query_keys(self, word: str) -> frozenset[str]:
        """The keys a typed word matches: as typed, and as labels spell it with accents
        (so ``electricite`` matches like ``électricité``); ``électri*`` matches by prefix."""
        if word.endswith("*"):
            start = fold(word[:-1])
            return frozenset(self.key(w) for folded, forms in self.spellings.items()
                             if folded.startswith(start) for w in forms)
        spelt = self.spellings.get(fold(word), ())
        return frozenset({self.key(word), *(self.key(w) for w in spelt)})


def _words(text: str, lang: str) -> list[str]:
    stop = _STOPWORDS[lang]
    return [w for w in _WORD.findall(text.lower()) if len(w.rstrip("*")) > 1
            and w.rstrip("*") not in stop]


@cache
def _word_index(lang: str) -> _WordIndex:
    import snowballstemmer  # only for suggestions: not on the path of label lookups

    codes = nomenclature().codes
    words = {code: _words(_EXCLUSION.sub(" ", entry.label(lang)), lang)
             for code, entry in codes.items()}
    vocabulary = sorted(set().union(*words.values()))
    stemmer = snowballstemmer.stemmer(_STEMMERS[lang])
    # Snowball strips French suffixes by their accents ("électricité" → "électr",
    # "electricite" → "electricit"): stem as written, fold afterwards.
    stems = dict(zip(vocabulary, map(fold, stemmer.stemWords(vocabulary)), strict=True))
    spellings: dict[str, list[str]] = {}
    for word in vocabulary:
        spellings.setdefault(fold(word), []).append(word)
    keys = {code: tuple(stems[w] for w in found) for code, found in words.items()}
    postings: dict[str, set[str]] = {}
    for code, found_keys in keys.items():
        for key in found_keys:
            postings.setdefault(key, set()).add(code)
    return _WordIndex(
        stemmer, keys, {k: frozenset(v) for k, v in postings.items()},
        {k: math.log(len(codes) / len(v)) for k, v in postings.items()},
        {k: tuple(v) for k, v in spellings.items()}, stems)


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: CpvCode
    # "exact": the label is the words; "words": the label holds every word; "parent": a
    # broader code holding such labels; "some_words": the label holds some of the words
    match: str
    matched: tuple[str, ...]  # the words (as typed) found in the label
    below: int  # how many codes below it hold every word


_MATCH_ORDER = ("exact", "words", "parent", "some_words")


def _rank(index: _WordIndex, code: str, keys: frozenset[str], below: int) -> float:
    """How much of the label the words make up (rare words weigh more than "services" or
    "travaux"), plus a little for each matching code below it: the codes a watcher would
    filter on come first, "Matériel électrique" before "Pompes électriques"."""
    label_keys = index.keys[code]
    total = sum(index.idf[k] for k in label_keys) or 1.0
    share = sum(index.idf[k] for k in label_keys if k in keys) / total
    return share + _BELOW_WEIGHT * math.log2(1 + below)


def suggest(words: str | Iterable[str], lang: str = "fr", *,
            limit: int | None = None) -> list[Suggestion]:
    """The codes whose ``lang`` labels hold ``words``, best first (see the module's doc).

    With ``limit``, a quarter of the places is kept for the broader codes when there are
    some, so that a common word still shows where its codes sit.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: {', '.join(LANGUAGES)}")
    text = words if isinstance(words, str) else " ".join(words)
    index = _word_index(lang)
    typed = list(dict.fromkeys(_words(text, lang)))
    if not typed:
        return []
    word_keys = {w: index.query_keys(w) for w in typed}
    hits: dict[str, list[str]] = {}  # code → typed words its label holds
    for word, keys in word_keys.items():
        for code in set().union(*(index.postings.get(k, ()) for k in keys)):
            hits.setdefault(code, []).append(word)
    every = {code for code, found in hits.items() if len(found) == len(typed)}
    all_keys = frozenset().union(*word_keys.values())
    codes = nomenclature().codes

    below: dict[str, int] = {}
    for code in every:
        parent = codes[code].parent
        while parent is not None:
            below[parent] = below.get(parent, 0) + 1
            parent = codes[parent].parent

    def suggestion(code: str, match: str) -> Suggestion:
        return Suggestion(codes[code], match, tuple(hits.get(code, ())), below.get(code, 0))

    ranked: dict[str, list[Suggestion]] = {}
    head = sorted(every, key=lambda c: (-_rank(index, c, all_keys, below.get(c, 0)),
                                        len(significant_digits(c)), c))
    exact = {c for c in head if all(k in all_keys for k in index.keys[c])}
    ranked["exact"] = [suggestion(c, "exact") for c in head if c in exact]
    ranked["words"] = [suggestion(c, "words") for c in head if c not in exact]
    # The most matching codes below first; on a tie the narrower: same matches, less else.
    broader = sorted((c for c in below if c not in every),
                     key=lambda c: (-below[c], -len(significant_digits(c)), c))
    ranked["parent"] = [suggestion(c, "parent") for c in broader]
    some = sorted((c for c in hits if c not in every and c not in below),
                  key=lambda c: (-len(hits[c]), -_rank(index, c, all_keys, 0), c))
    ranked["some_words"] = [suggestion(c, "some_words") for c in some]

    if limit is None:
        return [s for match in _MATCH_ORDER for s in ranked[match]]
    kept = ranked["exact"] + ranked["words"]
    reserve = min(len(ranked["parent"]), limit // 4)
    kept = kept[:max(limit - reserve, 0)]
    kept += ranked["parent"][:limit - len(kept)]
    kept += ranked["some_words"][:limit - len(kept)]
    return kept


# --- Words as a filter's prefixes ---------------------------------------------------------

# A ``cpv:"words"`` filter naming more codes than this is too vague to be one filter.
MAX_PREFIXES = 100


@cache
def prefixes_for(words: str) -> tuple[str, ...]:
    """The ``cpv:`` prefixes that cover the codes whose labels hold every one of ``words``
    (French labels, else English ones), none under another: ``éclairage public`` →
    ``349285``, ``34993``, …; empty when no label holds them."""
    for lang in LANGUAGES:
        found = [s.code.prefix for s in suggest(words, lang) if s.match in ("exact", "words")]
        if found:
            kept: list[str] = []
            for prefix in sorted(set(found)):
                if not any(prefix.startswith(k) for k in kept):
                    kept.append(prefix)
            return tuple(kept)
    return ()


def label_completions(typed: str, lang: str = "fr", limit: int = 10) -> list[str]:
    """Labels starting like ``typed`` (accent- and case-insensitive), shortest first: what
    the filter bar offers after ``cpv:`` when letters are typed."""
    start = fold(typed)
    if len(start) < 2:
        return []
    labels = {entry.label(lang) for entry in nomenclature().codes.values()}
    return sorted((text for text in labels if fold(text).startswith(start) and '"' not in text),
                  key=lambda text: (len(text), text))[:limit]


def code_completions(typed: str, limit: int = 10) -> list[CpvCode]:
    """Codes whose prefix starts with the digits ``typed``, broadest first."""
    found = [entry for entry in nomenclature().codes.values()
             if entry.prefix.startswith(typed) and entry.prefix != typed]
    return sorted(found, key=lambda entry: (len(entry.prefix), entry.code))[:limit]

