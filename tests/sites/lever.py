"""Lever site ``GoToGroup`` from its recorded postings (tests/fixtures/jobs/PROVENANCE.md),
on the global instance (``/v0/...``) and, for tests, on the EU one (``/eu/v0/...`` when
``LEVER_EU_API_URL`` points at ``BASE/eu/v0``)."""

from __future__ import annotations

from tests.sites import FixtureSite, Reply, fixture

POSTINGS = "jobs/lever_gotogroup_postings_2024-07-30_first5.json"

REPLAY = {"args": {"boards": "GoToGroup"}}


def site() -> FixtureSite:
    return FixtureSite().add("GET", r"(?:/eu)?/v0/postings/GoToGroup/?",
                             Reply.json(fixture(POSTINGS)))
