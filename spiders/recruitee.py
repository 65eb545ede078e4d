"""Recruitee career sites: ``GET {RECRUITEE_URL_TEMPLATE}/api/offers/`` (every offer at once).

``RECRUITEE_URL_TEMPLATE`` is ``https://{board}.recruitee.com``: each company has its own
host, so tests point the template at 127.0.0.1 (``http://127.0.0.1:PORT/{board}``).
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import Board, joined
from spiders.base.json_list import JsonListSpider
from spiders.base.values import record_id


class RecruiteeSpider(JsonListSpider):
    name = "recruitee"
    about = N_("Recruitee career sites")
    endpoint_setting = "RECRUITEE_URL_TEMPLATE"
    endpoint_default = "https://{board}.recruitee.com"
    endpoint_key = "url_template"
    board_help = N_("COMPANY (as in COMPANY.recruitee.com)")
    records_pointer = "/offers"
    board_url = re.compile(r"https?://(?P<slug>[A-Za-z0-9-]+)\.recruitee\.com", re.I)


    def list_url(self, board: Board) -> str:
        return f"{self.endpoint.format(board=board.slug)}/api/offers/"

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        salary = record.get("salary") or {}
        employment = record.get("employment_type_code")  # "fulltime_permanent", "contract"...
        return self.listing(
            source_id=record_id(record["id"]),
            url=record["careers_url"],
            title=record["title"],
            organization=record.get("company_name") or board.slug,
            description=joined(record.get("description"), record.get("requirements"),
                               sep="\n"),
            # "location" says "Remote job" for remote offers; the address fields are kept.
            location=joined(record.get("city"), record.get("state_name"), record.get("country"))
            or record.get("location"),
            postal_code=record.get("postal_code"),
            country=record.get("country_code"),
            remote=record.get("remote"),
            # One code says both the contract and the working time: each parser takes its part.
            contract_type=employment,
            working_time=employment,
            salary=salary if any(v not in (None, "") for v in salary.values()) else None,
            published_at=record.get("published_at"),
            modified_at=record.get("updated_at"),
            deadline_at=record.get("close_at"),
            extra={k: v for k, v in {
                "team": record.get("department"),
                "hybrid": record.get("hybrid"),
                "category": record.get("category_code"),
                "experience": record.get("experience_code"),
                "education": record.get("education_code"),
                "hours_per_week": joined(record.get("min_hours_per_week"),
                                         record.get("max_hours_per_week"), sep="-"),
                "locations": [loc.get("name") for loc in record.get("locations") or []
                              if loc.get("name")],
            }.items() if v not in (None, "", [])},
        )
