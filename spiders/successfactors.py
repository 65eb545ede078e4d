"""SAP SuccessFactors career sites (Recruiting Marketing): their RSS job feeds.

A board is a feed's URL as the career site publishes it (``https://careers.example.com/
feeds/?locale=fr_FR``, the site's "RSS" link; a search's own feed works too), or the career
site's address, whose feed is ``/feeds/?locale=fr_FR``. The feed is plain RSS 2.0: per
``item`` a ``title`` (the job, its place in brackets: "Engineer (Richardson, TX, US,
75080)"), the HTML ``description``, ``pubDate`` (RFC 822, GMT), ``link`` and ``guid`` (the
job's page); the channel's ``title`` names the employer ("Qorvo - Custom Search"). Recorded
sample: tests/fixtures/jobs/successfactors_qorvo_feeds.xml (careers.qorvo.com, whose
descriptions its recorder replaced by "...").
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from aggregator.i18n import N_
from aggregator.normalize.countries import resolve_country
from spiders.base.boards import Board
from spiders.base.xml_feed import Mapped, XmlFeedSpider

DEFAULT_FEED = "/feeds/?locale=fr_FR"
_LAST_BRACKETS = re.compile(r"^(?P<title>.*\S)\s*\((?P<place>[^()]+)\)\s*$", re.S)


class TitledPlace(NamedTuple):
    title: str
    place: str | None = None
    country: str | None = None  # ISO alpha-2


def titled_place(title: str) -> TitledPlace:
    """The job and the place of a feed item's title; no place when the last brackets name
    no country after the city (searched from the end: in "Centennial, CO, US", CO is a
    state, not Colombia)."""
    found = _LAST_BRACKETS.match(title)
    if found is None:
        return TitledPlace(title)
    parts = [part.strip() for part in found["place"].split(",")]
    country = next((code for part in reversed(parts[1:]) if not any(c.isdigit() for c in part)
                    and (code := resolve_country(part, upper_codes=True))), None)
    if country is None:
        return TitledPlace(title)
    return TitledPlace(found["title"], ", ".join(part for part in parts if part), country)


def employer(channel_title: str) -> str:
    """The employer a feed's title names: "Qorvo - Custom Search" → "Qorvo"."""
    return channel_title.split(" - ", 1)[0].strip() or channel_title


class SuccessFactorsSpider(XmlFeedSpider):
    name = "successfactors"
    about = N_("SAP SuccessFactors career sites (RSS feeds)")
    board_help = N_("FEED_URL (a career site's RSS feed, or the site's address)")
    fields = {
        "title": Mapped("title", lambda title: titled_place(title).title),
        "location": Mapped("title", lambda title: titled_place(title).place),
        "country": Mapped("title", lambda title: titled_place(title).country),
        "organization": Mapped("../title", employer),
        "url": "link",
        "description": "description",
        "published_at": "pubDate",
    }

    @classmethod
    def parse_board(cls, value: str) -> Board:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise cls.not_a_board(value, N_("feed URL"))
        feed = value if parts.path.strip("/") or parts.query else \
            f"{parts.scheme}://{parts.netloc}{DEFAULT_FEED}"
        return Board(key=feed, slug=parts.hostname, base_url=feed)
