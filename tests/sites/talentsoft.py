"""A Cegid Talentsoft career site (France Travail's own) served from its recorded offers.

The offers are the 2 real API v2 records of tests/fixtures/jobs (PROVENANCE.md). The rest is
built from the API's client code (github.com/mission-apprentissage/labonnealternance,
importFranceTravailCEGID.ts), as no answer of it was recorded whole:

- ``POST /api/token`` (form: ``grant_type=client_credentials``, ``scope=MetaEngine``,
  ``client_id``, ``client_secret``) answers ``{"access_token", "token_type", "expires_in"}``;
  other credentials get 401 ``{"error": "invalid_client"}`` (RFC 6749 §5.2);
- ``GET /api/V2/offersummaries?count=N`` with the bearer token answers ``{"data": [...],
  "_pagination": {"hasMore", "links": [{"href", "rel": "next"}]}}``: the offers in pages
  of ``count``; the ``next`` link's form (``&start=K``) is this site's own, the spider only
  follows it. Without the token: 401.

The site answers under its host or under ``BASE/{site}`` (tests give the board so).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from tests.sites import FixtureSite, Received, Reply, fixture

RECORDED = "jobs/talentsoft_francetravail-career_offers.json"
CLIENT_ID = "aggregator-replay"
CLIENT_SECRET = "replay-secret"
TOKEN = "talentsoft-test-token"
PREFIX = r"(?:/[^/]+)?"
CREDENTIALS = {"TALENTSOFT_CLIENT_ID": CLIENT_ID, "TALENTSOFT_CLIENT_SECRET": CLIENT_SECRET}
REPLAY = {"args": {"boards": "https://francetravail-career.talent-soft.com"},
          "settings": CREDENTIALS}


def offers() -> list[dict]:
    return json.loads(fixture(RECORDED))


def site(records: list[dict] | None = None) -> FixtureSite:
    served = offers() if records is None else records

    def token(request: Received) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if (form.get("grant_type"), form.get("scope")) != ("client_credentials", "MetaEngine") \
                or (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID,
                                                                          CLIENT_SECRET):
            return Reply.json(b'{"error": "invalid_client"}', 401)
        return Reply.json(json.dumps({"access_token": TOKEN, "token_type": "bearer",
                                      "expires_in": 3600}).encode())

    def page(request: Received) -> Reply:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Reply.json(b"", 401)
        count, start = int(request.param("count") or 10), int(request.param("start") or 0)
        more = start + count < len(served)
        base = request.path
        links = [{"href": f"{base}?count={count}&start={start + count}", "rel": "next"}] \
            if more else []
        return Reply.json(json.dumps({"data": served[start:start + count], "_pagination": {
            "hasMore": more, "links": links}}).encode())

    return (FixtureSite().add("POST", PREFIX + r"/api/token", token)
            .add("GET", PREFIX + r"/api/V2/offersummaries", page))
