"""clean_text: HTML vs. entities vs. plain text with angle brackets, and hostile text."""

from __future__ import annotations

import html
import json

import pytest

from aggregator.normalize import clean_text
from tests.sites import fixture


@pytest.mark.parametrize("raw, expected", [
    # Real HTML: lxml decodes the entities once, an encoded tag is text, not a tag.
    ("<p>Use &lt;b&gt; for bold</p>", "Use <b> for bold"),
    ("<p>C++: std::vector&lt;T&gt; and std::map&lt;K, V&gt;</p>",
     "C++: std::vector<T> and std::map<K, V>"),
    ("<p>a &lt; b &amp;&amp; c &gt; d</p>", "a < b && c > d"),
    ("<ul><li>Python</li><li>SQL</li></ul>", "• Python\n• SQL"),
    ("Line 1<br>Line 2", "Line 1\nLine 2"),
    ("<p>One<p>Two", "One\n\nTwo"),
    ("<p>Caf&eacute; &amp; cr&egrave;me&nbsp;br&ucirc;l&eacute;e</p>", "Café & crème brûlée"),
    # Double-encoded text inside HTML: decoded too ...
    ("<p>&amp;eacute;t&amp;eacute; chez R&amp;amp;D</p>", "été chez R&D"),
    # ... but an encoded entity of markup is what the page shows: kept as written.
    ("<p>Write &amp;lt;b&amp;gt; in HTML</p>", "Write &lt;b&gt; in HTML"),
    # Plain text: angle brackets that are no HTML stay.
    ("30k€ <negotiable>", "30k€ <negotiable>"),
    ("std::vector<T>", "std::vector<T>"),
    ("List<A> or Map<K, V>", "List<A> or Map<K, V>"),
    ("Use <b> for bold", "Use <b> for bold"),  # one lone opening tag is not HTML
    ("a < b > c", "a < b > c"),
    ("Salaire <30k> selon profil", "Salaire <30k> selon profil"),
    # Plain text with entities, once or twice encoded; no semicolon, no entity.
    ("Caf&eacute; &amp; th&eacute;", "Café & thé"),
    ("&amp;eacute;t&amp;eacute;", "été"),
    ("R&amp;amp;D", "R&D"),
    ("std::vector&lt;T&gt;", "std::vector<T>"),
    ("&lt;b&gt; for bold", "<b> for bold"),  # decoded, still no HTML document
    ("Marks&notes &copy2024 AT&T", "Marks&notes &copy2024 AT&T"),
    # Entity-encoded HTML documents (Greenhouse `content`, some feeds): rendered.
    ("&lt;p&gt;Hello &amp;amp; welcome&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Go&lt;/li&gt;&lt;/ul&gt;",
     "Hello & welcome\n\n• Go"),
    ("&lt;p&gt;Use &amp;lt;b&amp;gt; for bold&lt;/p&gt;", "Use <b> for bold"),
    ("&amp;lt;p&amp;gt;Twice encoded&amp;lt;/p&amp;gt;", "Twice encoded"),
    # Literal "\n" from JSON-LD, odd spaces, CRLF.
    ("Line 1\\nLine 2", "Line 1\nLine 2"),
    ("a\r\nb\u00a0\u202f c", "a\nb c"),
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("<script>alert(1)</script>Hello", "Hello"),
    ("<script>alert(1)", None),  # unclosed: still a script, still removed
    ("<p>Hi</p><style>p {color: red}</style>", "Hi"),
    ("<iframe src='https://evil.example'></iframe>Text", "Text"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;Hello", "Hello"),  # encoded, decoded, removed
    ("\x1b[31mRed\x1b[0m alert", "Red alert"),
    ("<p>\x1b[2J\x1b]0;title\x07Cleared</p>", "Cleared"),
    ("Bell\x07 and NUL\x00 and C1\x9b", "Bell and NUL and C1"),
    ("&#27;[31mRed", "[31mRed"),  # an entity never brings a control character back
    ("&#x1b;]0;pwned&#7;Text", "]0;pwnedText"),
])
def test_hostile_text_is_neutralised(raw, expected):
    cleaned = clean_text(raw)
    assert cleaned == expected
    assert cleaned is None or not any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned)
    assert cleaned is None or "<script" not in cleaned.lower()


def test_single_line_mode_and_empty_values():
    assert clean_text("<h1>Chef de\nprojet</h1>", multiline=False) == "Chef de projet"
    assert clean_text(["a", None, "b"]) == "a\nb"
    for value in (None, "", "   ", "<p> </p>", "&nbsp;"):
        assert clean_text(value) is None


def test_greenhouse_content_is_rendered_whether_or_not_the_spider_unescapes_it():
    """The recorded job detail's `content` is entity-encoded HTML; the spider unescapes it
    once, but clean_text gives the same text if given the raw field."""
    detail = json.loads(fixture("jobs/greenhouse_codepath_job_4426707007_detail_2024-08-05.json"))
    content = detail["content"]
    assert content.startswith("&lt;")
    raw, unescaped = clean_text(content), clean_text(html.unescape(content))
    assert raw == unescaped
    assert "<" not in raw and "&lt;" not in raw and "&amp;" not in raw
    assert "CodePath" in raw


def test_has_controls_utf8_finds_what_has_controls_finds():
    """Every code point, alone and between text whose UTF-8 shares lead bytes with the
    controls (é, ’, nbsp, Arabic): the bytes check agrees with the text one."""
    from aggregator.normalize.text import has_controls, has_controls_utf8

    for code in (*range(0xD800), *range(0xE000, 0x10000), 0x1F600, 0x10FFFF):
        for text in (chr(code), f"é’\xa0{chr(code)}\u0627"):
            assert has_controls_utf8(text.encode()) == has_controls(text), hex(code)
