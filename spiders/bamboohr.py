"""BambooHR career sites: ``GET {BAMBOOHR_URL_TEMPLATE}/careers/list`` (every opening).

``BAMBOOHR_URL_TEMPLATE`` is ``https://{board}.bamboohr.com``: each company has its own host,
so tests point the template at 127.0.0.1 (``http://127.0.0.1:PORT/{board}``). The list
answers the company's openings under ``result`` (beside a ``meta`` count): ``id``,
``jobOpeningName``, ``departmentLabel``, ``employmentStatusLabel`` ("Full-Time",
"Contractor"...), ``location`` (``city``, ``state``) and ``atsLocation`` (``country``,
``state``, ``province``, ``city``: one of the two is filled), ``isRemote``, ``locationType``.
It carries no date nor description (those are on the opening's page,
``/careers/{id}``): a listing is dated when it is first seen. Recorded sample:
tests/fixtures/jobs/bamboohr_anyip_careers-list.json.
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import Board, joined
from spiders.base.json_list import JsonListSpider


class BambooHRSpider(JsonListSpider):
    name = "bamboohr"
    about = N_("BambooHR career sites")
    endpoint_setting = "BAMBOOHR_URL_TEMPLATE"
    endpoint_default = "https://{board}.bamboohr.com"
    endpoint_key = "url_template"
    board_help = N_("COMPANY (as in COMPANY.bamboohr.com)")
    records_pointer = "/result"
    board_url = re.compile(r"https?://(?P<slug>[A-Za-z0-9-]+)\.bamboohr\.com", re.I)

    def site(self, board: Board) -> str:
        return self.endpoint.format(board=board.slug)

    def list_url(self, board: Board) -> str:
        return f"{self.site(board)}/careers/list"

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        place = record.get("location") or {}
        ats = record.get("atsLocation") or {}
        city = place.get("city") or ats.get("city")
        region = place.get("state") or ats.get("state") or ats.get("province")
        status = record.get("employmentStatusLabel")  # "Full-Time", "Part-Time", "Contractor"
        return self.listing(
            source_id=str(record["id"]),
            url=f"{self.site(board)}/careers/{record['id']}",
            title=record["jobOpeningName"],
            organization=board.slug,
            location=joined(city, region, ats.get("country")),
            country=ats.get("country"),
            remote=record.get("isRemote"),
            # One value says both the contract and the working time: each parser takes its part.
            contract_type=status,
            working_time=status,
            extra={k: v for k, v in {
                "team": record.get("departmentLabel"),
                "employment_type": record.get("employmentType"),
            }.items() if v not in (None, "", [])},
        )
