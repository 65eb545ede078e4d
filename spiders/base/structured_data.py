"""schema.org ``JobPosting`` objects from a page: JSON-LD blocks and microdata.

Real pages are messy: several blocks, arrays, ``@graph``, ``@type`` lists, postings nested in
a ``WebPage``, JSON wrapped in HTML comments or CDATA, entity-encoded JSON, raw newlines,
trailing commas, invalid escapes. ``read_jsonld`` repairs only what changes no value (it
never guesses a missing quote or bracket); what it cannot read is reported, not guessed.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector

_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|/\*\s*<!\[CDATA\[\s*\*/|<!\[CDATA\[)"
                       r"|(?:-->|//\s*\]\]>|/\*\s*\]\]>\s*\*/|\]\]>)\s*$|;\s*$")
_ENTITY_QUOTE = re.compile(r"&(?:quot|#34|#x22);", re.IGNORECASE)
_JSON_ESCAPES = set('"\\/bfnrtu')


@dataclass
class JsonLd:
    """The JSON-LD of a page: the objects read, how each repaired block was fixed, and how
    many blocks could not be read (and whether one of them looked like a JobPosting)."""

    objects: list[Any] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    unreadable: int = 0
    unreadable_postings: int = 0


def _clean_structure(text: str) -> str:
    """Outside strings, drop trailing commas; inside, escape raw control characters and
    backslashes that start no JSON escape (``\\'``, ``\\d``): values stay what they were."""
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                following = text[i + 1:i + 2]
                if following and following in _JSON_ESCAPES:
                    out.append(text[i:i + 2])
                    i += 2
                    continue
                if following == "'":  # a JavaScript escape: \' is '
                    out.append("'")
                    i += 2
                    continue
                out.append("\\\\")
            elif char == '"':
                in_string = False
                out.append(char)
            elif char in "\n\r\t":
                out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
            else:
                out.append(char)
        elif char == '"':
            in_string = True
            out.append(char)
        elif char == ",":
            rest = text[i + 1:].lstrip()
            if not rest.startswith(("}", "]")):
                out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _loads_all(text: str) -> list[Any]:
    """Every JSON value in ``text``: one, or several written one after the other."""
    decoder = json.JSONDecoder(strict=False)
    values = []
    position = 0
    text = text.strip()
    while position < len(text):
        value, position = decoder.raw_decode(text, position)
        values.append(value)
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
    return values


def parse_block(text: str) -> tuple[list[Any] | None, str | None]:
    """(values, repair) of one JSON-LD block; (None, None) when it cannot be read safely."""
    attempts = [("", lambda t: t),
                ("wrapper", lambda t: _WRAPPERS.sub("", t)),
                ("entities", lambda t: html.unescape(_WRAPPERS.sub("", t))
                 if _ENTITY_QUOTE.search(t) else None),
                ("syntax", lambda t: _clean_structure(_WRAPPERS.sub("", t))),
                ("entities+syntax", lambda t: _clean_structure(html.unescape(_WRAPPERS.sub("", t)))
                 if _ENTITY_QUOTE.search(t) else None)]
    for repair, fix in attempts:
        candidate = fix(text)
        if not candidate or not candidate.strip():
            continue
        try:
            return _loads_all(candidate), repair or None
        except ValueError:
            continue
    return None, None


def read_jsonld(selector: Selector) -> JsonLd:
    result = JsonLd()
    blocks = selector.xpath(
        "//script[contains(translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
        "'abcdefghijklmnopqrstuvwxyz'), 'ld+json')]/text()").getall()
    for block in blocks:
        if not block.strip():
            continue
        values, repair = parse_block(block)
        if values is None:
            result.unreadable += 1
            if "jobposting" in block.lower():
                result.unreadable_postings += 1
            continue
        if repair:
            result.repairs.append(repair)
        result.objects.extend(values)
    return result


def _is_posting(node: dict[str, Any]) -> bool:
    types = node.get("@type") or node.get("type")
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str) and kind.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting":
            return True
    return False


def find_postings(value: Any) -> Iterator[dict[str, Any]]:
    """Every JobPosting object in a JSON-LD value: top level, arrays, @graph, nested."""
    if isinstance(value, list):
        for entry in value:
            yield from find_postings(entry)
    elif isinstance(value, dict):
        if _is_posting(value):
            yield value
            return
        for entry in value.values():
            if isinstance(entry, (dict, list)):
                yield from find_postings(entry)


def _from_microdata(item: Any) -> Any:
    """An extruct microdata item as a JSON-LD-like dict (``@type``, properties)."""
    if isinstance(item, list):
        return [_from_microdata(v) for v in item]
    if not isinstance(item, dict) or "properties" not in item:
        return item
    node: dict[str, Any] = {"@type": item.get("type")}
    for name, value in item["properties"].items():
        node[name] = _from_microdata(value)
    return node


def microdata_postings(text: str, url: str) -> list[dict[str, Any]]:
    """JobPostings written as microdata (itemscope/itemprop), through extruct."""
    if "itemscope" not in text.lower():
        return []
    from extruct.w3cmicrodata import MicrodataExtractor

    try:
        items = MicrodataExtractor().extract(text, base_url=url)
    except Exception:  # a page extruct cannot parse has no microdata for us
        return []
    return list(find_postings([_from_microdata(item) for item in items]))
