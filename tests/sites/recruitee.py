"""Recruitee companies ``manual`` and ``radishlab`` from their recorded offers
(tests/fixtures/jobs/PROVENANCE.md).

Each company has its own host, so tests set ``RECRUITEE_URL_TEMPLATE=BASE/{board}`` and the
path names the company; the replay set records ``manual`` under its real host, whose path
is just ``/api/offers/``.
"""

from __future__ import annotations

from tests.sites import FixtureSite, Reply, fixture

MANUAL = "jobs/recruitee_manual_offers_2024-08-08_first6.json"
RADISHLAB = "jobs/recruitee_radishlab_offers_2024-08-08.json"

REPLAY = {"args": {"boards": "manual"}}


def site() -> FixtureSite:
    return (FixtureSite()
            .add("GET", r"(?:/manual)?/api/offers/?", Reply.json(fixture(MANUAL)))
            .add("GET", r"/radishlab/api/offers/?", Reply.json(fixture(RADISHLAB))))
