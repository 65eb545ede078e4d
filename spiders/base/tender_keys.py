"""The keys that tell the same tender published by two sources (``Listing.match_keys``).

The store links listings of *different* sources that share any key (the oldest stands for
the group), so a key must be equal on both sides and specific to one procedure:

- ``eforms-notice:<uuid>`` — BT-701, the notice UUID. A BOAMP notice of family JOUE is the
  very eForms notice TED publishes: BOAMP's ``donnees.EFORMS.*.cbc:ID`` is TED's
  ``notice-identifier``.
- ``eforms-procedure:<uuid>`` — BT-04 ``cbc:ContractFolderID`` (BOAMP ``contractfolderid``,
  TED ``procedure-identifier``): every notice of one procedure carries it.
- ``tender:<deadline day>|<buyer>|<title>`` — the fallback when a source gives no eForms
  identifier (legacy forms, OCDS feeds): the deadline's local calendar day, folded buyer
  name and folded title (the day first, so a cut at the column's length keeps it). Each
  side must build it from the same eForms fields (buyer's official name, BT-21 title),
  which both spiders do.

This module is the only place that builds them.
"""

from __future__ import annotations

import re

from aggregator.normalize.folding import fold

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
MAX_KEY = 300  # listing_keys.key is VARCHAR(300)


def _identifier(value: object) -> str | None:
    text = str(value).strip() if value not in (None, "") else ""
    if not text:
        return None
    # eForms identifiers are UUIDs, which sources write in either case.
    return text.lower() if _UUID.match(text) else text


def deadline_day(value: object) -> str | None:
    """The local calendar day of a raw deadline: ``"2026-09-22+02:00"``,
    ``"2026-09-22T12:00:00+02:00"``, ``["2026-09-22+02:00", "12:00:00+02:00"]``."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    match = _DAY.match(str(value).strip()) if value not in (None, "") else None
    return match.group(0) if match else None


def tender_match_keys(*, notice_id: object = None, procedure_id: object = None,
                      buyer: str | None = None, title: str | None = None,
                      deadline: object = None) -> list[str]:
    """The match keys of one tender, most specific first."""
    keys = []
    if notice := _identifier(notice_id):
        keys.append(f"eforms-notice:{notice}")
    if procedure := _identifier(procedure_id):
        keys.append(f"eforms-procedure:{procedure}")
    day = deadline_day(deadline)
    folded_buyer, folded_title = fold(buyer or ""), fold(title or "")
    if folded_buyer and folded_title and day:
        keys.append(f"tender:{day}|{folded_buyer}|{folded_title}")
    return [key[:MAX_KEY] for key in keys]
