"""APEC's search served from its recorded answer (3 offers for the keywords "developpeur").

The recorded document answers the search it answered (``motsCles`` "developpeur"), cut into
the page the request's ``pagination`` asks for (``startIndex``, ``range``) with the recorded
``totalCount``; other keywords are not what was recorded (400). ``offers`` replaces the
recorded offers (an emptied search: ``[]``).
"""

from __future__ import annotations

import json

from tests.sites import FixtureSite, Received, Reply, fixture

RECORDED = "jobs/apec_developpeur_rechercheOffre.json"
SEARCH_PATH = r"/cms/webservices/rechercheOffre"
REPLAY = {"args": {"keywords": "developpeur"}}


def recorded() -> dict:
    return json.loads(fixture(RECORDED))


def site(offers: list[dict] | None = None) -> FixtureSite:
    document = recorded()
    if offers is not None:
        document = {**document, "resultats": offers, "totalCount": len(offers)}

    def search(request: Received) -> Reply:
        body = json.loads(request.body or b"{}")
        if body.get("motsCles") != "developpeur":
            return Reply(400, b"not what was recorded", {"Content-Type": "text/plain"})
        start = body["pagination"]["startIndex"]
        page = document["resultats"][start:start + body["pagination"]["range"]]
        return Reply.json(json.dumps({**document, "resultats": page}).encode())

    return FixtureSite().add("POST", SEARCH_PATH, search)
