"""Workday site ``motorolasolutions`` / ``Careers`` from its recorded responses
(tests/fixtures/jobs/PROVENANCE.md): a real two-page crawl of the UK jobs
(``appliedFacets.locationCountry``), 31 postings, and the details of 14 of them.

The search answers the recorded page for the recorded body (limit 20, offset 0 or 20, the
UK facet) and 400 otherwise; a posting whose detail was not recorded answers 404, as a
withdrawn posting does.
"""

from __future__ import annotations

import json
import re

from tests.sites import FIXTURES, FixtureSite, Received, Reply, fixture

UK = "29247e57dbaf46fb855b224e03170bc7"
BOARD = f"https://motorolasolutions.wd5.myworkdayjobs.com/Careers?locationCountry={UK}"
CXS = r"/wday/cxs/motorolasolutions/Careers"
PAGES = {0: "jobs/workday_motorolasolutions_cxs_jobs_uk_offset0_2024-08-08.json",
         20: "jobs/workday_motorolasolutions_cxs_jobs_uk_offset20_2024-08-08.json"}
DETAILS = {path.name.split("_")[4]: f"jobs/{path.name}" for path in
           (FIXTURES / "jobs").glob("workday_motorolasolutions_cxs_job_R*_2024-08-08.json")}

REPLAY = {"args": {"boards": BOARD}}


def search(request: Received) -> Reply:
    try:
        body = json.loads(request.body)
    except ValueError:
        return Reply(400, b"")
    if (body.get("limit") != 20 or body.get("offset") not in PAGES
            or body.get("appliedFacets") != {"locationCountry": [UK]}):
        return Reply(400, b"")  # not what was recorded
    return Reply.json(fixture(PAGES[body["offset"]]))


def detail(request: Received) -> Reply:
    match = re.search(r"_(R\d+(?:-\d+)?)$", request.path)
    if not match or match[1] not in DETAILS:
        return Reply(404, b"")  # no 404 body was recorded: sent empty
    return Reply.json(fixture(DETAILS[match[1]]))


def site() -> FixtureSite:
    return (FixtureSite()
            .add("POST", CXS + r"/jobs", search)
            .add("GET", CXS + r"/job/.+", detail))
