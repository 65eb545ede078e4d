"""Greenhouse board ``codepath`` from its recorded responses (tests/fixtures/jobs/PROVENANCE.md).

The recorded list was asked without ``content=true``. The spider asks with it, which adds
``content``, ``departments`` and ``offices`` to each job (Greenhouse Job Board API docs); the
list served here is derived from the two recordings: the recorded list, where job
4426707007 gets those three fields from its recorded detail. The other jobs keep none.
An unknown board answers the recorded 404 of an unknown board.
"""

from __future__ import annotations

import json

from tests.sites import FixtureSite, Reply, fixture

LIST = "jobs/greenhouse_codepath_jobs_list_2024-08-05.json"
DETAIL = "jobs/greenhouse_codepath_job_4426707007_detail_2024-08-05.json"
UNKNOWN = "jobs/greenhouse_unknown_board_404_2024-08-01.json"
CONTENT_FIELDS = ("content", "departments", "offices")

REPLAY = {"args": {"boards": "codepath"}}


def content_list() -> dict:
    board = json.loads(fixture(LIST))
    detail = json.loads(fixture(DETAIL))
    for job in board["jobs"]:
        if job["id"] == detail["id"]:
            job.update({name: detail[name] for name in CONTENT_FIELDS})
    return board


def site() -> FixtureSite:
    body = json.dumps(content_list()).encode()
    return (FixtureSite()
            .add("GET", r"/v1/boards/codepath/jobs", Reply.json(body))
            .add("GET", r"/v1/boards/[^/]+/jobs", Reply.json(fixture(UNKNOWN), 404)))
