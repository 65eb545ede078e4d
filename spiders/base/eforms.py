"""Reading eForms notices converted to JSON trees (BOAMP's ``donnees.EFORMS``).

BOAMP serves each eForms notice as the UBL XML turned into nested objects the xmltodict
way: an element is a dict of its children keyed by prefixed name (``cbc:ID``), an attribute
is ``@name``, the text of an element that has attributes is ``#text``, and a repeated
element becomes a list (a single one stays a dict). The same tree is TED's
``links.xml.MUL``; the Business Terms below (BT-xx) are those of the eForms SDK.

Only reading lives here: values come out as the source wrote them (dates with their
offset, codes as published); the normaliser interprets them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from spiders.base.values import as_list, in_preferred_language

# The eForms document kinds BOAMP nests under donnees["EFORMS"].
NOTICE_ROOTS = ("ContractNotice", "ContractAwardNotice", "PriorInformationNotice",
                "ConcessionNotice")
# A SIREN (9 digits) or SIRET (14), and the 10 to 13 digit ones that lost leading zeros or
# a digit: kept as given, like the DECP's.
_SIRET = re.compile(r"\d{9,14}")


def french_company_id(value: object) -> str | None:
    """A buyer's registration number (BT-501) when it is a SIREN or SIRET (9 to 14 digits
    once spaced out), else None: other schemes (``eu`` codes, foreign registers) would never
    match a DECP buyer."""
    digits = re.sub(r"\s+", "", str(value)) if value not in (None, "") else ""
    return digits if _SIRET.fullmatch(digits) else None


def text(node: Any) -> str | None:
    """The text of an element (``"x"`` or ``{"@attr": ..., "#text": "x"}``), stripped.

    For a list (a repeated element: one per language when they carry ``@languageID``), the
    text in the preferred language (French, then English), else the first there is.
    """
    if isinstance(node, list):
        by_language = {str(n["@languageID"]): text(n) for n in node
                       if isinstance(n, dict) and n.get("@languageID")}
        preferred = in_preferred_language(by_language)
        if preferred:
            return preferred
        for item in node:
            value = text(item)
            if value:
                return value
        return None
    if isinstance(node, dict):
        node = node.get("#text")
    if node is None:
        return None
    value = str(node).strip()
    return value or None


def attribute(node: Any, name: str) -> str | None:
    if isinstance(node, list):
        node = node[0] if node else None
    if isinstance(node, dict):
        value = node.get(f"@{name}")
        return str(value).strip() if value not in (None, "") else None
    return None


def walk(node: Any, *path: str) -> Iterator[Any]:
    """Every node reached by ``path`` through dicts, fanning out over lists."""
    if not path:
        yield from as_list(node)
        return
    for item in as_list(node):
        if isinstance(item, dict) and path[0] in item:
            yield from walk(item[path[0]], *path[1:])


def first(node: Any, *path: str) -> Any:
    return next(walk(node, *path), None)


def notice_root(donnees: Any) -> tuple[str, dict[str, Any]] | None:
    """(document kind, notice element) of an eForms ``donnees`` tree, or None (legacy form)."""
    if not isinstance(donnees, dict):
        return None
    eforms = donnees.get("EFORMS")
    if not isinstance(eforms, dict):
        return None
    for kind in NOTICE_ROOTS:
        if isinstance(eforms.get(kind), dict):
            return kind, eforms[kind]
    for kind, value in eforms.items():  # a kind this module does not know yet
        if isinstance(value, dict) and "cbc:ContractFolderID" in value:
            return kind, value
    return None


class EformsNotice:
    """Read access to the fields of one eForms notice tree that listings need."""

    def __init__(self, root: dict[str, Any], kind: str = "ContractNotice") -> None:
        self.root = root
        self.kind = kind

    @classmethod
    def from_donnees(cls, donnees: Any) -> EformsNotice | None:
        found = notice_root(donnees)
        return cls(found[1], found[0]) if found else None

    # -- identity ------------------------------------------------------------------------

    @property
    def notice_id(self) -> str | None:
        """BT-701, the notice's UUID: TED's ``notice-identifier`` for the same notice."""
        return text(self.root.get("cbc:ID"))

    @property
    def procedure_id(self) -> str | None:
        """BT-04 ``cbc:ContractFolderID``: TED's ``procedure-identifier``."""
        return text(self.root.get("cbc:ContractFolderID"))

    @property
    def notice_type(self) -> str | None:
        """BT-02: ``cn-standard``, ``can-standard``, ``pin-only``..."""
        return text(self.root.get("cbc:NoticeTypeCode"))

    # -- the procedure -------------------------------------------------------------------

    @property
    def project(self) -> dict[str, Any]:
        project = first(self.root, "cac:ProcurementProject")
        return project if isinstance(project, dict) else {}

    @property
    def title(self) -> str | None:
        """BT-21 procedure title."""
        return text(self.project.get("cbc:Name"))

    @property
    def description(self) -> str | None:
        """BT-24 procedure description."""
        return text(self.project.get("cbc:Description"))

    @property
    def procedure(self) -> str | None:
        """BT-105 procedure type: ``open``, ``restricted``, ``neg-w-call``..."""
        return text(first(self.root, "cac:TenderingProcess", "cbc:ProcedureCode"))

    @property
    def contract_nature(self) -> str | None:
        """BT-23: ``works``, ``supplies``, ``services``."""
        return text(self.project.get("cbc:ProcurementTypeCode"))

    @property
    def estimated_value(self) -> tuple[str | None, str | None]:
        """BT-27 estimated value and its currency, as written."""
        node = first(self.project, "cac:RequestedTenderTotal",
                     "cbc:EstimatedOverallContractAmount")
        return text(node), attribute(node, "currencyID")

    def lot_nodes(self) -> list[dict[str, Any]]:
        return [lot for lot in walk(self.root, "cac:ProcurementProjectLot")
                if isinstance(lot, dict)]

    @property
    def cpv(self) -> list[str]:
        """BT-262/BT-263 main and additional CPV codes, procedure then lots, in order."""
        codes: dict[str, None] = {}
        for project in (self.project, *(lot.get("cac:ProcurementProject")
                                        for lot in self.lot_nodes())):
            for tag in ("cac:MainCommodityClassification",
                        "cac:AdditionalCommodityClassification"):
                for node in walk(project, tag, "cbc:ItemClassificationCode"):
                    if attribute(node, "listName") in (None, "cpv") and text(node):
                        codes.setdefault(text(node) or "", None)
        return list(codes)

    def _locations(self) -> list[dict[str, Any]]:
        found = []
        for project in (self.project, *(lot.get("cac:ProcurementProject")
                                        for lot in self.lot_nodes())):
            for address in walk(project, "cac:RealizedLocation", "cac:Address"):
                if isinstance(address, dict):
                    found.append(address)
        return found

    @property
    def nuts(self) -> list[str]:
        """BT-5071 place of performance NUTS codes (procedure and lots)."""
        codes: dict[str, None] = {}
        for address in self._locations():
            code = text(address.get("cbc:CountrySubentityCode"))
            if code:
                codes.setdefault(code, None)
        return list(codes)

    @property
    def place(self) -> tuple[str | None, str | None]:
        """(town, postal code) of the first place of performance that names one."""
        for address in self._locations():
            town, postal = text(address.get("cbc:CityName")), text(address.get("cbc:PostalZone"))
            if town or postal:
                return town, postal
        return None, None

    def _buyer(self) -> dict[str, Any] | None:
        """The organisation the contracting party points to (``efac:Company``)."""
        buyer_id = text(first(self.root, "cac:ContractingParty", "cac:Party",
                              "cac:PartyIdentification", "cbc:ID"))
        organisations = list(walk(self.root, "ext:UBLExtensions", "ext:UBLExtension",
                                  "ext:ExtensionContent", "efext:EformsExtension",
                                  "efac:Organizations", "efac:Organization"))
        for organisation in organisations:
            company = organisation.get("efac:Company") if isinstance(organisation, dict) else None
            if not isinstance(company, dict):
                continue
            if buyer_id and text(first(company, "cac:PartyIdentification", "cbc:ID")) != buyer_id:
                continue
            return company
        return None

    @property
    def buyer_id(self) -> str | None:
        """BT-501, the buyer's registration number when it is a SIREN or SIRET (9 to 14
        digits once spaced out): French notices put the SIRET there; other schemes (``eu``
        codes, foreign registers) would never match a DECP buyer."""
        return french_company_id(text(first(self._buyer(), "cac:PartyLegalEntity",
                                             "cbc:CompanyID")))

    @property
    def buyer_name(self) -> str | None:
        """The buyer's official name."""
        return text(first(self._buyer(), "cac:PartyName", "cbc:Name"))

    @property
    def buyer_address(self) -> tuple[str | None, str | None]:
        """(town, postal code) of the buyer's address (BT-513, BT-512)."""
        address = first(self._buyer(), "cac:PostalAddress")
        if not isinstance(address, dict):
            return None, None
        return text(address.get("cbc:CityName")), text(address.get("cbc:PostalZone"))

    # -- lots ----------------------------------------------------------------------------

    @staticmethod
    def lot_deadline(lot: dict[str, Any]) -> list[str] | str | None:
        """BT-131: ``[EndDate, EndTime]`` as written (each with its offset), or the date."""
        period = first(lot, "cac:TenderingProcess", "cac:TenderSubmissionDeadlinePeriod")
        if not isinstance(period, dict):
            return None
        day, time = text(period.get("cbc:EndDate")), text(period.get("cbc:EndTime"))
        if day and time:
            return [day, time]
        return day

    @property
    def lots(self) -> list[dict[str, Any]]:
        """Each lot's id, title, raw deadline, CPV codes and estimated value."""
        lots = []
        for lot in self.lot_nodes():
            project = lot.get("cac:ProcurementProject")
            project = project if isinstance(project, dict) else {}
            cpv = [text(node) for tag in ("cac:MainCommodityClassification",
                                          "cac:AdditionalCommodityClassification")
                   for node in walk(project, tag, "cbc:ItemClassificationCode") if text(node)]
            lots.append({
                "id": text(lot.get("cbc:ID")),
                "title": text(project.get("cbc:Name")),
                "deadline_at": self.lot_deadline(lot),
                "cpv": list(dict.fromkeys(cpv)),
                "estimated_value": text(first(project, "cac:RequestedTenderTotal",
                                              "cbc:EstimatedOverallContractAmount")),
            })
        return lots

    @property
    def deadline_dates(self) -> list[str]:
        """The lots' deadline days (``YYYY-MM-DD``, the buyer's local date), sorted."""
        days = set()
        for lot in self.lots:
            deadline = lot["deadline_at"]
            day = deadline[0] if isinstance(deadline, list) else deadline
            if day:
                days.add(day[:10])
        return sorted(days)
