"""France Travail "Offres d'emploi v2" served from its recorded real offers.

The offers are the real ``resultats`` records of tests/fixtures/jobs (PROVENANCE.md). What
no real sample shows is built from the documentation, as stated where it is done:

- the token response follows France Travail's client-credentials documentation
  (emploi-store-dev.fr, "Etape 1 - Générer un access token": ``{"scope", "expires_in",
  "token_type": "Bearer", "access_token"}``, Content-Type application/json;charset=UTF-8,
  Cache-Control no-store) and RFC 6749 §5.1; its error body follows the same page
  (``{"error": "invalid_client", "error_description": "Client authentication failed"}``);
- the search's 200/206/204 statuses and ``Content-Range: offres p-d/t`` (``*/0`` with 204)
  follow the OpenAPI spec's response definitions (francetravail_offresdemploi_v2_openapi.json,
  ``/v2/offres/search``); its filters (``departement``, ``minCreationDate``/
  ``maxCreationDate``, ``typeContrat``, ``range``) are applied to the recorded offers as the
  spec describes them. A 401 has no documented body: it is sent empty.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from itertools import count
from urllib.parse import parse_qs

from tests.sites import FixtureSite, Received, Reply, fixture

TOKEN_PATH = r"/connexion/oauth2/access_token"
SEARCH_PATH = r"/partenaire/offresdemploi/v2/offres/search"
SCOPE = "api_offresdemploiv2 o2dsoffre"
# The dummy credentials of the replay set and the tests (no real secret is ever needed).
CLIENT_ID = "PAR_aggregator_replay"
CLIENT_SECRET = "replay-secret"


def offers() -> list[dict]:
    """Every distinct recorded offer, newest first (the search's ``sort=1`` order)."""
    first = json.loads(
        fixture("jobs/francetravail_offres_search_2025-11-13_range0-149_first20.json"))
    edge = json.loads(fixture("jobs/francetravail_offres_selected_edgecases_2025-11.json"))
    by_id = {offer["id"]: offer for offer in [*first["resultats"], *edge]}
    return sorted(by_id.values(), key=lambda o: o["dateCreation"], reverse=True)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _matches(offer: dict, request: Received) -> bool:
    departments = (request.param("departement") or "").split(",")
    if departments != [""]:
        label = offer.get("lieuTravail", {}).get("libelle", "")
        if label.split(" - ")[0] not in departments:
            return False
    created = _instant(offer["dateCreation"])
    low, high = request.param("minCreationDate"), request.param("maxCreationDate")
    if (low and created < _instant(low)) or (high and created > _instant(high)):
        return False
    contracts = request.param("typeContrat")
    return not contracts or offer.get("typeContrat") in contracts.split(",")


class FranceTravailSite(FixtureSite):
    """The token endpoint and the search; ``revoke()`` makes the tokens issued so far invalid
    (as when a token expires early), ``revoke_after=N`` does it after the N-th search."""

    def __init__(self, records: list[dict] | None = None, lifetime: int = 1499,
                 revoke_after: int | None = None) -> None:
        super().__init__()
        self.records = offers() if records is None else records
        self.lifetime = lifetime
        self.revoke_after = revoke_after  # searches served before the tokens are revoked
        self.served = 0
        self.valid: set[str] = set()
        self.issued = count(1)
        self.add("POST", TOKEN_PATH, self.token)
        self.add("GET", SEARCH_PATH, self.search)

    def revoke(self) -> None:
        self.valid.clear()

    def token(self, request: Received) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if request.param("realm") != "/partenaire" or form.get("grant_type") != \
                "client_credentials" or form.get("client_id") != CLIENT_ID \
                or form.get("client_secret") != CLIENT_SECRET:
            body = {"error": "invalid_client", "error_description": "Client authentication failed"}
            return Reply.json(json.dumps(body).encode(), 400, **headers)
        token = f"replay-token-{next(self.issued)}"
        self.valid.add(token)
        body = {"scope": form.get("scope", ""),
                "expires_in": self.lifetime, "token_type": "Bearer", "access_token": token}
        return Reply(200, json.dumps(body).encode(),
                     {"Content-Type": "application/json;charset=UTF-8", **headers})

    def search(self, request: Received) -> Reply:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[len("Bearer "):] not in self.valid:
            return Reply(401, b"", {})
        wanted = re.fullmatch(r"(\d+)-(\d+)", request.param("range", "0-149") or "")
        if not wanted:
            return Reply(400, b"", {})
        first, last = int(wanted.group(1)), int(wanted.group(2))
        if last < first or last - first >= 150 or first > 3000 or last > 3149:
            return Reply(400, b"", {})
        self.served += 1
        if self.served == self.revoke_after:
            self.revoke()  # the next search finds its token refused: a 401
        found = [offer for offer in self.records if _matches(offer, request)]
        if not found:
            return Reply(204, b"", {"Content-Range": "*/0"})
        page = found[first:last + 1]
        if not page:
            return Reply(204, b"", {"Content-Range": "*/0"})
        end = first + len(page) - 1
        status = 206 if end + 1 < len(found) else 200
        body = json.dumps({"resultats": page}, ensure_ascii=False).encode()
        return Reply.json(body, status, **{"Content-Range": f"offres {first}-{end}/{len(found)}"})


def site() -> FranceTravailSite:
    return FranceTravailSite()


# The bundled replay: every recorded offer, created on 2025-11-13 or 14. The dummy
# credentials are for the builder's recording (this site checks them); the recorded
# requests hold neither them nor a token (spiders.base.oauth), and a replay needs none.
REPLAY = {
    "args": {"since": "2025-11-13", "until": "2025-11-14"},
    "settings": {"FRANCE_TRAVAIL_CLIENT_ID": CLIENT_ID,
                 "FRANCE_TRAVAIL_CLIENT_SECRET": CLIENT_SECRET},
}
