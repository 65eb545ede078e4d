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

Without ``urls``, the consolidated national dataset: ``decp-2022-marches-valides`` (``-a
dataset=`` or ``[sources.decp] dataset`` for another) of the Opendatasoft Explore v2.1 portal
``DECP_API_URL`` (data.economie.gouv.fr), read from its bulk export (``/exports/csv``;
/records pages stop at 10,000 records, the export does not), one month of publication at a
time (``where=datepublicationdonnees >= date'2024-03-01' AND datepublicationdonnees <
date'2024-04-01'``), the last month open-ended: Scrapy holds an answer whole in memory, and a
month is tens of megabytes where the whole dataset is hundreds. A first crawl (nothing stored
yet, or ``-a full=true``) reads every month from 2019 on (and all before); later crawls only
what was published since the day before the newest stored record (``-a since=`` wins).
The export is asked for in the format of the recorded one (tests/fixtures/awards,
PROVENANCE.md): CSV, ``;``-separated, with the columns' *labels* (``acheteur.id``,
``titulaire_typeIdentifiant_1``, ``lieuExecution.code``: the camelCase names of the DECP
files). Each row is one contract,
with up to three holders in ``titulaire_id_N`` / ``titulaire_typeIdentifiant_N``, flattened
amendment columns (``idModification``, ``montantModification``...) and ``CDL`` / ``MQ`` for an
empty optional / missing mandatory value. A row is turned into the shape of a DECP file's
record and read by the same code as the files (``parse_record``); consecutive rows of one
contract (the amendment columns hold one amendment; a contract amended more often is said to
take several rows: none is recorded) are one award with every amendment. Like a file, the export is
checked to its end (every row whole) before any record is given out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import date
from itertools import pairwise
from typing import Any
from urllib.parse import quote, urlencode

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from aggregator.drop_reasons import DROPPED_PREFIX
from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.json_stream import BrokenDocument, check_document, stream_records
from spiders.base.listing_spider import ListingSpider

DATASET = "decp-2022-marches-valides"
# The export's parameters as in the recorded request (tests/fixtures/awards, PROVENANCE.md):
# its answer is the only format of the dataset known for sure.
EXPORT_PARAMS = {"lang": "en", "timezone": "Europe/Paris", "use_labels": "true",
                 "delimiter": ";"}
# The field (its name, in ODSQL) whose label is datePublicationDonnees.
DATE_FIELD = "datepublicationdonnees"
EXPORT_TIMEOUT = 3600  # seconds: a month of the dataset is tens of megabytes
FIRST_MONTH = date(2019, 1, 1)  # the DECP's first publications: months are asked from it
_EMPTY_MARKS = ("CDL", "MQ")  # the dataset's "no value" (optional / mandatory field)
_NEEDED_COLUMNS = ("id", "acheteur.id")
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


def _cell(row: Mapping[str, str | None], label: str) -> str | None:
    value = (row.get(label) or "").strip()
    return None if value in ("", *_EMPTY_MARKS) else value


def dataset_record(row: Mapping[str, str | None]) -> dict[str, Any]:
    """A row of the dataset's export as a DECP file's record (the 2019/2022 field names):
    ``acheteur``, ``lieuExecution``, ``titulaires`` and ``modifications`` built from their
    flattened columns, ``CDL`` / ``MQ`` read as no value."""
    record: dict[str, Any] = {name: _cell(row, name) for name in (
        "id", "nature", "objet", "codeCPV", "procedure", "dureeMois", "dateNotification",
        "datePublicationDonnees", "montant", "offresRecues", "formePrix")}
    record["acheteur"] = {"id": _cell(row, "acheteur.id")}
    record["lieuExecution"] = {"code": _cell(row, "lieuExecution.code"),
                               "typeCode": _cell(row, "lieuExecution.typeCode")}
    record["titulaires"] = [
        {"id": _cell(row, f"titulaire_id_{n}"),
         "typeIdentifiant": _cell(row, f"titulaire_typeIdentifiant_{n}"),
         "denominationSociale": _cell(row, f"titulaire_denominationSociale_{n}")}
        for n in (1, 2, 3) if _cell(row, f"titulaire_id_{n}")]
    record["modifications"] = [{
        "montant": _cell(row, "montantModification"),
        "dureeMois": _cell(row, "dureeMoisModification"),
        "dateNotificationModification": _cell(row, "dateNotificationModificationModification"),
    }] if _cell(row, "idModification") else []
    return record


def export_rows(body: bytes) -> Iterator[dict[str, str | None]]:
    """The rows of a CSV export (``;``, a BOM, CRLF), one at a time."""
    text = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8-sig", newline="")
    yield from csv.DictReader(text, delimiter=";")


def export_windows(since: date | None, until: date) -> list[tuple[date | None, date | None]]:
    """The publication windows a crawl asks for, one request each: [since, next month), then
    month by month, the last one open-ended (what is published meanwhile is read too). From
    ``None`` (the whole dataset): everything before FIRST_MONTH first. Scrapy holds an
    answer whole in memory: a month of the national dataset is tens of megabytes, the whole
    of it hundreds."""
    month = FIRST_MONTH if since is None else _next_month(since)
    bounds = []
    while month <= until:
        bounds.append(month)
        month = _next_month(month)
    edges = [since, *bounds, None]
    return list(pairwise(edges))


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def where_clause(start: date | None, end: date | None) -> str | None:
    """ODSQL for ``start <= publication < end`` (None: no bound)."""
    parts = ([f"{DATE_FIELD} >= date'{start.isoformat()}'"] if start else []) + (
        [f"{DATE_FIELD} < date'{end.isoformat()}'"] if end else [])
    return " AND ".join(parts) or None


def check_export(body: bytes) -> None:
    """Read the whole export; BrokenDocument unless it is the dataset's CSV, every row whole."""
    try:
        text = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8-sig", newline="")
        reader = csv.reader(text, delimiter=";", strict=True)
        header = next(reader, None)
        missing = [c for c in _NEEDED_COLUMNS if c not in (header or ())]
        if missing:
            raise BrokenDocument(f"not the dataset's CSV export (no column {missing[0]})")
        for row in reader:
            if len(row) != len(header):  # type: ignore[arg-type]
                raise BrokenDocument(f"row {reader.line_num} has {len(row)} fields, "
                                     f"not {len(header)}")  # type: ignore[arg-type]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BrokenDocument(str(exc)[:200]) from None
    if not body.endswith(b"\n"):
        raise BrokenDocument("cut short (no line break at its end)")


class DecpSpider(ListingSpider):
    name = "decp"
    kind = "award"
    about = N_("DECP: contracts notified by French public buyers (awards)")
    endpoint_setting = "DECP_API_URL"
    endpoint_default = "https://data.economie.gouv.fr/api/explore/v2.1"

    async def start(self) -> Any:
        urls = self.list_param("urls")
        if not urls:
            since = self.export_since()
            until = self.until_date()
            # replays and workers must ask for the same windows
            self.run_args["until"] = until.isoformat()
            if since is not None:
                self.run_args["since"] = since.isoformat()
            self.windows = export_windows(since, until)
            yield self.export_request(0)
            return
        for url in urls:
            yield Request(url, callback=self.parse_file, errback=self.file_failed,
                          dont_filter=True)

    # -- the national dataset --------------------------------------------------------------

    @property
    def dataset(self) -> str:
        return str(self.param("dataset") or DATASET).strip()

    @property
    def export_url(self) -> str:
        """The dataset's CSV export, without its query (what a listing's url names)."""
        return f"{self.endpoint}/catalog/datasets/{quote(self.dataset)}/exports/csv"

    def export_since(self) -> date | None:
        """The first publication day to read; None: the whole dataset (a first crawl, or
        ``-a full=true``)."""
        if self.full_crawl() or (self.last_published() is None and not self.param("since")):
            return None
        return self.since_date()

    def export_request(self, window: int) -> Request:
        """The export of one window; the next is asked for once this one is read (one
        answer in memory at a time)."""
        params = dict(EXPORT_PARAMS)
        where = where_clause(*self.windows[window])
        if where is not None:
            params["where"] = where
        return Request(f"{self.export_url}?{urlencode(params, quote_via=quote)}",
                       callback=self.parse_export, errback=self.export_failed,
                       dont_filter=True,
                       meta={"download_timeout": EXPORT_TIMEOUT, "window": window})

    def next_export(self, meta: Mapping[str, Any]) -> Iterator[Request]:
        if meta["window"] + 1 < len(self.windows):
            yield self.export_request(meta["window"] + 1)

    def export_failed(self, failure: Failure) -> Iterator[Request]:
        self.file_failed(failure)
        # a 4xx (no such dataset, a query refused) would be every window's answer
        if not (failure.check(HttpError) and failure.value.response.status < 500):
            yield from self.next_export(failure.request.meta)

    def parse_export(self, response: Response) -> Iterator[RawListing | Request]:
        yield from self.export_listings(response)
        yield from self.next_export(response.meta)

    def export_listings(self, response: Response) -> Iterator[RawListing]:
        try:
            check_export(response.body)
        except BrokenDocument as exc:
            self.logger.error("DECP export %s is not a whole CSV export (HTTP %s): %s",
                              response.url, response.status, exc)
            self.crawler.stats.inc_value(DROPPED_PREFIX + "unreadable file")
            self.partial = True
            return
        pending: dict[str, Any] | None = None
        rows: list[dict[str, str | None]] = []
        for row in export_rows(response.body):
            record = dataset_record(row)
            if pending is not None and (record["id"], record["acheteur"]["id"]) == (
                    pending["id"], pending["acheteur"]["id"]):
                pending["modifications"] += record["modifications"]  # the same contract
                rows.append(row)
                continue
            if pending is not None:
                yield from self.export_listing(pending, rows)
            pending, rows = record, [row]
        if pending is not None:
            yield from self.export_listing(pending, rows)

    def export_listing(self, record: dict[str, Any],
                       rows: list[dict[str, str | None]]) -> Iterator[RawListing]:
        self.crawler.stats.inc_value("aggregator/source_records")
        item = self.parse_record(record, self.export_url,
                                 raw=rows[0] if len(rows) == 1 else {"rows": rows},
                                 dataset=self.dataset)
        if item is not None:
            yield item

    # -- files -----------------------------------------------------------------------------

    def file_failed(self, failure: Failure) -> None:
        self.logger.error("DECP file %s not read: %s", failure.request.url,
                          failure.getErrorMessage())
        self.crawler.stats.inc_value(DROPPED_PREFIX + "unreadable file")
        self.partial = True

    def parse_file(self, response: Response) -> Iterator[RawListing]:
        try:
            check_document(response.body)
        except BrokenDocument as exc:
            self.logger.error("DECP file %s is not complete JSON (HTTP %s): %s", response.url,
                              response.status, exc)
            self.crawler.stats.inc_value(DROPPED_PREFIX + "unreadable file")
            self.partial = True
            return
        for prefix, record in stream_records(response.body, RECORD_PREFIXES):
            item = self.parse_record(record, response.url, prefix)
            if item is not None:
                yield item

    def parse_record(self, record: Mapping[str, Any], file_url: str, prefix: str = "", *,
                     raw: Mapping[str, Any] | None = None,
                     dataset: str | None = None) -> RawListing | None:
        """One contract of a file, or of the dataset (``raw``: the export's row(s))."""
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
            raw=dict(record if raw is None else raw),
            # several files may give the same contract: the store keeps them all
            extra={"decp_type": record.get("_type"), "files": [file_url],
                   **({"dataset": dataset} if dataset else {})},
            **place(record),
        )
