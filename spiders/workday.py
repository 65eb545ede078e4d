"""Workday career sites: ``POST {site}/wday/cxs/{tenant}/{site}/jobs``, then each job's detail.

A board is the career site's URL as people see it, e.g.
``https://motorolasolutions.wd5.myworkdayjobs.com/Careers`` (a locale like ``/en-US/`` is
ignored), a ``https://wd3.myworkdaysite.com/recruiting/TENANT/SITE`` site, or the API URL
itself, ``https://HOST/wday/cxs/TENANT/SITE`` (for hosts that do not start with the tenant).
The site's filters stay in the URL's query, as Workday writes them
(``.../Careers?locationCountry=29247e57dbaf46fb855b224e03170bc7`` = the UK jobs only): they
are sent as the search's ``appliedFacets``.

The list is paged by a JSON body ``{"appliedFacets": {}, "limit": 20, "offset": N,
"searchText": ""}`` (20 is Workday's largest page; ``total`` comes with the first page only,
later pages say 0) and says only "Posted Yesterday"; the
detail (``GET /wday/cxs/TENANT/SITE{externalPath}``) has the start date, the description,
the time type and the country code.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import Board
from spiders.base.paged_json import PostPagedJsonSpider

_CXS = re.compile(r"/wday/cxs/(?P<tenant>[^/]+)/(?P<site>[^/]+)")
_RECRUITING = re.compile(r"/recruiting/(?P<tenant>[^/]+)/(?P<site>[^/]+)")
_SITE = re.compile(r"/(?:[a-z]{2}-[A-Z]{2}/)?(?P<site>[^/]+)")
# Workday's reference number of a legal entity, before its name: "908000 Motorola Solutions
# UK Limited". Five digits or more: a name may start with a year or a number ("2020 Ltd").
_ENTITY_NUMBER = re.compile(r"^\d{5,}\s+(?:-\s+)?(?=\S)")


class WorkdaySpider(PostPagedJsonSpider):
    name = "workday"
    about = N_("Workday career sites")
    board_help = N_("SITE_URL (e.g. https://TENANT.wd5.myworkdayjobs.com/SITE)")
    records_pointer = "/jobPostings"
    total_pointer = "/total"
    max_page_size = 20  # Workday refuses more
    board_url = re.compile(r"https?://(?P<slug>[A-Za-z0-9-]+)\.wd\d+\.myworkdayjobs\.com"
                           r"(?:/[^\s\"'<>#]*)?", re.I)

    @classmethod
    def parse_board(cls, text: str) -> Board:
        parts = urlsplit(text.strip())
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            raise cls.not_a_board(text, N_("site URL"))
        origin = f"{parts.scheme}://{parts.netloc}"
        tenant_host = host.endswith(".myworkdayjobs.com")
        if match := _CXS.match(parts.path):
            tenant, site = match["tenant"], match["site"]
            if tenant_host and host.split(".")[0] == tenant:
                key = site_url = f"{origin}/{site}"
            else:
                key, site_url = f"{origin}/wday/cxs/{tenant}/{site}", f"{origin}/{site}"
        elif match := _RECRUITING.match(parts.path):
            tenant, site = match["tenant"], match["site"]
            key = site_url = f"{origin}/recruiting/{tenant}/{site}"
        elif tenant_host and (match := _SITE.match(parts.path)):
            tenant, site = host.split(".")[0], match["site"]
            key = site_url = f"{origin}/{site}"
        else:
            raise cls.not_a_board(text, N_("site URL"))
        facets = {name: sorted(values) for name, values in sorted(parse_qs(parts.query).items())}
        if facets:
            key += "?" + urlencode(facets, doseq=True)
        return Board(key=key, slug=f"{tenant}/{site}", base_url=origin,
                     options={"site_url": site_url, "facets": facets})

    def page_url(self, board: Board) -> str:
        return f"{board.base_url}/wday/cxs/{board.slug}/jobs"

    def page_body(self, board: Board, offset: int) -> dict[str, Any]:
        return {"appliedFacets": board.options["facets"], "limit": self.page_limit,
                "offset": offset, "searchText": ""}

    def record_id(self, record: Any) -> str | None:
        return record.get("externalPath") if isinstance(record, dict) else None

    def detail_url(self, record: dict[str, Any], board: Board) -> str | None:
        return f"{board.base_url}/wday/cxs/{board.slug}{record['externalPath']}"

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        info = (detail or {}).get("jobPostingInfo") or {}
        country = info.get("country") or {}
        requisition_country = (info.get("jobRequisitionLocation") or {}).get("country") or {}
        tenant = board.slug.split("/")[0]
        return self.listing(
            source_id=info.get("id") or record["externalPath"],
            url=info.get("externalUrl") or f"{board.options['site_url']}{record['externalPath']}",
            title=info.get("title") or record["title"],
            # the legal entity, by its name: what a job-seeker and another source call it
            organization=_ENTITY_NUMBER.sub(
                "", ((detail or {}).get("hiringOrganization") or {}).get("name") or "") or tenant,
            description=info.get("jobDescription"),
            location=info.get("location") or record.get("locationsText"),
            country=requisition_country.get("alpha2Code") or country.get("descriptor"),
            working_time=info.get("timeType"),  # "Full time"
            published_at=info.get("startDate"),
            extra={k: v for k, v in {
                "requisition_id": info.get("jobReqId"),
                "additional_locations": info.get("additionalLocations"),
                "posted": info.get("postedOn") or record.get("postedOn"),
            }.items() if v},
        )
