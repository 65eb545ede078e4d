"""BOAMP, the French official journal of public tenders, through its Opendatasoft API.

One record per notice. ``donnees`` (the notice: an eForms UBL tree for European notices
since 2024, BOAMP's own form otherwise) and ``gestion`` (BOAMP's indexing) are JSON
*strings* that are sometimes invalid, or already objects: both are read defensively and a
record whose ``donnees`` cannot be read still becomes a listing from the flat fields.

The response deadline must be the exact instant. The flat ``datelimitereponse`` is the
source's own conversion and sometimes drops the offset (in the recorded sample, 26-79592
says ``2026-09-30T12:00:00+00:00`` where the notice says ``12:00:00.000+02:00``), so the
deadline comes from the eForms lots (BT-131 EndDate + EndTime; the listing takes the
earliest open one), else ``gestion.INDEXATION.DATE_LIMITE_REPONSE``, else the flat field.

Corrigenda (``RECTIFICATIF``), cancellations (``ANNULATION`` / ``AVIS_ANNULE``) and award
notices (``ATTRIBUTION``) are applied to the notice they refer to (``annonce_lie``, else
``annonces_anterieures``): the item carries the *original* idweb, so the store updates that
listing and records the change in its history. Days are read newest first, so the latest
word on a notice is seen first; a correction whose original was never stored still becomes a
listing under the original's idweb. An older notice met later in the crawl (the original, or
an earlier correction) only fills the fields the newer one left empty — a legacy
``RECTIFICATIF`` carries no lots, CPV or description — and is skipped when it has nothing to
add (``aggregator/superseded``); it never overwrites the newer word. Notices of BOAMP's
2006-2015 form name the notices they amend in ``annonces_anterieures_schema_v110`` (or
``gestion`` ``AVISLIEE``), with the idwebs of their time (``BWP06173060423D``), and a legacy
``RECTIFICATIF`` may hold its new deadline only as the text to read instead (``RECTIF``
``LIRE``: "24 juillet 2006, à 12 heures"), which becomes the listing's deadline.

The department column holds one code: the first of ``code_departement_prestation`` (where the
work is done), else of ``code_departement``; all of them are in ``extra["departments"]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.eforms import EformsNotice, text, walk
from spiders.base.ods_spider import OpenDataSoftSpider
from spiders.base.tender_keys import tender_match_keys
from spiders.base.values import as_list

NOTICE_URL = "https://www.boamp.fr/pages/avis/?q=idweb:{idweb}"
_IDWEB = re.compile(r"^\d{2}-\d+$")
# The idwebs of notices published before 2010 or so: ``BWP06173060423D``, ``BXP06181020621O``.
_LEGACY_IDWEB = re.compile(r"^[A-Z]{3}\d{11}[0-9A-Z]$")
_DEADLINE_HEADING = re.compile(r"date\s+limite", re.IGNORECASE)
_CUT = re.compile(r"(\.\.\.|…)\s*$")
_EMPTY = (None, "", [], {})
# What an older notice may fill in a newer one's listing (the rest is the newer one's word).
_FILLABLE = ("title", "organization", "buyer_id", "description", "deadline_at", "location",
             "postal_code", "buyer_location", "buyer_postal_code", "department", "nuts", "cpv",
             "descriptors", "procedure", "contract_nature", "estimated_value", "currency", "lots")


def json_field(record: dict[str, Any], name: str) -> tuple[Any, bool]:
    """(value, readable) of a field that holds JSON as a string, or already as an object."""
    value = record.get(name)
    if value is None or isinstance(value, (dict, list)):
        return value, True
    if isinstance(value, str):
        if not value.strip():
            return None, True
        try:
            return json.loads(value), True
        except ValueError:
            return None, False
    return None, False


def linked_ids(value: Any) -> list[str]:
    """Idwebs named by ``annonce_lie`` / ``annonces_anterieures``.

    ``annonce_lie`` is a list of idwebs; ``annonces_anterieures`` a nested structure (maybe
    a JSON string) that also holds publication dates. Only whole values shaped like an
    idweb count: searching inside ``2014-10-15`` would find the fake idweb ``10-15``.
    Notices of the 2006-2015 schema (``annonces_anterieures_schema_v110``) name theirs in
    objects written one after the other (``{...},{...}``: not JSON until bracketed) and
    with the idwebs of their time (``BWP06173060423D``).
    """
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in "[{":
            for candidate in (stripped, f"[{stripped}]"):
                try:
                    value = json.loads(candidate)
                    break
                except ValueError:
                    continue
    found: dict[str, None] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)
        elif node is not None:
            token = str(node).strip()
            if _IDWEB.match(token) or _LEGACY_IDWEB.match(token):
                found.setdefault(token, None)

    visit(value)
    return list(found)


def corrected_deadline(donnees: Any) -> str | None:
    """The deadline a RECTIFICATIF in BOAMP's own form sets, as written, or None.

    Its ``RECTIF`` (one per corrected notice) pairs each heading it changes (``RUB_INIT``)
    with the text to read instead (``LIRE``); the recorded 2006 one reads ``" date limite de
    réception des offres " :`` → ``" 24 juillet 2006, à 12 heures ".``, and has no deadline
    field anywhere else. The normaliser reads the French date. Lists that do not pair up
    one to one are not guessed at.
    """
    for rectif in walk(donnees, "RECTIF"):
        if not isinstance(rectif, dict):
            continue
        headings, readings = as_list(rectif.get("RUB_INIT")), as_list(rectif.get("LIRE"))
        if len(headings) != len(readings):
            continue
        for heading, reading in zip(headings, readings, strict=True):
            if (isinstance(heading, str) and isinstance(reading, str)
                    and _DEADLINE_HEADING.search(heading)):
                written = reading.strip(' ".\u00a0')
                if written:
                    return written
    return None


def _flags(record: dict[str, Any], gestion: Any) -> set[str]:
    """Upper-cased words that say what kind of notice this is (nature, état, statut)."""
    words = {str(record.get(name) or "").strip().upper() for name in ("nature", "etat")}
    for statut in walk(gestion, "REFERENCE", "TYPE_AVIS", "STATUT"):
        if isinstance(statut, dict):
            words.update(str(key).upper() for key in statut)
        elif statut:
            words.add(str(statut).upper())
    for nature in walk(gestion, "REFERENCE", "TYPE_AVIS", "NATURE"):
        if isinstance(nature, dict):
            words.update(str(key).upper() for key in nature)
    words.discard("")
    return words


def _descriptors(record: dict[str, Any]) -> list[dict[str, str | None]]:
    """BOAMP's descriptors: ``descripteur_code`` and ``descripteur_libelle`` are parallel
    lists (``["274", "304"]``, ``["Prestations de services", "Repas, traiteur"]``)."""
    labels = as_list(record.get("descripteur_libelle"))
    codes = as_list(record.get("descripteur_code"))
    if len(codes) != len(labels):  # unpaired: the labels alone say what they are
        codes = [None] * len(labels)
    return [{"code": str(code) if code not in (None, "") else None, "label": str(label)}
            for code, label in zip(codes, labels, strict=True) if str(label).strip()]


class BoampSpider(OpenDataSoftSpider):
    name = "boamp"
    kind = "tender"
    about = N_("French public tenders (BOAMP, Opendatasoft API); corrigenda and awards applied")
    endpoint_setting = "BOAMP_API_URL"
    endpoint_default = "https://boamp-datadila.opendatasoft.com/api/explore/v2.1"
    dataset = "boamp"
    date_field = "dateparution"
    order_field = "idweb"  # unique; the sort public BOAMP clients use ("idweb desc")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applied: set[str] = set()  # idwebs given their latest version in this crawl
        # the fields given for an idweb by a newer notice applied to it (a correction...),
        # without the raw payload: what an older notice met later may complete
        self.amended: dict[str, dict[str, Any]] = {}

    def parse_record(self, record: dict[str, Any]) -> Iterator[RawListing]:
        idweb = str(record.get("idweb") or "").strip()
        if not idweb:
            self.drop_record("no idweb", record.get("id"))
            return
        donnees, donnees_ok = json_field(record, "donnees")
        gestion, gestion_ok = json_field(record, "gestion")
        for name, readable in (("donnees", donnees_ok), ("gestion", gestion_ok)):
            if not readable:
                self.logger.warning("boamp %s: unreadable %s, using the flat fields", idweb, name)
                self.crawler.stats.inc_value(f"aggregator/unreadable/{name}")
        notice = EformsNotice.from_donnees(donnees)
        fields = self.notice_fields(record, idweb, donnees, gestion, notice)

        flags = _flags(record, gestion)
        notice_type = notice.notice_type if notice else None
        cancelled = bool(flags & {"ANNULATION", "AVIS_ANNULE"})
        award = ("ATTRIBUTION" in flags or (notice is not None and notice.kind ==
                 "ContractAwardNotice") or (notice_type or "").startswith("can-"))
        corrigendum = "RECTIFICATIF" in flags or notice_type == "corr"
        links = (linked_ids(record.get("annonce_lie"))
                 or linked_ids(record.get("annonces_anterieures"))
                 or linked_ids(record.get("annonces_anterieures_schema_v110"))
                 or linked_ids(list(walk(gestion, "INDEXATION", "AVISLIEE"))))
        targets = [t for t in links if t != idweb] if (cancelled or award or corrigendum) else []
        status = "cancelled" if cancelled else "closed" if award else "open"
        kind_of_notice = ("cancellation" if cancelled else "award" if award
                          else "corrigendum" if corrigendum else notice_type or
                          str(record.get("nature") or "").lower() or None)
        extra = {k: v for k, v in {
            "idweb": idweb, "famille": record.get("famille"), "nature": record.get("nature"),
            "etat": record.get("etat"),
            "departments": _departments(record),
            "linked_notices": links or None, "titulaire": record.get("titulaire"),
            "notice_version": text(notice.root.get("cbc:VersionID")) if notice else None,
        }.items() if v not in (None, "", [])}

        for source_id in targets or [idweb]:
            url = fields["url"] if source_id == idweb else NOTICE_URL.format(idweb=source_id)
            item_extra = dict(extra)
            if source_id != idweb:
                item_extra.update(applied_notice=idweb, applied_notice_url=fields["url"])
            item = {**fields, "source_id": source_id, "url": url, "status": status,
                    "notice_type": kind_of_notice, "extra": item_extra}
            amends = source_id != idweb
            if source_id in self.applied:
                # A newer notice for this procedure was already given in this crawl.
                completed = self.complete_newer(source_id, item)
                if completed is None:
                    self.crawler.stats.inc_value("aggregator/superseded")
                    continue
                self.crawler.stats.inc_value("aggregator/older_notice_filled")
                item = completed
            self.applied.add(source_id)
            if amends or source_id in self.amended:
                self.amended[source_id] = {k: v for k, v in item.items() if k != "raw"}
            yield self.listing(**item, **({"amends": True} if amends else {}))

    def complete_newer(self, source_id: str, older: dict[str, Any]) -> dict[str, Any] | None:
        """The listing a newer notice gave for ``source_id``, its empty fields filled from
        ``older`` (met later in the crawl); None when ``older`` has nothing to add, or when no
        newer fields were kept (the same notice twice)."""
        newer = self.amended.get(source_id)
        if newer is None:
            return None
        filled = {name: older[name] for name in _FILLABLE
                  if newer.get(name) in _EMPTY and older.get(name) not in _EMPTY}
        if not filled:
            return None
        keys = list(dict.fromkeys([*(newer.get("match_keys") or []),
                                   *(older.get("match_keys") or [])]))
        original = older["source_id"] == older["extra"].get("idweb")
        return {
            **newer, **filled, "match_keys": keys,
            # the original's own page, first publication and record; the newer notice is
            # named in extra (applied_notice)
            "url": older["url"] if original else newer["url"],
            "published_at": older.get("published_at") or newer.get("published_at"),
            "raw": older.get("raw"),
            "extra": {**newer["extra"], **older["extra"]} if original else
            {**older["extra"], **newer["extra"], "filled_from": older["extra"]["idweb"]},
        }

    def notice_fields(self, record: dict[str, Any], idweb: str, donnees: Any, gestion: Any,
                      notice: EformsNotice | None) -> dict[str, Any]:
        """The listing fields of one notice, from eForms first, then BOAMP's own forms."""
        objet = str(record.get("objet") or "").strip()
        legacy_objet = walk(donnees, "OBJET")
        legacy = next(legacy_objet, None) if notice is None else None
        full_title = notice.title if notice else text(_get(legacy, "TITRE_MARCHE"))
        title = objet
        stem = _CUT.sub("", objet).strip()
        if full_title and (not objet or (len(full_title) > len(stem)
                                         and full_title.lower().startswith(stem.lower()))):
            title = full_title  # objet was cut
        description = notice.description if notice else text(_get(legacy, "OBJET_COMPLET"))

        lots = notice.lots if notice else _legacy_lots(legacy)
        indexation = next(walk(gestion, "INDEXATION"), None)
        gestion_deadline = text(_get(indexation, "DATE_LIMITE_REPONSE"))
        if any(lot["deadline_at"] for lot in lots):
            deadline = None  # the normaliser takes the earliest open lot deadline
        else:
            deadline = (gestion_deadline or record.get("datelimitereponse")
                        or (None if notice else corrected_deadline(donnees)))

        if notice:
            cpv = notice.cpv
            value, currency = notice.estimated_value
            town, postal = notice.place
            buyer_town, buyer_postal = notice.buyer_address
        else:
            cpv = [text(code) for part in ("PRINCIPAL", "SUPPLEMENTAIRE")
                   for code in walk(legacy, "CPV", part) if text(code)]
            value = currency = town = postal = buyer_town = buyer_postal = None
        departments = _departments(record)
        match_deadline = (notice.deadline_dates[0] if notice and notice.deadline_dates
                          else gestion_deadline or record.get("datelimitereponse"))
        return {
            "source_id": idweb,
            "url": str(record.get("url_avis") or "").strip() or NOTICE_URL.format(idweb=idweb),
            "title": title,
            "organization": record.get("nomacheteur") or (notice.buyer_name if notice else None),
            "buyer_id": notice.buyer_id if notice else None,
            "description": description,
            "published_at": record.get("dateparution"),
            "modified_at": record.get("dateparution"),
            "deadline_at": deadline,
            "department": departments[0] if departments else None,
            "location": town,
            "postal_code": postal,
            "buyer_location": buyer_town,
            "buyer_postal_code": buyer_postal,
            "nuts": notice.nuts if notice else [],
            "country": "FR",
            "cpv": list(dict.fromkeys(c for c in cpv if c)),
            # BOAMP's own thesaurus, not CPV: kept apart.
            "descriptors": _descriptors(record),
            "procedure": (notice.procedure if notice else None) or record.get("type_procedure"),
            "contract_nature": (notice.contract_nature if notice else None)
            or _first(record.get("type_marche")),
            "estimated_value": value,
            "currency": currency,
            "lots": lots,
            "match_keys": tender_match_keys(
                notice_id=notice.notice_id if notice else None,
                procedure_id=(notice.procedure_id if notice else None)
                or record.get("contractfolderid"),
                buyer=(notice.buyer_name if notice else None) or record.get("nomacheteur"),
                title=(notice.title if notice else None) or objet,
                deadline=match_deadline),
            "raw": record,
        }


def _departments(record: dict[str, Any]) -> list[str]:
    """The notice's department codes: where the work is done (what bidders filter on), else
    where the notice was filed."""
    codes = (as_list(record.get("code_departement_prestation"))
             or as_list(record.get("code_departement")))
    return [str(code).strip() for code in codes if str(code).strip()]


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def _first(value: Any) -> Any:
    values = as_list(value)
    return values[0] if values else None


def _legacy_lots(objet: Any) -> list[dict[str, Any]]:
    """Lots of BOAMP's own form (``OBJET/LOTS/LOT``): number, title, CPV; no deadline."""
    lots = []
    for lot in walk(objet, "LOTS", "LOT"):
        if not isinstance(lot, dict):
            continue
        lots.append({"id": text(lot.get("NUM")), "title": text(lot.get("INTITULE")),
                     "deadline_at": None,
                     "cpv": [text(c) for c in walk(lot, "CPV", "PRINCIPAL") if text(c)],
                     "estimated_value": None})
    return lots
