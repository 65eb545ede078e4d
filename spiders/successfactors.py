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

from urllib.parse import urlsplit

from aggregator.i18n import N_
from spiders.base.boards import Board
from spiders.base.xml_feed import XmlFeedSpider

DEFAULT_FEED = "/feeds/?locale=fr_FR"


class SuccessFactorsSpider(XmlFeedSpider):
    name = "successfactors"
    about = N_("SAP SuccessFactors career sites (RSS feeds)")
    board_help = N_("FEED_URL (a career site's RSS feed, or the site's address)")
    fields = {
        "title": "title",
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
