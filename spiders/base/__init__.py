"""Base spider classes, one per access pattern."""

from spiders.base.boards import Board, BoardSpider
from spiders.base.json_list import JsonListSpider
from spiders.base.listing_spider import ListingSpider
from spiders.base.ocds_spider import OCDSReleaseSpider
from spiders.base.ods_spider import OpenDataSoftSpider
from spiders.base.paged_json import OffsetPagedJsonSpider, PostPagedJsonSpider
from spiders.base.xml_feed import XmlFeedSpider

__all__ = [
    "Board",
    "BoardSpider",
    "JsonListSpider",
    "ListingSpider",
    "OCDSReleaseSpider",
    "OffsetPagedJsonSpider",
    "OpenDataSoftSpider",
    "PostPagedJsonSpider",
    "XmlFeedSpider",
]
