"""A digest as an e-mail: text and HTML parts (Jinja2), the matches as CSV, their deadlines
as iCalendar.

Listing text is untrusted. Every value is prepared here as plain text with control
characters and terminal escapes removed; the HTML template is autoescaped (``<script>``
shows as text), links are kept only when they are http(s). The text and HTML parts show
the same view, built once by ``digest_view``. Places, deadlines, days left and "closing soon"
read as in the CLI and the TUI (aggregator.presentation), in local time (``LOCAL_TZ``); the
``[schedule] timezone`` only decides when an alert is due.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from aggregator.config import LOCAL_TZ
from aggregator.export import ics_calendar, spreadsheet_style, write_csv
from aggregator.i18n import _, language, ngettext, pgettext
from aggregator.mail.contents import Digest, Entry
from aggregator.normalize.text import strip_controls
from aggregator.presentation import (
    CLOSING_SOON_DAYS,
    amount_text,
    buyer_before_line,
    closing_soon,
    countdown,
    cpv_lines,
    deadline_when,
    local,
    organization_text,
    place,
    salary_text,
    status_label,
    terms,
    winners,
)

if TYPE_CHECKING:
    from aggregator.query.records import ListingRecord

TEMPLATES = Path(__file__).resolve().parent / "templates"
# A first digest of a broad search can hold thousands of listings: the body shows the soonest
# of each section, the CSV and calendar attachments hold them all (about 1.3 KB per listing).
SECTION_LIMIT = 100

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False,
                                 default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    extensions=["jinja2.ext.i18n"],
)
# {% trans %} and _() in the templates read the same catalogue as the code
_env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
_env.globals["language"] = language


def clean(value: object) -> str:
    """Untrusted text as one harmless line: no control characters, no terminal escapes."""
    if value is None:
        return ""
    return " ".join(strip_controls(str(value)).split())


def _piece(value: str) -> str:
    """Untrusted text inside a line: as :func:`clean`, but its edges' spaces kept."""
    return re.sub(r"\s+", " ", strip_controls(value))


def web_url(url: str | None) -> str | None:
    """Only http(s) links become links (no ``javascript:``, ``data:``...)."""
    url = clean(url)
    return url if url.lower().startswith(("https://", "http://")) else None


@dataclass(frozen=True)
class SourceView:
    name: str
    url: str | None


@dataclass(frozen=True)
class EntryView:
    kind: str
    title: str
    organization: str
    place: str
    deadline: str
    days_left: str
    urgent: bool
    status: str  # the code: the templates name a status other than open
    status_label: str
    terms: str  # a job's contract and pay
    cpv: list[str]  # a tender's codes in words, one a line
    # why it matched: (what, [(text, matched)]) per part
    why: list[tuple[str, list[tuple[str, bool]]]]
    url: str | None
    sources: list[SourceView]
    change: str
    # a tender: "this buyer before" in one line; an award: when it ends, who holds it
    awards_note: str = ""


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    entries: list[EntryView]
    more: int = 0  # entries not shown in the body (they are all in the attachments)


@dataclass(frozen=True)
class DigestView:
    alert_name: str
    query: str
    generated: str
    subject: str
    sections: list[SectionView]
    broken_sources: list[str] = field(default_factory=list)
    calendar: bool = True  # the deadlines go with it as a calendar (none when none has one)


def _change_text(entry: Entry) -> str:
    if not entry.previous:
        return ""
    listing, notes = entry.changed or entry.listing, []
    before = entry.previous.get("deadline_at")
    if before != listing.deadline_at:
        notes.append(_("deadline %(before)s → %(after)s") % {
            "before": local(before) or pgettext("deadline", "none"),
            "after": local(listing.deadline_at) or pgettext("deadline", "none")})
    if entry.previous.get("status") != listing.status:
        notes.append(_("status %(before)s → %(after)s") % {
            "before": clean(status_label(entry.previous.get("status") or "")),
            "after": clean(status_label(listing.status))})
    return "; ".join(notes)


def entry_view(entry: Entry, now: datetime) -> EntryView:
    listing = entry.listing
    return EntryView(
        kind=listing.kind, title=clean(listing.title),
        organization=clean(organization_text(listing)),
        place=clean(place(listing, named=True)), deadline=deadline_when(listing),
        days_left=countdown(listing, now, words=True), urgent=closing_soon(listing, now),
        status=listing.status, status_label=clean(status_label(listing.status)),
        terms=clean(" · ".join(p for p in (terms(listing, full=True), salary_text(listing)) if p)),
        cpv=[clean(line) for line in cpv_lines(listing)],
        why=[(clean(label), [(_piece(text), matched) for text, matched in pieces])
             for label, pieces in (entry.why.lines() if entry.why else [])],
        url=web_url(listing.url),
        sources=[SourceView(clean(m.source), web_url(m.url))
                 for m in (listing, *entry.members)],
        change=_change_text(entry), awards_note=_awards_note(entry))


def _awards_note(entry: Entry) -> str:
    listing = entry.listing
    if listing.kind == "award":
        ends = local(listing.ends_at, "%d/%m/%Y") if listing.ends_at else "?"
        return clean(" · ".join(p for p in (_("ends %(date)s") % {"date": ends},
                                            winners(listing.suppliers),
                                            amount_text(listing.amount)) if p))
    if entry.buyer_before:
        return clean(_("This buyer before: %(awards)s")
                     % {"awards": buyer_before_line(entry.buyer_before)})
    return ""


def _sort_key(entry: Entry) -> tuple[Any, ...]:
    deadline = entry.listing.deadline_at
    return (deadline is None, deadline or datetime.max, clean(entry.listing.title).lower(),
            entry.listing.id)


def _count(n: int, kind: str) -> str:
    if kind == "tender":
        return ngettext("%(n)d new tender", "%(n)d new tenders", n) % {"n": n}
    if kind == "job":
        return ngettext("%(n)d new job", "%(n)d new jobs", n) % {"n": n}
    return ngettext("%(n)d new contract", "%(n)d new contracts", n) % {"n": n}


def count_words(counts: Mapping[str, int]) -> list[str]:
    """A digest's counts (``Digest.counts``) in words: ``3 new tenders``, ``1 changed``."""
    parts = [_count(counts[f"new_{kind}"], kind) for kind in ("tender", "job", "award")
             if counts.get(f"new_{kind}")]
    if changed := counts.get("changed"):
        parts.append(ngettext("%(n)d changed", "%(n)d changed", changed) % {"n": changed})
    if closing := counts.get("closing"):
        parts.append(ngettext("%(n)d closing soon", "%(n)d closing soon", closing)
                     % {"n": closing})
    return parts


def subject_line(digest: Digest) -> str:
    """`3 new tenders, 5 new jobs — Électricité 13` (plus changed / closing counts)."""
    parts = count_words(digest.counts())
    return f"{', '.join(parts) or _('Nothing new')} — {clean(digest.alert_name)}"


def digest_view(digest: Digest, *, calendar: bool | None = None) -> DigestView:
    """What both parts show: sections by kind, each sorted by deadline (soonest first).
    ``calendar``: whether the message holds the deadlines' calendar (default: whether it
    would, any deadline making one)."""
    if calendar is None:
        calendar = ics_calendar([e.listing for e in digest.entries], now=digest.now) is not None
    sections = []
    titles = [("new", "tender", _("New tenders")), ("new", "job", _("New jobs")),
              ("new", "award", _("Contracts to renew")),
              ("changed", None, _("Changed since sent")),
              ("closing", None, _("Closing within %(n)d days") % {"n": CLOSING_SOON_DAYS})]
    for section, kind, title in titles:
        entries = sorted((e for e in digest.entries if e.section == section
                          and (kind is None or e.listing.kind == kind)), key=_sort_key)
        if entries:
            sections.append(SectionView(
                key=f"{section}-{kind}" if kind else section, title=f"{title} ({len(entries)})",
                entries=[entry_view(e, digest.now) for e in entries[:SECTION_LIMIT]],
                more=max(0, len(entries) - SECTION_LIMIT)))
    return DigestView(
        alert_name=clean(digest.alert_name), query=clean(digest.query),
        generated=local(digest.now), subject=subject_line(digest), sections=sections,
        broken_sources=[clean(line) for line in digest.broken_sources], calendar=calendar)


def render_text(view: DigestView) -> str:
    return _env.get_template("digest.txt.j2").render(digest=view)


def render_html(view: DigestView) -> str:
    return _env.get_template("digest.html.j2").render(digest=view)


def csv_attachment(listings: list[ListingRecord]) -> bytes:
    """The CSV a reader opens in a spreadsheet: in French, cells separated by ';' and decimal
    commas; a BOM, without which Excel does not read it as UTF-8."""
    out = io.StringIO(newline="")
    write_csv(listings, out, bom=True, style=spreadsheet_style())
    return out.getvalue().encode("utf-8")


def build_message(digest: Digest, *, sender: str, message_id: str) -> bytes:
    """The complete message, as the bytes the outbox stores and SMTP sends."""
    listings = [e.listing for e in sorted(digest.entries, key=_sort_key)]
    calendar = ics_calendar(listings, now=digest.now)
    view = digest_view(digest, calendar=calendar is not None)
    message = EmailMessage(policy=SMTP)
    message["Subject"] = view.subject
    message["From"] = sender
    message["To"] = ", ".join(digest.recipients)
    message["Date"] = format_datetime(digest.now.astimezone(LOCAL_TZ))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    message.set_content(render_text(view), subtype="plain", charset="utf-8",
                        cte="quoted-printable")
    message.add_alternative(render_html(view), subtype="html", charset="utf-8",
                            cte="quoted-printable")
    message.add_attachment(csv_attachment(listings), maintype="text", subtype="csv",
                           filename="matches.csv", params={"charset": "utf-8"})
    if calendar is not None:  # no deadline, no calendar: an empty one is not valid
        message.add_attachment(calendar, maintype="text", subtype="calendar",
                               filename="deadlines.ics",
                               params={"charset": "utf-8", "method": "PUBLISH"})
    return message.as_bytes()
