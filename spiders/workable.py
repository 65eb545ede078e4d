"""Workable accounts: ``GET {WORKABLE_API_URL}/widget/accounts/{subdomain}?details=true``.

One document: the account's ``name`` and every published job with its description.
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import Board, joined
from spiders.base.json_list import JsonListSpider


class WorkableSpider(JsonListSpider):
    name = "workable"
    about = N_("Workable job boards")
    endpoint_setting = "WORKABLE_API_URL"
    endpoint_default = "https://apply.workable.com/api/v1"
    board_help = N_("SUBDOMAIN (as in apply.workable.com/SUBDOMAIN)")
    records_pointer = "/jobs"
    board_url = re.compile(r"https?://(?:apply\.workable\.com/(?!api/)(?P<path>[A-Za-z0-9_-]+)"
                           r"|(?P<host>[A-Za-z0-9-]+)\.workable\.com)", re.I)


    def list_url(self, board: Board) -> str:
        return f"{self.endpoint}/widget/accounts/{board.slug}?details=true"

    def record_id(self, record: Any) -> str | None:
        return record.get("shortcode") if isinstance(record, dict) else None

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        places = [p for p in record.get("locations") or [] if not p.get("hidden")]
        first = places[0] if places else {}
        employment = record.get("employment_type")  # "Full-time", "Contract"...
        return self.listing(
            source_id=record["shortcode"],
            url=record.get("url") or record["shortlink"],
            title=record["title"],
            organization=(page or {}).get("name") or board.slug,
            description=record.get("description"),
            location=joined(first.get("city") or record.get("city"),
                            first.get("region") or record.get("state"),
                            first.get("country") or record.get("country")),
            country=first.get("countryCode") or record.get("country"),
            remote=record.get("telecommuting"),
            contract_type=employment,
            working_time=employment,
            published_at=record.get("published_on"),
            extra={k: v for k, v in {
                "team": record.get("department"),
                "experience": record.get("experience"),
                "industry": record.get("industry"),
                "function": record.get("function"),
                "education": record.get("education"),
                "created_at": record.get("created_at"),
                "locations": [joined(p.get("city"), p.get("region"), p.get("country"))
                              for p in places[1:]],
            }.items() if v not in (None, "", [])},
        )
