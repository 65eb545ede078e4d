"""Workable account ``kroo`` from its recorded widget response
(tests/fixtures/jobs/PROVENANCE.md)."""

from __future__ import annotations

from tests.sites import FixtureSite, Reply, fixture

ACCOUNT = "jobs/workable_kroo_widget_accounts_details_2024-08-08.json"

REPLAY = {"args": {"boards": "kroo"}}


def site() -> FixtureSite:
    return FixtureSite().add("GET", r"/api/v1/widget/accounts/kroo",
                             Reply.json(fixture(ACCOUNT)))
