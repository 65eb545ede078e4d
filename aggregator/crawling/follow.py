"""Follow an employer from one web address: which platform and board (or career site) it is.

`aggregator sources follow URL` asks, in order:

1. the address itself, against every board platform's ``board_url`` (the spiders'
   own patterns, from the registry: boards.greenhouse.io/X, jobs.lever.co/X, X.bamboohr.com,
   X.wdN.myworkdayjobs.com/SITE, X.talent-soft.com...);
2. the page's own links, iframes and scripts (an embedded board widget, a "see our
   offers" link), against the same patterns;
3. schema.org JobPosting on the page: the site is followed by the ``jobposting`` spider.

Only step 2 and 3 fetch the page: once, with a timeout; a failure is one line
(:class:`FollowError`).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from aggregator.crawling.registry import board_platforms, spider_class
from aggregator.i18n import _
from aggregator.run_notes import network_problem

TIMEOUT_SECONDS = 15
MAX_BYTES = 5_000_000  # a careers page, not a download
CAREER_SITES = "jobposting"  # the spider that reads JobPosting on employers' own sites
# Where a page names other addresses: links, frames, scripts, and URLs inside inline scripts.
_ATTRIBUTES = ("//a/@href", "//iframe/@src", "//script/@src", "//link/@href",
               "//form/@action", "//*/@data-url", "//*/@data-src")
_INLINE_URL = re.compile(r"https?://[^\s\"'<>\\)]+")


class FollowError(Exception):
    """The page could not be read; the message is one line."""


@dataclass(frozen=True)
class Found:
    platform: str  # a spider name
    board: str  # the board's key (what `sources add` writes), or a career site's URL
    how: str  # where it was found, for the person


def platform_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each board platform's address pattern (its spider's ``board_url``)."""
    found = []
    for name in board_platforms():
        pattern = getattr(spider_class(name), "board_url", None)
        if pattern is not None:
            found.append((name, pattern))
    return found


def board_of(url: str, patterns: Iterable[tuple[str, re.Pattern[str]]]) -> Found | None:
    """The platform and board an address names, or None."""
    for name, pattern in patterns:
        match = pattern.match(url.strip())
        if match is None:
            continue
        try:
            board = spider_class(name).parse_board(match.group(0))
        except ValueError:
            continue
        return Found(name, board.key, url)  # ``how``: the address it was found in
    return None


def fetch(url: str, user_agent: str) -> tuple[str, str]:
    """(the final URL, the page's text); FollowError on any failure."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent,
                                                   "Accept": "text/html,*/*;q=0.5"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_BYTES)
            charset = response.headers.get_content_charset() or "utf-8"
            return response.geturl(), body.decode(charset, errors="replace")
    except urllib.error.HTTPError as exc:
        raise FollowError(_("%(url)s: %(reason)s")
                          % {"url": url, "reason": f"HTTP {exc.code} {exc.reason}"}) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FollowError(_("%(url)s: %(reason)s")
                          % {"url": url, "reason": _network_reason(reason)}) from None


def _network_reason(reason: object) -> str:
    """Why a page could not be read, in the reader's language for the usual network
    failures; the system's own words otherwise."""
    problem = network_problem(reason) if isinstance(reason, BaseException) else None
    if problem == "DNS lookup failed":
        return _("no such host (DNS lookup failed)")
    if problem == "connection refused":
        return _("connection refused")
    if problem == "connection timed out":
        return _("no answer within %(n)d s") % {"n": TIMEOUT_SECONDS}
    return str(reason)


def addresses_on(text: str, base: str) -> Iterator[str]:
    """Every address the page names (links, frames, scripts, URLs in inline scripts)."""
    from parsel import Selector

    page = Selector(text=text)
    for xpath in _ATTRIBUTES:
        for value in page.xpath(xpath).getall():
            if value.strip() and not value.startswith(("#", "mailto:", "javascript:")):
                yield urljoin(base, value.strip())
    for script in page.xpath("//script[not(@src)]/text()").getall():
        yield from _INLINE_URL.findall(script)


@dataclass
class Outcome:
    found: list[Found]
    tried: list[str]  # what was asked, for the person when nothing was found


def follow(url: str, user_agent: str, *,
           fetcher: Callable[[str, str], tuple[str, str]] = fetch) -> Outcome:
    """What ``url`` leads to (see the module doc). FollowError when its page is needed and
    cannot be read."""
    url = url.strip()
    if "://" in url and urlsplit(url).scheme not in ("http", "https"):
        raise FollowError(_("%(url)s: only http(s) pages can be followed") % {"url": url})
    if urlsplit(url).scheme not in ("http", "https"):
        url = f"https://{url}"
    patterns = platform_patterns()
    tried = [_("the address against %(n)d platforms' patterns") % {"n": len(patterns)}]
    direct = board_of(url, patterns)
    if direct is not None:
        return Outcome([Found(direct.platform, direct.board, _("the address"))], tried)
    final, text = fetcher(url, user_agent)
    found: dict[tuple[str, str], Found] = {}
    seen = 0
    for address in addresses_on(text, final):
        seen += 1
        board = board_of(address, patterns)
        if board is not None:
            found.setdefault((board.platform, board.board),
                             Found(board.platform, board.board,
                                   _("a link on the page: %(url)s") % {"url": address}))
    tried.append(_("%(n)d links, frames and scripts of the page") % {"n": seen})
    if found:
        return Outcome(list(found.values()), tried)
    tried.append(_("schema.org JobPosting on the page"))
    if spider_class(CAREER_SITES).has_postings(text, final):
        parts = urlsplit(final)
        site = f"{parts.scheme}://{parts.netloc}"
        return Outcome([Found(CAREER_SITES, site, _("schema.org JobPosting on the page"))],
                       tried)
    return Outcome([], tried)
