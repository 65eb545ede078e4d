"""APEC (executive jobs): ``POST {APEC_API_URL}/rechercheOffre`` with a JSON search.

The search takes ``motsCles`` (keywords), ``lieux`` (APEC's place ids) and ``pagination``
(``range``: how many offers, ``startIndex``: from which); it answers ``resultats`` and
``totalCount``. An offer has ``numeroOffre`` (its reference, "179261918W"), ``intitule``,
``nomCommercial`` (the employer), ``lieuTexte`` ("Wasquehal - 59"), ``salaireTexte``
("45 - 50 k€ brut annuel"), ``texteOffre`` (the start of the description), ``typeContrat``
(a code: see CONTRACTS), ``datePublication`` / ``dateValidation`` ("2026-09-02T16:51:05.000
+0000"), ``latitude``/``longitude`` and ``idNomTeletravail`` (set when remote work is
offered). Its page is ``/candidat/recherche-emploi.html/emploi/detail-offre/{numeroOffre}``;
the full text is at ``{APEC_API_URL}/offre/public?numeroOffre=`` (no recorded answer: not
read). Recorded sample: tests/fixtures/jobs/apec_developpeur_rechercheOffre.json.

Arguments / ``[sources.apec]``: ``keywords`` (one search text) and ``places`` (APEC place ids,
one search each; none: all of France), as France Travail's ``keywords``/``departments``.
Each search is read whole at every crawl, like an ATS board: its scope is complete when every
page was read, so the offers it no longer lists are counted missed (closed at the second).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from aggregator.config import SourceConfig
from aggregator.i18n import N_
from aggregator.items import RawListing
from spiders.base.boards import Board
from spiders.base.listing_spider import ListingSpider
from spiders.base.paged_json import PostPagedJsonSpider

SITE = "https://www.apec.fr"
# APEC's contract codes, as its search form sends them (read by public clients of the API).
CONTRACTS = {101887: "CDD", 101888: "CDI", 101889: "Intérim", 101930: "Intérim"}


class ApecSpider(PostPagedJsonSpider):
    name = "apec"
    about = N_("APEC executive job offers")
    endpoint_setting = "APEC_API_URL"
    endpoint_default = "https://www.apec.fr/cms/webservices"
    records_pointer = "/resultats"
    total_pointer = "/totalCount"
    max_page_size = 20  # what APEC's own site asks for
    full_crawl_days = 7
    parse_board = None  # not a board platform: searches come from keywords and places
    detail_needs_page: ClassVar[bool] = False

    @classmethod
    def needs(cls) -> str | None:
        return None

    @classmethod
    def configuration_problem(cls, source_config: SourceConfig, args: dict[str, Any],
                              settings: Mapping[str, Any] | None = None) -> str | None:
        return ListingSpider.configuration_problem.__func__(cls, source_config, args, settings)

    def configured_boards(self) -> list[Board]:
        """One search per place (all of France without places), each a scope."""
        keywords = " ".join(self.list_param("keywords"))
        boards = []
        for place in self.list_param("places") or [None]:
            key = "&".join(part for part in (f"motsCles={keywords}" if keywords else "",
                                             f"lieux={place}" if place else "") if part)
            boards.append(Board(key=key or "all", slug=keywords,
                                options={"places": [place] if place else []}))
        return boards

    def page_url(self, board: Board) -> str:
        return f"{self.endpoint}/rechercheOffre"

    def page_body(self, board: Board, offset: int) -> dict[str, Any]:
        return {"motsCles": board.slug, "lieux": board.options["places"],
                "pagination": {"range": self.page_limit, "startIndex": offset}}

    def record_id(self, record: Any) -> str | None:
        return record.get("numeroOffre") if isinstance(record, dict) else None

    def parse_item(self, record: dict[str, Any], board: Board, page: Any,
                   detail: Any = None) -> RawListing | None:
        reference = record["numeroOffre"]
        return self.listing(
            source_id=reference,
            url=f"{SITE}/candidat/recherche-emploi.html/emploi/detail-offre/{reference}",
            title=record["intitule"],
            organization=record.get("nomCommercial"),
            description=record.get("texteOffre"),
            location=record.get("lieuTexte"),
            latitude=record.get("latitude"),
            longitude=record.get("longitude"),
            remote=True if record.get("idNomTeletravail") else None,
            contract_type=CONTRACTS.get(record.get("typeContrat"), record.get("typeContrat")),
            salary=record.get("salaireTexte"),
            published_at=record.get("datePublication") or record.get("dateValidation"),
            extra={k: v for k, v in {
                "reference": reference,
                "detail_api": f"{self.endpoint}/offre/public?numeroOffre={reference}",
                "confidential": record.get("offreConfidentielle") or None,
            }.items() if v not in (None, "", [])},
        )
