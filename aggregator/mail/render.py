"""A digest as an e-mail: text and HTML parts (Jinja2), the matches as CSV, their deadlines
as iCalendar.

Listing text is untrusted. Every value is prepared here as plain text with control
characters and terminal escapes removed; the HTML template is autoescaped (``<script>``
shows as text), links are kept only when they are http(s). The text and HTML parts show
the same view, built once by ``digest_view``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from aggregator.export import ics_calendar, write_csv
from aggregator.normalize.text import strip_controls

if TYPE_CHECKING:
    from aggregator.mail.digests import Digest, Entry
    from aggregator.store.models import Listing

TEMPLATES = Path(__file__).resolve().parent / "templates"
CLOSING_DAYS = 7
# A first digest of a broad search can hold thousands of listings: the body shows the soonest
# of each section, the CSV and calendar attachments hold them all (about 1.3 KB per listing).
SECTION_LIMIT = 100
_CONTRACTS = {"cdi": "CDI", "cdd": "CDD", "interim": "Interim", "freelance": "Freelance",
              "internship": "Internship", "apprenticeship": "Apprenticeship", "other": "Other"}
_KIND_PLURAL = {"tender": ("tender", "tenders"), "job": ("job", "jobs")}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False,
                                 default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def clean(value: object) -> str:
    """Untrusted text as one harmless line: no control characters, no terminal escapes."""
    if value is None:
        return ""
    return " ".join(strip_controls(str(value)).split())


def web_url(url: str | None) -> str | None:
    """Only http(s) links become links (no ``javascript:``, ``data:``...)."""
    url = clean(url)
    return url if url.lower().startswith(("https://", "http://")) else None


def local_text(when: datetime | None, tz: tzinfo, with_time: bool = True) -> str:
    if when is None:
        return ""
    return when.astimezone(tz).strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def days_left(deadline: datetime, now: datetime, tz: tzinfo) -> int:
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days


def days_left_text(deadline: datetime, now: datetime, tz: tzinfo) -> str:
    if deadline < now:
        return "passed"
    left = days_left(deadline, now, tz)
    return "today" if left <= 0 else "1 day left" if left == 1 else f"{left} days left"


def place_text(listing: Listing) -> str:
    city = clean(listing.city)
    if listing.department:
        return f"{city} ({clean(listing.department)})" if city else clean(listing.department)
    if listing.country and listing.country != "FR":
        return f"{city}, {clean(listing.country)}" if city else clean(listing.country)
    return city


def terms_text(listing: Listing) -> str:
    if listing.kind == "job":
        parts = [_CONTRACTS.get(listing.contract_type or "", clean(listing.contract_type))]
        if listing.working_time:
            parts.append(clean(listing.working_time).replace("_", " "))
        return ", ".join(p for p in parts if p)
    codes = [clean(c) for c in (listing.cpv or [])]
    if not codes:
        return ""
    shown = ", ".join(codes[:4])
    return f"CPV {shown}" + (f" (+{len(codes) - 4})" if len(codes) > 4 else "")


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
    status: str
    terms: str
    url: str | None
    sources: list[SourceView]
    change: str


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


def _change_text(entry: Entry, tz: tzinfo) -> str:
    if not entry.previous:
        return ""
    listing, notes = entry.changed or entry.listing, []
    before = entry.previous.get("deadline_at")
    if before != listing.deadline_at:
        notes.append(f"deadline {local_text(before, tz) or 'none'} → "
                     f"{local_text(listing.deadline_at, tz) or 'none'}")
    if entry.previous.get("status") != listing.status:
        notes.append(f"status {clean(entry.previous.get('status'))} → {clean(listing.status)}")
    return "; ".join(notes)


def entry_view(entry: Entry, now: datetime, tz: tzinfo) -> EntryView:
    listing = entry.listing
    deadline = listing.deadline_at
    left = ""
    urgent = False
    if deadline is not None and listing.status == "open":
        left = days_left_text(deadline, now, tz)
        urgent = now <= deadline and days_left(deadline, now, tz) <= CLOSING_DAYS
    return EntryView(
        kind=listing.kind, title=clean(listing.title), organization=clean(listing.organization),
        place=place_text(listing),
        deadline=local_text(deadline, tz, with_time=listing.deadline_time_given is not False),
        days_left=left, urgent=urgent, status=clean(listing.status), terms=terms_text(listing),
        url=web_url(listing.url),
        sources=[SourceView(clean(m.source), web_url(m.url))
                 for m in (listing, *entry.members)],
        change=_change_text(entry, tz))


def _sort_key(entry: Entry) -> tuple[Any, ...]:
    deadline = entry.listing.deadline_at
    return (deadline is None, deadline or datetime.max, clean(entry.listing.title).lower(),
            entry.listing.id)


def _count(n: int, kind: str) -> str:
    one, many = _KIND_PLURAL.get(kind, (kind, kind + "s"))
    return f"{n} new {one if n == 1 else many}"


def subject_line(digest: Digest) -> str:
    """`3 new tenders, 5 new jobs — Électricité 13` (plus changed / closing counts)."""
    parts = []
    new = [e for e in digest.entries if e.section == "new"]
    for kind in ("tender", "job"):
        n = sum(1 for e in new if e.listing.kind == kind)
        if n:
            parts.append(_count(n, kind))
    changed = sum(1 for e in digest.entries if e.section == "changed")
    closing = sum(1 for e in digest.entries if e.section == "closing")
    if changed:
        parts.append(f"{changed} changed")
    if closing:
        parts.append(f"{closing} closing soon")
    return f"{', '.join(parts) or 'Nothing new'} — {clean(digest.alert_name)}"


def digest_view(digest: Digest, tz: tzinfo) -> DigestView:
    """What both parts show: sections by kind, each sorted by deadline (soonest first)."""
    sections = []
    titles = [("new", "tender", "New tenders"), ("new", "job", "New jobs"),
              ("changed", None, "Changed since sent"),
              ("closing", None, f"Closing within {CLOSING_DAYS} days")]
    for section, kind, title in titles:
        entries = sorted((e for e in digest.entries if e.section == section
                          and (kind is None or e.listing.kind == kind)), key=_sort_key)
        if entries:
            sections.append(SectionView(
                key=f"{section}-{kind}" if kind else section, title=f"{title} ({len(entries)})",
                entries=[entry_view(e, digest.now, tz) for e in entries[:SECTION_LIMIT]],
                more=max(0, len(entries) - SECTION_LIMIT)))
    return DigestView(
        alert_name=clean(digest.alert_name), query=clean(digest.query),
        generated=local_text(digest.now, tz), subject=subject_line(digest), sections=sections,
        broken_sources=[clean(line) for line in digest.broken_sources])


def render_text(view: DigestView) -> str:
    return _env.get_template("digest.txt.j2").render(digest=view)


def render_html(view: DigestView) -> str:
    return _env.get_template("digest.html.j2").render(digest=view)


def csv_attachment(listings: list[Listing]) -> bytes:
    out = io.StringIO(newline="")
    write_csv(listings, out, bom=True)  # a BOM: Excel reads the attachment as UTF-8
    return out.getvalue().encode("utf-8")


def build_message(digest: Digest, *, sender: str, message_id: str, tz: tzinfo) -> bytes:
    """The complete message, as the bytes the outbox stores and SMTP sends."""
    view = digest_view(digest, tz)
    listings = [e.listing for e in sorted(digest.entries, key=_sort_key)]
    message = EmailMessage(policy=SMTP)
    message["Subject"] = view.subject
    message["From"] = sender
    message["To"] = ", ".join(digest.recipients)
    message["Date"] = format_datetime(digest.now.astimezone(tz))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    message.set_content(render_text(view), subtype="plain", charset="utf-8",
                        cte="quoted-printable")
    message.add_alternative(render_html(view), subtype="html", charset="utf-8",
                            cte="quoted-printable")
    message.add_attachment(csv_attachment(listings), maintype="text", subtype="csv",
                           filename="matches.csv", params={"charset": "utf-8"})
    message.add_attachment(ics_calendar(listings, now=digest.now, tz=tz), maintype="text",
                           subtype="calendar", filename="deadlines.ics",
                           params={"charset": "utf-8", "method": "PUBLISH"})
    return message.as_bytes()
