"""Why a crawl dropped an item: the reasons it counts, and their words for people.

A dropped item is counted under ``aggregator/dropped/<reason>`` in the crawl's stats, and the
run record keeps the counts by reason (``CrawlRun.dropped_reasons``). The reasons are stored
in English and language neutral — a stats contract that older runs hold too — so they are
translated where they are shown (`aggregator runs`). Every reason the pipelines
(aggregator.crawling.pipelines), the normaliser (aggregator.normalize) and the spiders write
is known here; a reason of any other form (an older one) is shown as it is.

A leaf beside aggregator.items: the spiders, the crawl's pipelines and the CLI all import
it, and reading a run needs no Scrapy.
"""

from __future__ import annotations

from aggregator.i18n import N_, WrittenForms, _

DROPPED_PREFIX = "aggregator/dropped/"
STORE_ERROR = "store error"  # the drop reason of an item the store refused

# Each reason as written in the stats, and its label (N_, the same English words).
REASONS = {
    # aggregator.crawling.pipelines.ValidatePipeline
    "invalid kind": N_("invalid kind"),
    "invalid source": N_("invalid source"),
    "invalid source_id": N_("invalid source_id"),
    "invalid url": N_("invalid url"),
    "invalid title": N_("invalid title"),
    "missing source": N_("missing source"),
    "missing source_id": N_("missing source_id"),
    "missing url": N_("missing url"),
    "missing title": N_("missing title"),
    "source_id too long": N_("source_id too long"),
    "invalid status": N_("invalid status"),
    "invalid cpv": N_("invalid cpv"),
    "invalid nuts": N_("invalid nuts"),
    "invalid match_keys": N_("invalid match_keys"),
    "invalid descriptors": N_("invalid descriptors"),
    "invalid lots": N_("invalid lots"),
    "invalid suppliers": N_("invalid suppliers"),
    "invalid amendments": N_("invalid amendments"),
    # NormalizePipeline: aggregator.normalize's NormalizationError, or a normaliser bug
    "empty title": N_("empty title"),
    "unreadable awarded_at": N_("unreadable awarded_at"),
    "normalize error": N_("normalize error"),
    # StorePipeline
    STORE_ERROR: N_("store error"),
    # the spiders (spiders/, drop_record and read_json)
    "unreadable response": N_("unreadable response"),
    "unreadable file": N_("unreadable file"),
    "unreadable record": N_("unreadable record"),
    "unreadable JSON-LD": N_("unreadable JSON-LD"),
    "gone before its detail was read": N_("gone before its detail was read"),
    "JobPosting without title": N_("JobPosting without title"),
    "offer without id": N_("offer without id"),
    "offer id is not a text or number": N_("offer id is not a text or number"),
    "no idweb": N_("no idweb"),
    "no contract id": N_("no contract id"),
    "no buyer": N_("no buyer"),
    "no link": N_("no link"),
    "no ocid": N_("no ocid"),
    "no publication number": N_("no publication number"),
    "planning release": N_("planning release"),
}
# Reasons with a variable part: a regular expression matched whole, and its label.
_WRITTEN = (
    # TRANSLATORS: %(error)s is the name of a Python exception, ValueError
    (r"unreadable record \((?P<error>\w+)\)", N_("unreadable record (%(error)s)")),
)
_FORMS = WrittenForms(_WRITTEN)


def drop_reason(reason: str) -> str:
    """A stored drop reason in the reader's language (one it does not know: as it is)."""
    return _(REASONS[reason]) if reason in REASONS else _FORMS.say(reason)
