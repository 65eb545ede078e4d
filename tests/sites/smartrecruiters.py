"""SmartRecruiters company ``Gousto1`` from its recorded responses
(tests/fixtures/jobs/PROVENANCE.md): the list of 15 postings and the details of two.

The list honours ``offset`` and ``limit`` by slicing the recorded postings (with the
recorded ``totalFound``); a request covering them all gets the recorded bytes. A posting
whose detail was not recorded answers 404, as a withdrawn posting does; an unknown company
answers the recorded (empty, 200) response of an unknown company.
"""

from __future__ import annotations

import json

from tests.sites import FixtureSite, Received, Reply, fixture

LIST = "jobs/smartrecruiters_gousto1_postings_list_2024-08-08.json"
DETAILS = {
    "744000005051195": "jobs/smartrecruiters_gousto1_posting_744000005051195_2024-08-08.json",
    "744000005631445": "jobs/smartrecruiters_gousto1_posting_744000005631445_2024-08-08.json",
}
UNKNOWN = "jobs/smartrecruiters_unknown_company_2024-08-01.json"
PATH = r"/v1/companies/Gousto1/postings"

REPLAY = {"args": {"boards": "Gousto1"}}


def postings(request: Received) -> Reply:
    recorded = fixture(LIST)
    data = json.loads(recorded)
    offset = int(request.param("offset") or 0)
    limit = int(request.param("limit") or 10)
    if offset == 0 and limit >= len(data["content"]):
        return Reply.json(recorded)
    page = {**data, "offset": offset, "limit": limit,
            "content": data["content"][offset:offset + limit]}
    return Reply.json(json.dumps(page).encode())


def detail(request: Received) -> Reply:
    posting = request.path.rsplit("/", 1)[1]
    if posting not in DETAILS:
        return Reply(404, b"")  # no 404 body was recorded: sent empty
    return Reply.json(fixture(DETAILS[posting]))


def site() -> FixtureSite:
    return (FixtureSite()
            .add("GET", PATH, postings)
            .add("GET", PATH + r"/\d+", detail)
            .add("GET", r"/v1/companies/[^/]+/postings", Reply.json(fixture(UNKNOWN))))
