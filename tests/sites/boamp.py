"""BOAMP's Opendatasoft Explore API v2.1, answering from its recorded real records.

The records are the two real ones of tests/fixtures/tenders/boamp_explore_v21_records_
recent_first2.json (PROVENANCE.md), plus any a test passes in (derived from them in the test
code). ``site()`` (the all-spiders test and the bundled replay) also serves the other real
records of ``BUNDLED``: of the same day, three more notices of that recorded response (two
with lots) and an award notice; of July 2006, from another real /records response, a
cancellation and a corrigendum (``RECTIFICATIF``). The ``where`` clause the spider sends
(``dateparution = date'YYYY-MM-DD'``, optionally ``AND (...)``, which is ignored here),
``order_by`` (the spider's: ``idweb`` desc or asc), ``limit`` and ``offset`` are applied as
the API documents them, and ``total_count`` is the filtered count.
"""

from __future__ import annotations

import json
import re

from tests.sites import FixtureSite, Received, Reply, fixture

RECORDS_PATH = r"/api/explore/v2\.1/catalog/datasets/boamp/records"
_DAY = re.compile(r"dateparution\s*=\s*date'(\d{4}-\d{2}-\d{2})'")


# Further real /records responses (tests/fixtures/tenders/PROVENANCE.md): of 2026-08-12,
# and the cancellation (2006-07-04) and corrigendum (2006-07-05) of BOAMP's own 2006 form.
BUNDLED = ("tenders/boamp_explore_v21_records_recent_records3-5.json",
           "tenders/boamp_explore_v21_records_awards_first1.json",
           "tenders/boamp_explore_v21_records_limit20_2006-07_annulation-rectificatif.json")


def recorded(name: str = "tenders/boamp_explore_v21_records_recent_first2.json") -> list[dict]:
    return json.loads(fixture(name))["results"]


class BoampSite(FixtureSite):
    def __init__(self, records: list[dict] | None = None) -> None:
        super().__init__()
        self.records = recorded() if records is None else records
        self.add("GET", RECORDS_PATH, self.search)

    def search(self, request: Received) -> Reply:
        match = _DAY.search(request.param("where") or "")
        if not match:
            return Reply.json(b'{"error_code": "ODSQLError", "message": "no date filter"}', 400)
        limit, offset = int(request.param("limit", "10")), int(request.param("offset", "0"))
        if limit > 100 or offset + limit > 10_000:
            return Reply.json(b'{"error_code": "InvalidRESTParameterError"}', 400)
        day = [r for r in self.records if isinstance(r, dict) and r.get("dateparution") ==
               match.group(1)] + [r for r in self.records if not isinstance(r, dict)]
        field, _, direction = (request.param("order_by") or "id asc").partition(" ")
        day.sort(key=lambda r: str(r.get(field, "")) if isinstance(r, dict) else "",
                 reverse=direction.strip().lower() == "desc")
        page = {"total_count": len(day), "results": day[offset:offset + limit]}
        return Reply.json(json.dumps(page, ensure_ascii=False).encode())


def site() -> BoampSite:
    return BoampSite([*recorded(), *(r for name in BUNDLED for r in recorded(name))])


# The bundled replay: the publication days of the recorded records (``days``: these days
# only, not the twenty years between them).
REPLAY = {"args": {"days": "2026-08-12,2006-07-05,2006-07-04"}}
