"""Small readers of raw source values, shared by every spider (one definition each).

Only reading: nothing here interprets a value (no date, place or contract parsing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The languages multilingual fields are read in, in order: French first (the project's
# sources and users are French), then English, then whatever the source has.
LANGUAGES = ("fra", "eng")


def as_list(value: Any) -> list[Any]:
    """A value that may be single or repeated, as a list: None and "" give []."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def text_list(value: Any) -> list[str]:
    """A list-valued parameter: ``"a,b"`` (an ``-a`` argument) or ``["a", "b"]`` (TOML, where
    numbers stay numbers: ``[1, 13]``), as stripped non-empty strings."""
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in as_list(value) if str(v).strip()]


def first_present(values: Iterable[Any] | None) -> Any:
    """The first value that is neither None nor ""."""
    for value in values or ():
        if value not in (None, ""):
            return value
    return None


def in_preferred_language(by_language: Mapping[str, Any]) -> Any:
    """The value of a multilingual field in French, else English, else the first language
    that has one. Keys are language codes in any case: TED's ``fra``, eForms' ``FRA``."""
    present = {str(k).lower(): v for k, v in by_language.items() if v not in (None, "", [])}
    for language in LANGUAGES:
        if language in present:
            return present[language]
    return next(iter(present.values()), None)


def record_id(value: Any) -> str | None:
    """A record's id as text: a string or a whole number; anything else (a table, a list, a
    boolean) is no id, so the listing is dropped as such rather than stored as "{'a': 1}"."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def as_mapping(value: Any, text_key: str) -> Mapping[str, Any]:
    """A nested object (a place, a company) that a source may also give as plain text:
    the text becomes its ``text_key`` (``"Marseille"`` → ``{"name": "Marseille"}``)."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.strip():
        return {text_key: value}
    return {}
