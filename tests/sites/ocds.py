"""UK Contracts Finder's OCDS search, answering from its recorded real release package.

The releases are the 100 real ones of tests/fixtures/tenders/ocds_uk_contracts_finder_search_
limit100_2022-10-20.json (PROVENANCE.md), newest first as recorded. The query the spider
sends is applied as the service does: ``stages`` (tender: tender and tenderAmendment
releases; award: award and awardUpdate), ``publishedFrom`` / ``publishedTo`` on the release
date, ``limit``; ``links.next`` carries a ``cursor`` to the next page, as in the recording,
and the last page has none.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import urlencode

from tests.sites import FixtureSite, Received, Reply, fixture

SEARCH_PATH = r"/Published/Notices/OCDS/Search"
STAGE_TAGS = {"tender": {"tender", "tenderAmendment", "tenderUpdate"},
              "award": {"award", "awardUpdate"}, "planning": {"planning"}}


def recorded() -> dict:
    return json.loads(fixture("tenders/ocds_uk_contracts_finder_search_limit100_2022-10-20.json"))


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


class OcdsSite(FixtureSite):
    def __init__(self, releases: list[dict] | None = None) -> None:
        super().__init__()
        self.package = recorded()
        self.releases = self.package["releases"] if releases is None else releases
        self.add("GET", SEARCH_PATH, self.search)

    def search(self, request: Received) -> Reply:
        stage = request.param("stages")
        low, high = _day(request.param("publishedFrom")), _day(request.param("publishedTo"))
        limit, cursor = int(request.param("limit", "100")), int(request.param("cursor", "0"))
        chosen = []
        for release in self.releases:
            when = datetime.fromisoformat(release["date"]).date()
            if stage and not set(release.get("tag", [])) & STAGE_TAGS.get(stage, set()):
                continue
            if (low and when < low) or (high and when >= high):
                continue
            chosen.append(release)
        page = {k: v for k, v in self.package.items() if k not in ("releases", "links")}
        page["releases"] = chosen[cursor:cursor + limit]
        if cursor + limit < len(chosen):
            query = {k: v[0] for k, v in request.query.items() if k != "cursor"}
            query["cursor"] = str(cursor + limit)
            page["links"] = {"next": "https://www.contractsfinder.service.gov.uk"
                                     f"/Published/Notices/OCDS/Search?{urlencode(query)}"}
        return Reply.json(json.dumps(page, ensure_ascii=False).encode())


def site() -> OcdsSite:
    return OcdsSite()


# The bundled replay: the two days of the recorded package.
REPLAY = {"args": {"since": "2022-10-19", "until": "2022-10-20"}}
