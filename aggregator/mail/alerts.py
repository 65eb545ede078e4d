"""Saved searches: a name, a query in the filter's compact text form, recipients, a rhythm.

What an alert may hold, checked here before ``aggregator.store.alerts`` stores it; when it is
due; what its query matches. Building and sending digests is ``digests``' job. A query is
checked by ``aggregator.query`` (the one filter model) when the alert is added or edited, so
a bad query is refused then, with the parser's reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time, timedelta, tzinfo
from email.utils import getaddresses
from typing import Any

from sqlalchemy import Engine

from aggregator.i18n import N_, WrittenForms, _
from aggregator.normalize.text import strip_controls
from aggregator.store.alerts import AlertError, save_alert, update_alert
from aggregator.store.models import Alert

EVERY_CHOICES = ("daily", "weekly")
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
# One address: no spaces, quotes, brackets or separators (they would let a header be forged);
# the domain part ASCII (an IDN can be written in its xn-- form).
NAME_MAX = 80


# --- The filter model (aggregator.query) -------------------------------------------------------

def parse_query(text: str) -> Any:
    """The query's Filter; AlertError with the parser's reason when it is not valid."""
    from aggregator.query import Filter

    try:
        parsed = Filter.parse(text)
        parsed.validate()
    except ValueError as exc:  # FilterError: names the unknown key or bad value
        raise AlertError(f"invalid query {text!r}: {exc}") from None
    return parsed


def canonical_query(text: str) -> str:
    """The compact form as the filter model writes it back (what the alert stores)."""
    return parse_query(text).to_text()


def matching(engine: Engine, text: str, now: datetime) -> Iterator[int]:
    """The ids of every listing the query matches at ``now`` (no page limit), read in batches
    through aggregator.query: one per duplicate group, the listing that stands for it."""
    from aggregator.query import stream
    from aggregator.store.tables import listings

    filter = parse_query(text).page(0, None)
    return (row.id for row in stream(engine, filter, now=now, columns=(listings.c.id,)))


# --- Validation ---------------------------------------------------------------------------------

def _printable(text: str) -> bool:
    """No control character, bidirectional control nor line break (a new header)."""
    return strip_controls(text) == text and not any(c in text for c in "\r\n\t")


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX or not _printable(name) or name.startswith("-"):
        raise AlertError(f"an alert name is 1 to {NAME_MAX} printable characters, not "
                         f"starting with '-': {name!r}")
    return name


def parse_recipients(value: str | Iterable[str]) -> list[str]:
    """``a@x.fr, Jean Dupont <jean@example.fr>`` (or a list of such texts) → the recipients,
    each checked (email-validator, no DNS) and written ``Name <address>`` when it has a
    display name; duplicates (the same address) removed."""
    texts = [value] if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for text in texts:
        if not text.strip(" ,"):
            continue
        for name, address in getaddresses([text]):
            seen.setdefault(*_recipient(name, address, text))
    if not seen:
        raise AlertError(_("an alert needs at least one recipient (--to ADDR[,ADDR])"))
    return list(seen.values())


# email-validator's reasons for the mistakes people make typing an address (others are
# shown as it writes them)
_EMAIL_PROBLEMS = WrittenForms((
    (r"An email address must have an @-sign\.", N_("no @")),
    (r"There must be something before the @-sign\.", N_("nothing before the @")),
    (r"There must be something after the @-sign\.", N_("nothing after the @")),
    (r"The email address contains invalid characters before the @-sign: (?P<chars>.+)\.",
     N_("characters not allowed before the @: %(chars)s")),
    (r"The part after the @-sign contains invalid characters: (?P<chars>.+)\.",
     N_("characters not allowed after the @: %(chars)s")),
    (r"An email address cannot have two periods in a row\.", N_("two dots in a row")),
    (r"An email address cannot end with a period\.", N_("a dot at the end")),
    (r"An email address cannot have a period immediately before the @-sign\.",
     N_("a dot just before the @")),
    (r"The part after the @-sign is a special-use or reserved name that cannot be used with "
     r"email\.", N_("the part after the @ is a reserved name")),
), parts={"chars": lambda chars: chars.replace("SPACE", _("space"))})


def _recipient(name: str, address: str, text: str) -> tuple[str, str]:
    """(the address folded for comparison, the recipient as stored)."""
    from email.headerregistry import Address

    from email_validator import EmailNotValidError, validate_email

    if not address or not _printable(text):  # (a line break would add a header)
        raise AlertError(_("not an e-mail address: %(text)r") % {"text": text})
    try:
        checked = validate_email(address, check_deliverability=False,
                                 globally_deliverable=False)  # a local server is fine
    except EmailNotValidError as exc:
        raise AlertError(_("not an e-mail address: %(address)r (%(reason)s)") % {
            "address": address, "reason": _EMAIL_PROBLEMS.say(str(exc))}) from None
    recipient = str(Address(display_name=name.strip(), addr_spec=checked.normalized))
    return checked.normalized.lower(), recipient


def check_every(value: str) -> str:
    """``daily``, ``weekly`` or ``HH:MM`` (every day at that local time)."""
    value = value.strip().lower()
    if value in EVERY_CHOICES or _HHMM.fullmatch(value):
        return value
    raise AlertError(_("--every is daily, weekly or HH:MM (24-hour local time), not %(value)r")
                     % {"value": value})


def last_slot(every: str, now: datetime, tz: tzinfo) -> datetime:
    """The latest instant at or before ``now`` when an alert with this rhythm falls due."""
    local = now.astimezone(tz)
    match = _HHMM.fullmatch(every)
    at = time(int(match[1]), int(match[2])) if match else time(0, 0)
    slot = datetime.combine(local.date(), at, tzinfo=tz)
    if slot > local:
        slot = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
    return slot.astimezone(UTC)


def is_due(alert: Alert, now: datetime, tz: tzinfo) -> bool:
    """Daily: once per local day; weekly: 7 local days after the last run; HH:MM: once the
    day's HH:MM has passed. A run that failed does not count, so the alert stays due."""
    if alert.last_run_at is None:
        return True
    if alert.every == "weekly":
        last = alert.last_run_at.astimezone(tz).date()
        return (now.astimezone(tz).date() - last).days >= 7
    return alert.last_run_at < last_slot(alert.every, now, tz)


# --- Adding and changing ---------------------------------------------------------------------

def add_alert(engine: Engine, name: str, query: str, recipients: str | Iterable[str],
              every: str = "daily", *, now: datetime | None = None) -> Alert:
    return save_alert(engine, name=check_name(name), query=canonical_query(query),
                      recipients=parse_recipients(recipients), every=check_every(every),
                      now=now or datetime.now(UTC))


def edit_alert(engine: Engine, name: str, *, new_name: str | None = None,
               query: str | None = None, recipients: str | Iterable[str] | None = None,
               every: str | None = None, now: datetime | None = None) -> Alert:
    """Change what is given; what the alert has already sent stays sent."""
    changes: dict[str, Any] = {}
    if new_name is not None:
        changes["name"] = check_name(new_name)
    if query is not None:
        changes["query"] = canonical_query(query)
    if recipients is not None:
        changes["recipients"] = parse_recipients(recipients)
    if every is not None:
        changes["every"] = check_every(every)
    if not changes:
        raise AlertError("nothing to change: give --name, --query, --to or --every")
    return update_alert(engine, name, changes, now=now or datetime.now(UTC))
