"""OCDS release feeds; configured for UK Contracts Finder, the recorded example.

``GET {OCDS_API_URL}?stages=...&publishedFrom=YYYY-MM-DD&publishedTo=YYYY-MM-DD&limit=100``
answers a release package whose ``links.next`` carries the cursor of the next page
(tests/fixtures/tenders/ocds_uk_contracts_finder_search_limit100_2022-10-20.json; the same
path and parameters as kingfisher-collect's ``united_kingdom_contracts_finder`` spiders).
Tender and award stages are both read, so that an award closes its tender; ``-a stages=``
(or ``stages = [...]`` in the config) narrows it, e.g. to ``tender``.
"""

from __future__ import annotations

from typing import Any

from aggregator.i18n import N_
from spiders.base.ocds_spider import OCDSReleaseSpider


class OcdsSpider(OCDSReleaseSpider):
    name = "ocds"
    about = N_("OCDS release packages (UK Contracts Finder by default)")
    endpoint_setting = "OCDS_API_URL"
    # UK Contracts Finder's OCDS release-package search (links.next paging); another
    # publisher of the same search API: [sources.ocds] api_url = "..."
    endpoint_default = "https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search"
    default_stages = ("tender", "award")
    default_country = "GB"
    # Contracts Finder's too-many-requests logic is undocumented (kingfisher-collect keeps
    # one request at a time for it); the project's politeness settings already do.

    def release_url(self, release: dict[str, Any], tender: dict[str, Any]) -> str | None:
        url = super().release_url(release, tender)
        if url:
            return url
        # A release id is the notice id plus a sequence number: "<uuid>-582356".
        notice, _, _ = str(release.get("id") or "").rpartition("-")
        return f"https://www.contractsfinder.service.gov.uk/Notice/{notice}" if notice else None
