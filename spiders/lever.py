"""Lever job sites: ``GET {LEVER_API_URL}/postings/{site}?mode=json`` (every posting at once).

Lever hosts EU customers on a separate instance, ``api.eu.lever.co`` (setting
``LEVER_EU_API_URL``, ``eu_api_url`` in the configuration); such a board is written
``eu:SITE`` (or pasted as its ``https://jobs.eu.lever.co/SITE`` page). Postings carry no
company name, so the site name stands in for it. A posting's text is split in parts
(``description``, ``lists`` of bullet points, ``additional``), put back together here as one
HTML description.
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import SLUG, Board, joined
from spiders.base.json_list import JsonListSpider
from spiders.base.listing_spider import Endpoint
from spiders.base.values import record_id

# Boards written "eu:SITE" live on Lever's EU instance.
EU_ENDPOINT = Endpoint("LEVER_EU_API_URL", "https://api.eu.lever.co/v0", "eu_api_url")


class LeverSpider(JsonListSpider):
    name = "lever"
    about = N_("Lever job sites (global and EU instances)")
    endpoint_setting = "LEVER_API_URL"
    endpoint_default = "https://api.lever.co/v0"
    more_endpoints = (EU_ENDPOINT,)
    board_help = N_("SITE (eu:SITE for the EU instance)")
    records_pointer = ""  # the document is the list of postings
    board_url = re.compile(r"https?://(?:jobs|api)\.(?P<eu>eu\.)?lever\.co/(?:v0/postings/)?"
                           r"(?P<slug>[^/?#]+)", re.I)

    @classmethod
    def parse_board(cls, text: str) -> Board:
        text = text.strip()
        match = cls.board_url.match(text)
        if match:
            eu, slug = bool(match["eu"]), match["slug"]
        else:
            eu = text.lower().startswith("eu:")
            slug = text[3:].strip() if eu else text
        slug = slug.strip("/")
        if not SLUG.fullmatch(slug):
            raise cls.not_a_board(text, N_("site"))
        return Board(key=f"eu:{slug}" if eu else slug, slug=slug)

    def list_url(self, board: Board) -> str:
        base = (str(self.settings.get(EU_ENDPOINT.setting)).rstrip("/")
                if board.key.startswith("eu:") else self.endpoint)
        return f"{base}/postings/{board.slug}?mode=json"

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        categories = record.get("categories") or {}
        commitment = categories.get("commitment")  # "Permanent", "Full-time", "Intern"...
        parts = [record.get("description")]
        for section in record.get("lists") or []:
            parts.append(f"<h3>{section.get('text') or ''}</h3><ul>{section.get('content') or ''}"
                         "</ul>")
        parts.append(record.get("additional"))
        salary_text = record.get("salaryDescriptionPlain") or record.get("salaryDescription")
        return self.listing(
            source_id=record_id(record["id"]),
            url=record["hostedUrl"],
            title=record["text"],
            organization=board.slug,
            description=joined(*parts, sep="\n"),
            location=categories.get("location"),
            country=record.get("country"),
            remote=record.get("workplaceType"),  # "onsite", "remote", "hybrid", "unspecified"
            # One field says both the contract and the working time: each parser takes its part.
            contract_type=commitment,
            working_time=commitment,
            salary=record.get("salaryRange") or salary_text,
            published_at=record.get("createdAt"),  # epoch milliseconds
            extra={k: v for k, v in {
                "team": categories.get("department"),
                "subteam": categories.get("team"),
                "all_locations": categories.get("allLocations"),
                "salary_text": salary_text if record.get("salaryRange") else None,
                "apply_url": record.get("applyUrl"),
            }.items() if v not in (None, "", "-", [])},
        )
