"""Ashby job boards: ``GET {ASHBY_API_URL}/{board}?includeCompensation=true``.

Ashby's public Job Postings API (developers.ashbyhq.com, "Ashby Job Postings API") answers
one document per board, every published job at once, under ``jobs``: ``id``, ``title``,
``department``, ``team``, ``employmentType`` (FullTime, PartTime, Intern, Contract or
Temporary), ``location`` and ``secondaryLocations``, ``address.postalAddress``
(``addressLocality``, ``addressRegion``, ``addressCountry``), ``isRemote``,
``workplaceType``, ``publishedAt``, ``isListed``, ``jobUrl``, ``applyUrl``,
``descriptionHtml`` / ``descriptionPlain``, and with ``includeCompensation=true`` a
``compensation`` whose ``summaryComponents`` hold typed amounts (``compensationType``
"Salary", ``interval`` "1 YEAR", ``currencyCode``, ``minValue``, ``maxValue``) beside text
summaries. A board that does not exist answers 404. Jobs carry no company name: the board
name stands in for it. Recorded sample: tests/fixtures/jobs/ashby_linear_job-board.json.
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import Board, joined
from spiders.base.json_list import JsonListSpider
from spiders.base.values import record_id


class AshbySpider(JsonListSpider):
    name = "ashby"
    about = N_("Ashby job boards")
    endpoint_setting = "ASHBY_API_URL"
    endpoint_default = "https://api.ashbyhq.com/posting-api/job-board"
    board_help = N_("BOARD (as in jobs.ashbyhq.com/BOARD)")
    records_pointer = "/jobs"
    board_url = re.compile(r"https?://(?:jobs\.ashbyhq\.com|api\.ashbyhq\.com/posting-api/"
                           r"job-board)/(?P<slug>[^/?#]+)", re.I)

    def list_url(self, board: Board) -> str:
        return f"{self.endpoint}/{board.slug}?includeCompensation=true"

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        address = (record.get("address") or {}).get("postalAddress") or {}
        compensation = record.get("compensation") or {}
        salary = next((part for part in compensation.get("summaryComponents") or []
                       if part.get("compensationType") == "Salary"), None)
        employment = record.get("employmentType")  # "FullTime", "Contract", "Intern"...
        return self.listing(
            source_id=record_id(record["id"]),
            url=record["jobUrl"],
            title=record["title"],
            organization=board.slug,
            description=record.get("descriptionHtml") or record.get("descriptionPlain"),
            location=joined(address.get("addressLocality"), address.get("addressRegion"),
                            address.get("addressCountry")) if address.get("addressLocality")
            else record.get("location"),
            postal_code=address.get("postalCode"),
            country=address.get("addressCountry"),
            # "Remote", "Hybrid", "OnSite"; older postings have only the isRemote flag
            remote=record.get("workplaceType") or record.get("isRemote"),
            # One value says both the contract and the working time: each parser takes its part.
            contract_type=employment,
            working_time=employment,
            salary=salary or compensation.get("scrapeableCompensationSalarySummary"),
            published_at=record.get("publishedAt"),
            extra={k: v for k, v in {
                "team": record.get("department"),
                "subteam": record.get("team"),
                "location": record.get("location"),
                "secondary_locations": [place.get("location") for place in
                                        record.get("secondaryLocations") or []
                                        if place.get("location")],
                "compensation": compensation.get("compensationTierSummary"),
                "apply_url": record.get("applyUrl"),
                "unlisted": record.get("isListed") is False or None,
            }.items() if v not in (None, "", [])},
        )
