"""SmartRecruiters companies: ``GET {SMARTRECRUITERS_API_URL}/companies/{id}/postings``.

The list is paged (``offset``, ``limit`` up to 100, ``totalFound``) and lacks the job ad
text and the public page URL, so each posting's detail
(``/companies/{id}/postings/{postingId}``) is read too.
"""

from __future__ import annotations

import re
from typing import Any

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import Board, joined
from spiders.base.paged_json import OffsetPagedJsonSpider
from spiders.base.values import as_mapping, record_id

# The job ad's sections, in the order the public page shows them.
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


class SmartRecruitersSpider(OffsetPagedJsonSpider):
    name = "smartrecruiters"
    about = N_("SmartRecruiters job boards")
    endpoint_setting = "SMARTRECRUITERS_API_URL"
    endpoint_default = "https://api.smartrecruiters.com/v1"
    board_help = N_("COMPANY_ID")
    records_pointer = "/content"
    total_pointer = "/totalFound"
    max_page_size = 100
    board_url = re.compile(r"https?://(?:jobs|careers)\.smartrecruiters\.com/"
                           r"(?P<slug>[A-Za-z0-9._-]+)", re.I)


    def page_url(self, board: Board) -> str:
        return f"{self.endpoint}/companies/{board.slug}/postings"

    def detail_url(self, record: dict[str, Any], board: Board) -> str | None:
        return f"{self.page_url(board)}/{record['id']}"

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        posting = {**record, **(detail or {})}
        place = as_mapping(posting.get("location"), "fullLocation")
        company = posting.get("company") or {}
        employment = posting.get("typeOfEmployment") or {}
        sections = ((posting.get("jobAd") or {}).get("sections")) or {}
        description = joined(*(
            f"<h3>{sections[name].get('title') or ''}</h3>{sections[name].get('text') or ''}"
            for name in SECTIONS if (sections.get(name) or {}).get("text")), sep="\n")
        return self.listing(
            source_id=record_id(posting["id"]),
            url=posting.get("postingUrl")
            or f"https://jobs.smartrecruiters.com/{company.get('identifier') or board.slug}"
               f"/{posting['id']}",
            title=posting["name"],
            organization=company.get("name") or board.slug,
            description=description,
            location=place.get("fullLocation") or joined(place.get("city"), place.get("region")),
            postal_code=place.get("postalCode"),
            country=place.get("country"),  # ISO code, lower case: "gb"
            latitude=place.get("latitude"),
            longitude=place.get("longitude"),
            remote=place.get("remote"),
            # {"id": "permanent", "label": "Full-time"}: the id is the contract, the label
            # (customisable) often the working time.
            contract_type=[v for v in (employment.get("id"), employment.get("label")) if v]
            or None,
            working_time=employment.get("label"),
            published_at=posting.get("releasedDate"),
            extra={k: v for k, v in {
                "function": (posting.get("function") or {}).get("label"),
                "team": (posting.get("department") or {}).get("label"),
                "experience": (posting.get("experienceLevel") or {}).get("label"),
                "ref_number": posting.get("refNumber"),
            }.items() if v},
        )
