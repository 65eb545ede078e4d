"""Breezy HR career portals: ``GET {BREEZY_URL_TEMPLATE}/json`` (every published position).

``BREEZY_URL_TEMPLATE`` is ``https://{board}.breezy.hr``: each company has its own host, so
tests point the template at 127.0.0.1 (``http://127.0.0.1:PORT/{board}``). The portal's
``/json`` is a bare list of positions: ``id``, ``friendly_id``, ``name``, ``url`` (the
position's page), ``published_date``, ``type`` (``{"id": "contract", "name": "Contract"}``),
``location`` (``city``, ``state``, ``country`` as ``{id, name}``, ``is_remote``, a ready
``name``) and ``locations`` (every place), ``department``, ``salary`` (text:
"$1 – $5 / year") and ``company`` (``name``). It carries no description: that is on the
position's page. Recorded sample: tests/fixtures/jobs/breezy_breezy_json.json (Breezy's own
trial portal); the same shape is read by public clients of the endpoint (e.g.
github.com/safe-global/safe-homepage, src/hooks/useOpenPositions.ts).
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import Board, joined
from spiders.base.json_list import JsonListSpider
from spiders.base.values import as_mapping, record_id


class BreezySpider(JsonListSpider):
    name = "breezy"
    about = N_("Breezy HR career portals")
    endpoint_setting = "BREEZY_URL_TEMPLATE"
    endpoint_default = "https://{board}.breezy.hr"
    endpoint_key = "url_template"
    board_help = N_("COMPANY (as in COMPANY.breezy.hr)")
    records_pointer = ""  # the document is the list of positions
    board_url = re.compile(r"https?://(?P<slug>[A-Za-z0-9-]+)\.breezy\.hr", re.I)

    def list_url(self, board: Board) -> str:
        return f"{self.endpoint.format(board=board.slug)}/json"

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        place = as_mapping(record.get("location"), "city")
        country = place.get("country") or {}
        kind = record.get("type")  # {"id": "fullTime", "name": "Full-Time"}
        return self.listing(
            source_id=record_id(record["id"]),
            url=record["url"],
            title=record["name"],
            organization=(record.get("company") or {}).get("name") or board.slug,
            location=joined(place.get("city"), (place.get("state") or {}).get("name"),
                            country.get("name")) or place.get("name"),
            country=country.get("id"),
            remote=place.get("is_remote"),
            # One value says both the contract and the working time: each parser takes its part.
            contract_type=kind,
            working_time=kind,
            salary=record.get("salary"),
            published_at=record.get("published_date"),
            extra={k: v for k, v in {
                "team": record.get("department"),
                "locations": [p.get("name") for p in record.get("locations") or []
                              if p.get("name")],
            }.items() if v not in (None, "", [])},
        )
