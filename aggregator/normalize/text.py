"""Text cleanup: HTML to plain text, entities, whitespace, control characters.

Listing text is untrusted: it may carry HTML, double-encoded entities, ANSI escape
sequences or other control characters. Everything stored is plain text.

How entities and tags are told apart (each case is in tests/normalize/test_text.py):

- Text with real HTML (a known element closed, a ``<br>``, two known tags, or any
  ``<script>``/``<style>``) is parsed by lxml, which decodes its entities exactly once:
  ``<p>Use &lt;b&gt; for bold</p>`` is "Use <b> for bold". An entity still left in the
  rendered text is a double encoding (``<p>&amp;eacute;t&amp;eacute;</p>``) and is decoded
  too, except ``&lt;``/``&gt;``, which is how a page writes the entity itself.
- Text without real HTML is decoded entity by entity (``&amp;eacute;`` → ``é``, at most three
  rounds). If that reveals real HTML it was an entity-encoded document (an ATS's
  ``&lt;p&gt;…&lt;/p&gt;``), which is then rendered like any HTML. Otherwise the text stays
  as it is: ``30k€ <negotiable>`` or ``std::vector<T>`` keep their angle brackets.
- Controls and terminal escapes are removed before parsing and again after decoding (an
  entity may decode to one).
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

# ANSI/VT escape sequences (CSI, OSC, single-character escapes), then any C0/C1 control and
# the Unicode bidirectional controls (embeddings and overrides U+202A-U+202E, isolates
# U+2066-U+2069, the LRM/RLM/ALM marks), with which a title could display reversed or
# pretend to be another text ("Trojan Source").
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Entities with their semicolon only: "&copy2024" or "Marks&notes" are words, not entities.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_MARKUP_ENTITIES = {"<", ">"}
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)(?=[\s/>])[^<>]*>")
# The elements whose tags make a text HTML: "<negotiable>" or "<T>" are words in brackets.
_HTML_ELEMENTS = frozenset((
    'a', 'abbr', 'address', 'article', 'aside', 'b', 'bdi', 'bdo', 'big', 'blockquote', 'body',
    'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'details',
    'dfn', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font', 'footer', 'h1', 'h2', 'h3',
    'h4', 'h5', 'h6', 'head', 'header', 'hr', 'html', 'i', 'img', 'ins', 'kbd', 'label', 'li',
    'main', 'mark', 'nav', 'ol', 'p', 'pre', 'q', 's', 'samp', 'section', 'small', 'span',
    'strike', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th',
    'thead', 'title', 'tr', 'tt', 'u', 'ul', 'var', 'wbr', 'script', 'style', 'noscript',
    'iframe', 'object', 'embed', 'svg', 'math', 'form', 'input', 'button', 'select', 'option',
    'textarea', 'link', 'meta', 'base', 'template',
))
_VOID_ELEMENTS = frozenset({"br", "hr", "img", "wbr", "input", "meta", "link", "base"})
# Tags that never stay in stored text, even alone and unclosed.
_HOSTILE_ELEMENTS = frozenset({"script", "style", "iframe", "object", "embed", "noscript",
                               "template", "svg", "math"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")

# Block elements end a line; list items get a bullet so lists stay readable.
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt", "hr",
}
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote"}


def has_controls(text: str) -> bool:
    """Whether :func:`strip_controls` would change ``text`` (one scan of many cells joined)."""
    return _CONTROL.search(text) is not None


# The same characters in UTF-8: the C0 controls and DEL byte for byte (bytes.translate, a
# fast C loop, deletes them), the others by their lead byte first (a memchr), then their
# sequence: C1 controls, the Arabic letter mark, the bidirectional controls. A regex over
# the whole text would cost ten times as much.
ASCII_CONTROLS = bytes((*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f))
_UTF8_CONTROLS = ((b"\xc2", re.compile(rb"\xc2[\x80-\x9f]")), (b"\xd8", re.compile(rb"\xd8\x9c")),
                  (b"\xe2", re.compile(rb"\xe2(?:\x80[\x8e\x8f\xaa-\xae]|\x81[\xa6-\xa9])")))


def has_controls_utf8(data: bytes, *, ascii: bool = True) -> bool:
    """:func:`has_controls` of UTF-8 text, without decoding it (an export's lines);
    ``ascii=False`` leaves out ASCII_CONTROLS, which the caller looked for itself."""
    return ((ascii and len(data.translate(None, ASCII_CONTROLS)) != len(data))
            or any(lead in data and sequence.search(data) is not None
                   for lead, sequence in _UTF8_CONTROLS))


def strip_controls(text: str) -> str:
    """The one safe-text function: remove terminal escape sequences, control characters and
    bidirectional controls; keep newlines and tabs. Everything that shows listing text (CLI,
    TUI, CSV, ICS, both parts of an e-mail) goes through it, as the normalisers do."""
    if _CONTROL.search(text) is None:  # the usual case (an escape sequence starts with one)
        return text
    return _CONTROL.sub("", _ANSI.sub("", text))


def html_to_text(fragment: str) -> str:
    """Render an HTML fragment as plain text: one line per block, a blank line after paragraphs."""
    import lxml.html  # here: the terminal reads strip_controls from this module, not HTML
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment
    etree.strip_elements(root, "script", "style", with_tail=False)
    parts: list[str] = []

    def newline() -> None:
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCK_TAGS:
            newline()
        if tag == "li":
            parts.append("• ")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK_TAGS:
            newline()
            if tag in _PARAGRAPH_TAGS:
                parts.append("\n")

    walk(root)
    return "".join(parts)


def _decode_entities(text: str, *, keep_markup: bool = False) -> str:
    """Decode each ``&name;``/``&#n;`` once; with ``keep_markup``, ``&lt;``/``&gt;`` stay."""
    def decode(match: re.Match[str]) -> str:
        char = html.unescape(match.group(0))
        return match.group(0) if keep_markup and char in _MARKUP_ENTITIES else char
    return _ENTITY.sub(decode, text) if "&" in text else text


def _is_html(text: str) -> bool:
    """Whether the text is HTML: a known element closed or void, two known tags, or a
    hostile one. One lone opening tag ("Use <b> for bold", "List<A>") is not enough."""
    if "<" not in text:
        return False
    opened = 0
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if name not in _HTML_ELEMENTS:
            continue
        if match.group(1) or name in _VOID_ELEMENTS or name in _HOSTILE_ELEMENTS:
            return True
        opened += 1
        if opened >= 2:
            return True
    return False


def _render(text: str) -> str:
    """HTML to text (lxml decodes the entities once), then what a double encoding left."""
    text = html_to_text(text)
    for _ in range(2):
        decoded = _decode_entities(text, keep_markup=True)
        if decoded == text:
            break
        text = decoded
    return text


def _plain(text: str) -> str:
    """Text that is no HTML: decode entities until stable (at most 3 rounds); if that reveals
    an entity-encoded HTML document, render it."""
    for _ in range(3):
        decoded = _decode_entities(text)
        if decoded == text:
            break
        text = decoded
        if _is_html(text):
            return _render(text)
    return text


def clean_text(value: object, *, multiline: bool = True) -> str | None:
    """Plain text from whatever a source gives: HTML, entities, literal ``\\n``, odd spaces.

    Returns None for empty input. With ``multiline=False`` (titles, names) the result is one
    line with single spaces.
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value if v is not None)
    text = str(value)
    if not text.strip():
        return None
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Some JSON-LD carries the two characters "\n" instead of a newline.
    text = text.replace("\\n", "\n").replace("\\t", " ")
    text = strip_controls(text)  # before parsing too: lxml refuses control characters
    text = _render(text) if _is_html(text) else _plain(text)
    text = strip_controls(text)  # an entity may have decoded to one ("&#27;")
    if not multiline:
        return _SPACES.sub(" ", text.replace("\n", " ")).strip() or None
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text or None
