"""TED's Search API v3 (``POST /v3/notices/search``), answering its recorded real page.

The notice is the real one of tests/fixtures/tenders/ted_v3_search_competition_FRA-BEL-LUX_
first1.json (PROVENANCE.md); ``site()`` (the all-spiders test and the bundled replay) answers
it as page 1 and the real award notice of ted_v3_search_award_FRA-BEL-LUX_first1.json as
page 2. A site built with ``pages`` answers them in turn in ITERATION
mode: page *n* carries ``iterationNextToken`` "page-<n+1>" (null on the last), and a request
must send the token it was given, as the API requires. Bodies that break the documented
limits (limit > 250, no fields) get a 400.
"""

from __future__ import annotations

import json

from tests.sites import FixtureSite, Received, Reply, fixture

SEARCH_PATH = r"/v3/notices/search"


def recorded(name: str = "tenders/ted_v3_search_competition_FRA-BEL-LUX_first1.json") -> dict:
    return json.loads(fixture(name))


class TedSite(FixtureSite):
    def __init__(self, pages: list[list[dict]] | None = None) -> None:
        super().__init__()
        page = recorded()
        self.total = page["totalNoticeCount"]
        self.pages = [page["notices"]] if pages is None else pages
        self.bodies: list[dict] = []
        self.add("POST", SEARCH_PATH, self.search)

    def search(self, request: Received) -> Reply:
        body = json.loads(request.body or b"{}")
        self.bodies.append(body)
        if body.get("limit", 0) > 250 or not body.get("fields"):
            return Reply.json(b'{"error": "invalid request"}', 400)
        token = body.get("iterationNextToken")
        index = int(token.split("-")[1]) - 1 if token else 0
        if index >= len(self.pages):
            return Reply.json(b'{"error": "unknown iterationNextToken"}', 400)
        following = f"page-{index + 2}" if index + 1 < len(self.pages) else None
        answer = {"iterationNextToken": following, "notices": self.pages[index],
                  "timedOut": False, "totalNoticeCount": self.total}
        return Reply.json(json.dumps(answer, ensure_ascii=False).encode())


def site() -> TedSite:
    award = recorded("tenders/ted_v3_search_award_FRA-BEL-LUX_first1.json")
    return TedSite(pages=[recorded()["notices"], award["notices"]])


# The bundled replay: the week the recorded notices were published in, asking for award
# notices (can-standard) too, as the recorded award search did.
REPLAY = {"args": {"since": "2026-08-05", "until": "2026-08-12", "query": (
    "(place-of-performance IN (FRA)) AND (notice-type IN (cn-standard cn-social cn-desg "
    "pin-cfc-standard pin-cfc-social can-standard)) AND (publication-date >= {since}) "
    "AND (publication-date <= {until})")}}
