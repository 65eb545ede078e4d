"""The fields of an award (a notified contract or concession, DECP) as the store keeps them.

DECP files are written by hundreds of buyer platforms and many deviate from the schema:
dates with a time-zone suffix (``2019-02-07+01:00``) or a mistyped year (``0218-10-29``),
identifiers with spaces or too few digits, text decoded with the wrong charset. What can be
repaired is; what cannot makes the record fail with a reason (``NormalizationError``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aggregator.normalize.dates import parse_datetime
from aggregator.normalize.lost_letters import restore_lost_letters
from aggregator.normalize.salary import read_amount
from aggregator.normalize.text import clean_text

# "0218-10-29": the year's first two digits swapped, a typo that really circulates
_SWAPPED_YEAR = re.compile(r"^02(\d\d)(-\d\d-\d\d.*)$")
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]")


class AwardError(ValueError):
    """The record cannot be an award; the message is the drop reason."""


def repair_text(value: object) -> str | None:
    """One line of text; UTF-8 read as Latin-1 ("RÃ©novation") turned back into "Rénovation",
    letters the source replaced by U+FFFD put back where only one fits ("am�lioration")."""
    text = clean_text(value, multiline=False)
    if text and _MOJIBAKE.search(text):
        with contextlib.suppress(UnicodeError):  # not mojibake after all: keep it as it is
            text = text.encode("cp1252").decode("utf-8")
    return restore_lost_letters(text) if text else text


def award_date(value: object, tz: str) -> tuple[datetime | None, bool]:
    """(the instant, whether it was repaired); (None, False) when missing, AwardError when
    unreadable."""
    if value in (None, ""):
        return None, False
    parsed = parse_datetime(value, tz=tz)
    if parsed is not None:
        return parsed, False
    swapped = _SWAPPED_YEAR.match(str(value).strip())
    if swapped:
        parsed = parse_datetime(f"20{swapped.group(1)}{swapped.group(2)}", tz=tz)
        if parsed is not None:
            return parsed, True
    raise AwardError("unreadable awarded_at")


def identifier(value: object) -> str | None:
    """A SIRET (or other identifier) as given, without its spaces; None when empty."""
    if value is None or isinstance(value, bool):
        return None
    text = re.sub(r"\s+", "", str(value))
    return text or None


def _months(value: object) -> int | None:
    number = read_amount(value)
    return round(number) if number is not None and number < 1200 else None


def _count(value: object) -> int | None:
    number = read_amount(value)
    return int(number) if number is not None and number == int(number) else None


def suppliers(raw: object) -> list[dict[str, Any]]:
    """``[{id, id_type, name}]`` from the spider's list, duplicates removed."""
    found: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for supplier in raw if isinstance(raw, list) else []:
        if not isinstance(supplier, Mapping):
            continue
        entry = {"id": identifier(supplier.get("id")),
                 "id_type": repair_text(supplier.get("id_type")),
                 "name": repair_text(supplier.get("name"))}
        if entry["id"] or entry["name"]:
            found.setdefault((entry["id"], entry["name"]), entry)
    return list(found.values())


def ends_at(awarded: datetime | None, months: int | None) -> datetime | None:
    """When the contract ends: notification + duration."""
    if awarded is None or months is None:
        return None
    from dateutil.relativedelta import relativedelta

    return awarded + relativedelta(months=months)


def award_fields(item: Mapping[str, Any], tz: str) -> dict[str, Any]:
    """The award columns of ``item``; amendments applied (the latest amount and duration
    stated win) and listed, oldest first, under ``amendments``."""
    awarded, repaired = award_date(item.get("awarded_at"), tz)
    amount = read_amount(item.get("amount"))
    months = _months(item.get("duration_months"))
    amendments = []
    for change in item.get("amendments") or ():
        if not isinstance(change, Mapping):
            continue
        when, _ = award_date(change.get("date"), tz) if change.get("date") else (None, False)
        entry = {"date": when.isoformat() if when else None,
                 "amount": read_amount(change.get("amount")),
                 "duration_months": _months(change.get("duration_months")),
                 "object": repair_text(change.get("object"))}
        amendments.append(entry)
    amendments.sort(key=lambda a: a["date"] or "")
    initial = {"amount": amount, "duration_months": months}
    for change in amendments:
        amount = change["amount"] if change["amount"] is not None else amount
        months = change["duration_months"] if change["duration_months"] is not None else months
    return {
        "buyer_id": identifier(item.get("buyer_id")),
        "suppliers": suppliers(item.get("suppliers")),
        "amount": amount,
        "awarded_at": awarded,
        "duration_months": months,
        "ends_at": ends_at(awarded, months),
        "nature": repair_text(item.get("nature")),
        "offers_received": _count(item.get("offers_received")),
        "amendments": amendments,
        "initial": initial,
        "repaired": ["awarded_at"] if repaired else [],
    }
