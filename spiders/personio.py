"""Personio career sites: ``GET {PERSONIO_URL_TEMPLATE}/xml`` (every published position).

``PERSONIO_URL_TEMPLATE`` is ``https://{board}.jobs.personio.com`` (``.jobs.personio.de``
serves the same feed; both addresses are accepted as a board). The document is Personio's
own XML (developer.personio.de, "Retrieving open job positions"): a ``workzag-jobs`` root,
one ``position`` per job with ``id``, ``subcompany`` (the hiring entity, often absent),
``office`` and ``additionalOffices/office``, ``department``, ``recruitingCategory``,
``name``, ``jobDescriptions/jobDescription`` (named sections whose ``value`` is HTML),
``employmentType`` (permanent, intern, trainee, freelance...), ``seniority``, ``schedule``
(full-time, part-time...), ``keywords``, ``occupation`` and ``createdAt``. A position
carries no link: its page is ``/job/{id}``. An employer with no open position answers an
empty ``workzag-jobs``. Recorded sample: tests/fixtures/jobs/personio_abcfinlab_xml.xml.
"""

from __future__ import annotations

import re

from parsel import Selector

from aggregator.i18n import N_
from spiders.base.boards import Board
from spiders.base.xml_feed import Each, First, Joined, XmlFeedSpider


class PersonioSpider(XmlFeedSpider):
    name = "personio"
    about = N_("Personio career sites")
    endpoint_setting = "PERSONIO_URL_TEMPLATE"
    endpoint_default = "https://{board}.jobs.personio.com"
    endpoint_key = "url_template"
    board_help = N_("COMPANY (as in COMPANY.jobs.personio.com)")
    board_url = re.compile(r"https?://(?P<slug>[A-Za-z0-9-]+)\.jobs\.personio\.(?:com|de)",
                           re.I)
    feed_path = "/xml"
    feed_root = "/workzag-jobs"
    records_path = "position"
    id_paths = ("id",)
    fields = {
        "title": "name",
        "organization": "subcompany",
        # the named sections, each title before its HTML
        "description": Joined(Each("jobDescriptions/jobDescription",
                                   Joined("name", "value", sep="\n")), sep="\n"),
        "location": "office",
        "contract_type": "employmentType",
        "working_time": "schedule",
        "published_at": "createdAt",
    }
    extra_fields = {
        "team": First("department", "recruitingCategory"),
        "other_offices": Each("additionalOffices/office", "."),
        "seniority": "seniority",
        "keywords": "keywords",
        "occupation": "occupation",
    }

    def record_url(self, record: Selector, board: Board, link: str | None) -> str | None:
        position = self.record_id(record)
        return f"{self.feed_url(board).removesuffix(self.feed_path)}/job/{position}" \
            if position else None
