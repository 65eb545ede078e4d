"""Buyer and supplier dossiers and the renewal radar, read from the stored awards.

A buyer's or supplier's awards are one index lookup (``ix_listings_buyer_awarded``,
``award_suppliers``); the figures are then summed here in Python, so that SQLite and
PostgreSQL give the very same answers. Renewals are a :class:`Filter` like any search
(``kind:award ends<365d`` plus the user's own query), soonest end first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Text, and_, cast, func, or_, select

from aggregator.config import LOCAL_TZ
from aggregator.query.language import Filter
from aggregator.query.planner import unindexed
from aggregator.query.records import ListingRecord, records
from aggregator.query.sql import search
from aggregator.store.batches import chunks
from aggregator.store.status import status_condition
from aggregator.store.tables import award_suppliers, listing_cpv, listings

RENEWAL_DAYS = 365  # "contracts ending within 12 months"
TOP = 10  # CPV classes and partners shown in a dossier
_DIGITS = re.compile(r"\d[\d ]{8,}\d")
_AWARD_COLUMNS = tuple(listings.c[name] for name in (
    "id", "title", "organization", "buyer_id", "suppliers", "amount", "awarded_at", "ends_at",
    "offers_received", "cpv", "department", "city"))
# what "this buyer before" shows of an award: neither the raw payload nor the details
_PAST_AWARD_COLUMNS = tuple(c for c in listings.columns if c.name not in ("raw", "details"))


@dataclass
class Dossier:
    """A buyer's or a supplier's record, as ``--json`` prints it."""

    kind: str  # "buyer" | "supplier"
    id: str
    name: str
    awards: int = 0
    amount_total: float = 0.0
    by_year: list[dict[str, Any]] = field(default_factory=list)
    cpv: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, Any]] = field(default_factory=list)  # suppliers, or buyers
    places: list[dict[str, Any]] = field(default_factory=list)
    single_bid_rate: float | None = None
    mean_offers: float | None = None
    open_tenders: list[dict[str, Any]] = field(default_factory=list)
    renewals: list[dict[str, Any]] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        partners = "suppliers" if self.kind == "buyer" else "buyers"
        base = {f"{self.kind}_id": self.id, "name": self.name, "awards": self.awards,
                "amount_total": self.amount_total, "by_year": self.by_year, "cpv": self.cpv,
                partners: self.partners}
        if self.kind == "buyer":
            return base | {"single_bid_rate": self.single_bid_rate,
                           "mean_offers": self.mean_offers,
                           "open_tenders": self.open_tenders, "renewals": self.renewals}
        return base | {"places": self.places, "renewals": self.renewals}


def cpv_class(code: str) -> str | None:
    """The CPV class of a code: its first 5 digits ("45310000-3" → "45310")."""
    digits = str(code).strip()[:8]
    return digits[:5] if len(digits) == 8 and digits.isdigit() else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _year(value: datetime | None) -> int | None:
    return value.astimezone(LOCAL_TZ).year if value is not None else None


def _identifier(text: str) -> str | None:
    """The SIRET typed, without its spaces; None when ``text`` is a name."""
    return re.sub(r"\s+", "", text) if _DIGITS.fullmatch(text.strip()) else None


def buyer_name(engine: Engine, buyer_id: str) -> str:
    """The buyer's name: from its newest award that names it (the DECP's own word), else its
    newest tender notice that does, else the SIRET itself."""
    with engine.connect() as conn:
        name = conn.scalar(select(listings.c.organization)
                           .where(listings.c.buyer_id == buyer_id,
                                  listings.c.organization.is_not(None))
                           .order_by(listings.c.kind != "award", listings.c.published_at.desc())
                           .limit(1))
    return name or buyer_id


def find_buyer(engine: Engine, text: str) -> str | None:
    """The SIRET of the buyer ``text`` names (a SIRET, or words of its name: the buyer with
    the most awards among those whose name holds them)."""
    siret = _identifier(text)
    if siret is not None:
        return siret
    with engine.connect() as conn:
        return conn.scalar(
            select(listings.c.buyer_id).where(listings.c.buyer_id.is_not(None),
                                              func.lower(listings.c.organization)
                                              .contains(text.strip().lower()))
            .group_by(listings.c.buyer_id).order_by(func.count().desc(), listings.c.buyer_id)
            .limit(1))


def find_supplier(engine: Engine, text: str) -> str | None:
    """The identifier of the supplier ``text`` names (an identifier, or words of its name)."""
    siret = _identifier(text)
    if siret is not None:
        return siret
    words = text.strip().lower()
    with engine.connect() as conn:
        # names live in the suppliers JSON: read the awards whose text mentions them
        rows = conn.execute(select(listings.c.suppliers).where(
            listings.c.kind == "award", func.lower(cast(listings.c.suppliers, Text))
            .contains(words)).limit(1000))
        found = Counter(s["id"] for (suppliers,) in rows for s in suppliers or ()
                        if s.get("id") and words in str(s.get("name") or "").lower())
    return min(found, key=lambda k: (-found[k], k)) if found else None


def _awards(conn: Connection, condition: Any) -> list[Any]:
    # the buyer's index or the ids are narrower than "every award": keep SQLite off the kind
    kind = unindexed(listings.c.kind, conn.dialect.name)
    return list(conn.execute(select(*_AWARD_COLUMNS).where(
        kind == "award", (listings.c.duplicate_of + 0).is_(None), condition)))


def _summary(dossier: Dossier, rows: list[Any]) -> None:
    years: dict[int | None, list[float]] = {}
    classes: Counter[str] = Counter()
    class_amounts: Counter[str] = Counter()
    for row in rows:
        amount = row.amount or 0.0
        years.setdefault(_year(row.awarded_at), []).append(amount)
        for code in dict.fromkeys(filter(None, map(cpv_class, row.cpv or ()))):
            classes[code] += 1
            class_amounts[code] += amount
    dossier.awards = len(rows)
    dossier.amount_total = round(sum(r.amount or 0.0 for r in rows), 2)
    dossier.by_year = [{"year": year, "awards": len(amounts), "amount": round(sum(amounts), 2)}
                       for year, amounts in sorted(years.items(),
                                                   key=lambda kv: (kv[0] is None, kv[0] or 0))]
    dossier.cpv = [{"class": code, "awards": n, "amount": round(class_amounts[code], 2)}
                   for code, n in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]


def _partners(rows: Iterable[tuple[str, str | None, Any]]) -> list[dict[str, Any]]:
    """(partner id, name, award row) → one entry per partner: wins, amount, last win."""
    found: dict[str, dict[str, Any]] = {}
    for key, name, row in rows:
        entry = found.setdefault(key, {"id": key, "name": name, "wins": 0, "amount": 0.0,
                                       "last_win": None})
        entry["name"] = entry["name"] or name
        entry["wins"] += 1
        entry["amount"] = round(entry["amount"] + (row.amount or 0.0), 2)
        when = _iso(row.awarded_at)
        if when and (entry["last_win"] is None or when > entry["last_win"]):
            entry["last_win"] = when
    return sorted(found.values(), key=lambda e: (-e["wins"], -e["amount"], e["id"]))[:TOP]


def _renewal(row: Any) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "buyer_id": row.buyer_id,
            "ends_at": _iso(row.ends_at), "amount": row.amount,
            "suppliers": [s.get("name") or s.get("id") for s in row.suppliers or ()]}


def _ending(rows: list[Any], now: datetime) -> list[dict[str, Any]]:
    until = now + timedelta(days=RENEWAL_DAYS)
    soon = [r for r in rows if r.ends_at is not None and now < r.ends_at <= until]
    return [_renewal(r) for r in sorted(soon, key=lambda r: (r.ends_at, r.id))]


def buyer_dossier(engine: Engine, buyer_id: str, now: datetime) -> Dossier:
    """Everything the store knows of one buyer's contracts, and its open tenders now."""
    name = buyer_name(engine, buyer_id)
    dossier = Dossier("buyer", buyer_id, name)
    with engine.connect() as conn:
        rows = _awards(conn, listings.c.buyer_id == buyer_id)
        # the notices that give the SIRET first, then those without one that give the name
        # (another SIRET under the same name is another buyer)
        by_siret = listings.c.buyer_id == buyer_id
        names = set(conn.scalars(select(listings.c.organization).distinct()
                                 .where(by_siret, listings.c.organization.is_not(None))
                                 .limit(20))) | {name}
        named = or_(by_siret, and_(listings.c.buyer_id.is_(None),
                                   listings.c.organization.in_(sorted(names))))
        tenders = conn.execute(
            select(listings.c.id, listings.c.title, listings.c.deadline_at, listings.c.buyer_id)
            .where(listings.c.kind == "tender", (listings.c.duplicate_of + 0).is_(None),
                   and_(status_condition("open", now)), named)
            .order_by(listings.c.buyer_id.is_(None), listings.c.deadline_at.is_(None),
                      listings.c.deadline_at, listings.c.id)
            .limit(50))
        dossier.open_tenders = [{"id": t.id, "title": t.title, "deadline_at": _iso(t.deadline_at),
                                 "matched_by": "siret" if t.buyer_id else "name"}
                                for t in tenders]
    _summary(dossier, rows)
    dossier.partners = _partners((s.get("id") or s.get("name"), s.get("name"), row)
                                 for row in rows for s in row.suppliers or ()
                                 if s.get("id") or s.get("name"))
    offers = [r.offers_received for r in rows if r.offers_received]
    if offers:
        dossier.single_bid_rate = round(sum(1 for n in offers if n == 1) / len(offers), 4)
        dossier.mean_offers = round(sum(offers) / len(offers), 2)
    dossier.renewals = _ending(rows, now)
    return dossier


def supplier_dossier(engine: Engine, supplier_id: str, now: datetime) -> Dossier:
    """A supplier's wins: buyers, amounts, places, CPV classes, contracts ending soon."""
    with engine.connect() as conn:
        # the ids first: SQLite would otherwise read every award and probe the subquery
        won = list(conn.scalars(select(award_suppliers.c.listing_id)
                                .where(award_suppliers.c.supplier_id == supplier_id)))
        rows = [row for chunk in chunks(won) for row in _awards(conn, listings.c.id.in_(chunk))]
    names = Counter(s.get("name") for r in rows for s in r.suppliers or ()
                    if s.get("id") == supplier_id and s.get("name"))
    dossier = Dossier("supplier", supplier_id, names.most_common(1)[0][0] if names
                      else supplier_id)
    _summary(dossier, rows)
    dossier.partners = _partners((r.buyer_id, r.organization, r) for r in rows if r.buyer_id)
    places = Counter(r.department for r in rows if r.department)
    dossier.places = [{"department": d, "awards": n}
                      for d, n in sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]
    dossier.renewals = _ending(rows, now)
    return dossier


def renewals(engine: Engine, filter: Filter, within: timedelta,
             now: datetime) -> list[ListingRecord]:
    """Awards matching ``filter`` whose end falls within ``within`` from now, soonest first."""
    wanted = replace(filter, kind="award", ending_within=within, sort=filter.sort or "ends")
    return search(engine, wanted, now=now)


def past_awards(engine: Engine, buyer_id: str | None, organization: str | None,
                cpv: Iterable[str], limit: int = 5) -> list[ListingRecord]:
    """The buyer's past awards in the tender's CPV class (5 digits), else in its division
    (2 digits): "this buyer before". Newest first."""
    codes = [c for c in (cpv_class(code) for code in cpv) if c]
    if not codes or not (buyer_id or organization):
        return []
    # a tender seldom carries the SIRET: its buyer's name, in any case, then stands for it
    who = listings.c.buyer_id == buyer_id if buyer_id else \
        func.lower(listings.c.organization) == (organization or "").strip().lower()
    with engine.connect() as conn:
        for width in (5, 2):
            prefixes = sorted({c[:width] for c in codes})
            coded = select(listing_cpv.c.listing_id).where(or_(*(
                listing_cpv.c.code.between(p.ljust(8, "0"), p.ljust(8, "9")) for p in prefixes)))
            query = (select(*_PAST_AWARD_COLUMNS)
                     .where(listings.c.kind == "award", who,
                            listings.c.id.in_(coded.scalar_subquery()))
                     .order_by(listings.c.awarded_at.desc().nulls_last(), listings.c.id.desc())
                     .limit(limit))
            found = records(conn.execute(query))
            if found:
                return found
    return []
