"""DECP (données essentielles de la commande publique): the contracts French buyers notified.

``-a urls=URL[,URL]`` reads DECP JSON files in either published shape:

- "arrêté 2019": ``{"marches": [...]}``, contracts with ``acheteur`` and ``titulaires``
  ``[{typeIdentifiant, id, denominationSociale}]``, concessions (``_type`` "Contrat de
  concession") with ``autoriteConcedante``, ``concessionnaires``, ``valeurGlobale`` and
  ``dateSignature``;
- "arrêté 2022": ``{"marches": {"marche": [...], "contrat-concession": [...]}}``, each
  holder wrapped: ``titulaires[{titulaire: {...}}]``, ``modifications[{modification: {...}}]``.

Both wrapped and flat holders and amendments are read, whichever shape the file claims (real
files mix them). A file is checked to its end before any record is given out, so a truncated
file or an error page is one counted error, never half a run; records are then read one at a
time (a file of the consolidated set is hundreds of megabytes).

One contract is one award: its buyer's identifier plus its own ``id`` (the DECP ``uid``), so
the same contract met in several files (the buyer's and a consolidated one) stays one
listing, naming every file it was read from (``details.extra.files``). Records sample:
tests/fixtures/awards (PROVENANCE.md).

The consolidated national dataset (Opendatasoft, ``DECP_API_URL``) is the endpoint; reading it
without ``urls`` waits for a recorded response of it (none was available): such a crawl says
so and reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from aggregator.config import SourceConfig
from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.json_stream import BrokenDocument, check_document, stream_records
from spiders.base.listing_spider import ListingSpider

RECORD_PREFIXES = ("marches.item", "marches.marche.item", "marches.contrat-concession.item")
_PLACE_FIELDS = {"code département": "department", "code postal": "postal_code",
                 "code commune": "insee_code", "code pays": "country"}


def unwrap(entry: object, key: str) -> Mapping[str, Any] | None:
    """A holder or amendment, flat or wrapped (``{"titulaire": {...}}``)."""
    if not isinstance(entry, Mapping):
        return None
    inner = entry.get(key)
    return inner if isinstance(inner, Mapping) else entry


def _listed(value: object) -> list[Any]:
    """A list of entries, also when the 2022 shape wraps it (``{"titulaire": [...]}``)."""
    if isinstance(value, Mapping) and len(value) == 1:
        value = next(iter(value.values()))
    if isinstance(value, Mapping):
        return [value]
    return value if isinstance(value, list) else []


def is_concession(record: Mapping[str, Any], prefix: str = "") -> bool:
    kind = str(record.get("_type") or "").lower()
    return "concession" in prefix or "concession" in kind or "autoriteConcedante" in record


def suppliers(record: Mapping[str, Any], concession: bool) -> list[dict[str, Any]]:
    field, key = ("concessionnaires", "concessionnaire") if concession else \
        ("titulaires", "titulaire")
    found = []
    for entry in _listed(record.get(field)):
        holder = unwrap(entry, key)
        if holder is not None:
            found.append({"id": holder.get("id"), "id_type": holder.get("typeIdentifiant"),
                          "name": holder.get("denominationSociale")})
    return found


def amendments(record: Mapping[str, Any], concession: bool) -> list[dict[str, Any]]:
    found = []
    for entry in _listed(record.get("modifications")):
        change = unwrap(entry, "modification")
        if change is None:
            continue
        found.append({
            "date": change.get("dateNotificationModification")
            or change.get("dateSignatureModification"),
            "amount": change.get("valeurGlobale") if concession else change.get("montant"),
            "duration_months": change.get("dureeMois"),
            "object": change.get("objetModification")})
    return found


def place(record: Mapping[str, Any]) -> dict[str, Any]:
    where = record.get("lieuExecution")
    if not isinstance(where, Mapping):
        return {}
    fields: dict[str, Any] = {"location": where.get("nom"), "country": "FR"}
    kind = str(where.get("typeCode") or "").strip().lower()
    if where.get("code") and kind in _PLACE_FIELDS:
        fields[_PLACE_FIELDS[kind]] = str(where["code"]).strip()
    return fields


class DecpSpider(ListingSpider):
    name = "decp"
    kind = "award"
    about = N_("DECP: contracts notified by French public buyers (awards)")
    endpoint_setting = "DECP_API_URL"
    endpoint_default = "https://data.economie.gouv.fr/api/explore/v2.1"

    @classmethod
    def needs(cls) -> str | None:
        return "urls (DECP JSON files), or -a urls=..."

    @classmethod
    def configuration_problem(cls, source_config: SourceConfig, args: dict[str, Any],
                              settings: Mapping[str, Any] | None = None) -> str | None:
        if args.get("urls") or source_config.params.get("urls"):
            return super().configuration_problem(source_config, args, settings)
        return "no DECP files given ([sources.decp] urls, or -a urls=...)"

    async def start(self) -> Any:
        urls = self.list_param("urls")
        if not urls:
            self.unconfigured("no DECP files given ([sources.decp] urls, or -a urls=...)")
            return
        for url in urls:
            yield Request(url, callback=self.parse_file, errback=self.file_failed,
                          dont_filter=True)

    def file_failed(self, failure: Failure) -> None:
        self.logger.error("DECP file %s not read: %s", failure.request.url,
                          failure.getErrorMessage())
        self.crawler.stats.inc_value("aggregator/dropped/unreadable file")
        self.partial = True

    def parse_file(self, response: Response) -> Iterator[RawListing]:
        try:
            check_document(response.body)
        except BrokenDocument as exc:
            self.logger.error("DECP file %s is not complete JSON (HTTP %s): %s", response.url,
                              response.status, exc)
            self.crawler.stats.inc_value("aggregator/dropped/unreadable file")
            self.partial = True
            return
        for prefix, record in stream_records(response.body, RECORD_PREFIXES):
            item = self.parse_record(record, response.url, prefix)
            if item is not None:
                yield item

    def parse_record(self, record: Mapping[str, Any], file_url: str,
                     prefix: str = "") -> RawListing | None:
        concession = is_concession(record, prefix)
        buyer = record.get("autoriteConcedante" if concession else "acheteur")
        buyer = buyer if isinstance(buyer, Mapping) else {}
        contract_id = str(record.get("id") or "").strip()
        if not contract_id:
            self.drop_record("no contract id", record.get("uid"))
            return None
        if not buyer.get("id"):
            self.drop_record("no buyer", contract_id)
            return None
        uid = f"{str(buyer['id']).strip()}-{contract_id}"
        if concession:
            amount, awarded = record.get("valeurGlobale"), record.get("dateSignature")
            nature = record.get("nature") or "Concession"
        else:
            amount, awarded = record.get("montant"), record.get("dateNotification")
            nature = record.get("nature")
        return self.listing(
            source_id=uid,
            url=f"{file_url.split('#')[0]}#{quote(uid)}",
            title=record.get("objet"),
            organization=buyer.get("nom"),
            published_at=record.get("datePublicationDonnees"),
            cpv=[record["codeCPV"]] if record.get("codeCPV") else [],
            procedure=record.get("procedure"),
            buyer_id=buyer["id"],
            suppliers=suppliers(record, concession),
            amount=amount,
            awarded_at=awarded,
            duration_months=record.get("dureeMois"),
            nature=nature,
            offers_received=record.get("offresRecues"),
            amendments=amendments(record, concession),
            raw=dict(record),
            # several files may give the same contract: the store keeps them all
            extra={"decp_type": record.get("_type"), "files": [file_url]},
            **place(record),
        )
