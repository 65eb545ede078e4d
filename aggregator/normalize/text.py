"""Text cleanup: HTML to plain text, entities, whitespace, control characters.

Listing text is untrusted: it may carry HTML, double-encoded entities, ANSI escape
sequences or other control characters. Everything stored is plain text.
"""

from __future__ import annotations

import html
import re
import unicodedata

import lxml.html
from lxml import etree

# ANSI/VT escape sequences (CSI, OSC, single-character escapes), then any C0/C1 control.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HTML_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]{2,8});")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")

# Block elements end a line; list items get a bullet so lists stay readable.
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt", "hr",
}
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote"}


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters, keep newlines and tabs."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def html_to_text(fragment: str) -> str:
    """Render an HTML fragment as plain text: one line per block, a blank line after paragraphs."""
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


def _unescape(text: str) -> str:
    # Some sources encode twice ("&amp;eacute;"): unescape until stable, at most 3 times.
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
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
    if _HTML_HINT.search(text):
        text = _unescape(text)
        if "<" in text:
            text = html_to_text(text)
            text = _unescape(text)
    text = strip_controls(text)
    if not multiline:
        return _SPACES.sub(" ", text.replace("\n", " ")).strip() or None
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text or None
