"""Base spider classes, one per access pattern."""

from spiders.base.listing_spider import ListingSpider

__all__ = ["ListingSpider"]
