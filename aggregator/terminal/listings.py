"""Listings in the terminal: the results table and the detail of one listing, as Rich
renderables shared by the CLI and the TUI. Listing text goes through ``safe()``: data, never
markup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from aggregator.i18n import N_, _, number
from aggregator.presentation import (
    DATE,
    PLACE_CODE,
    Pay,
    ShownListing,
    amount_text,
    closing_soon,
    cpv_labels,
    deadline_text,
    descriptor_texts,
    kind_label,
    kind_short,
    local,
    money,
    organization_text,
    place,
    place_in_full,
    place_source,
    procedure_label,
    salary_text,
    source_files,
    status_label,
    terms,
    winners,
)
from aggregator.terminal.console import console, safe
from aggregator.terminal.fit import Column, fitted_table


class TableListing(ShownListing, Protocol):
    """What a row of the listings table shows (the stored row is one)."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def organization(self) -> str | None: ...
    @property
    def source(self) -> str: ...


class DetailedListing(TableListing, Pay, Protocol):
    """What a listing's detail shows (the stored row is one)."""

    @property
    def source_id(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def postal_code(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def published_at(self) -> datetime: ...
    @property
    def first_seen_at(self) -> datetime: ...
    @property
    def last_seen_at(self) -> datetime: ...
    @property
    def procedure(self) -> str | None: ...
    @property
    def estimated_value(self) -> float | None: ...
    @property
    def currency(self) -> str | None: ...
    @property
    def lots(self) -> Sequence[dict[str, Any]]: ...
    @property
    def suppliers(self) -> list[dict[str, str | None]] | None: ...
    @property
    def amount(self) -> float | None: ...
    @property
    def awarded_at(self) -> datetime | None: ...
    @property
    def ends_at(self) -> datetime | None: ...
    @property
    def details(self) -> dict[str, Any]: ...


class Change(Protocol):
    """One recorded change of a listing's field (``store.models.ListingChange``)."""

    @property
    def changed_at(self) -> datetime: ...
    @property
    def field(self) -> str: ...
    @property
    def old_value(self) -> Any: ...
    @property
    def new_value(self) -> Any: ...


class Detail(Protocol):
    """A listing with the other sources of its duplicate group and their changes
    (``query.ListingDetail``)."""

    @property
    def listing(self) -> DetailedListing: ...
    @property
    def sources(self) -> Sequence[DetailedListing]: ...
    @property
    def changes(self) -> Sequence[Change]: ...
    @property
    def buyer_before(self) -> Sequence[Any]: ...  # past awards (store rows)

# Optional columns, dropped first to last when the table does not fit (id, title, place and
# deadline always stay, but a deadline column with nothing in it), each with the width below
# which it is dropped anyway so that the title keeps room to read.
_OPTIONAL_COLUMNS = (("source", 130), ("contract/CPV", 112), ("kind", 96),
                     ("organisation", 88))
TITLE_MIN = 30  # optional columns are dropped before the title gets narrower
# a place's name is kept on one line up to this width ("La Penne-sur-Huveaune"), its
# department or country code may go below it
PLACE_NAME_MAX = 24
_DEADLINE_ROOM = 16 + 3  # the deadline column's least width, its padding and rule
# what each column and field is called where a person reads it
HEADINGS = {"id": N_("id"), "kind": N_("kind"), "title": N_("title"),
            "organisation": N_("organisation"), "place": N_("place"),
            "deadline": N_("deadline"), "contract/CPV": N_("contract/CPV"),
            "source": N_("source"), "status": N_("status"), "published": N_("published"),
            "seen": N_("seen"), "contract": N_("contract"), "salary": N_("salary"),
            "CPV": N_("CPV"), "descriptors": N_("descriptors"), "procedure": N_("procedure"),
            "estimated value": N_("estimated value"), "url": N_("url"), "files": N_("files"),
            "suppliers": N_("suppliers"), "amount": N_("amount"), "awarded": N_("awarded"),
            "ends": N_("ends"), "city": N_("city"), "postal code": N_("postal code"),
            "department": N_("department"), "region": N_("region"), "country": N_("country"),
            "remote": N_("remote"), "lowest salary": N_("lowest salary"),
            "highest salary": N_("highest salary"),
            "duration in months": N_("duration in months")}


def heading(name: str) -> str:
    """A column's or field's name in the reader's language."""
    return _(HEADINGS[name]) if name in HEADINGS else name
_COLUMNS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("id", {"options": {"justify": "right"}}), ("kind", {}),
    ("title", {"options": {"ratio": 3}, "wraps": True, "least": TITLE_MIN}),
    ("organisation", {"options": {"ratio": 2}, "wraps": True}),
    ("place", {"options": {"ratio": 1}, "wraps": True}),
    # "04/12/2026 15:00" above its countdown when even the narrowest table is too wide
    ("deadline", {"wraps_last": True, "least": 16}), ("contract/CPV", {}), ("source", {}))


def deadline_cell(listing: ShownListing) -> Text:
    return safe(deadline_text(listing), style="bold red" if closing_soon(listing) else "")


class WhyLines(Protocol):
    """Why a listing matched (``query.why.Why``): labelled lines of (text, matched) pieces."""

    def lines(self) -> list[tuple[str, list[tuple[str, bool]]]]: ...


def why_text(why: WhyLines) -> Text:
    """Why a listing matched, a part a line, the matched words in bold."""
    out = Text(style="dim")
    for index, (label, pieces) in enumerate(why.lines()):
        if index:
            out.append("\n")
        out.append(f"{label} ", style="italic")
        for piece, matched in pieces:
            out.append_text(safe(piece, style="bold yellow" if matched else ""))
    return out


def _title_cell(listing: TableListing, why: WhyLines | None) -> Text:
    title = safe(listing.title)
    if why is not None and why.lines():
        title.append("\n")
        title.append_text(why_text(why))
    return title


def listings_table(listings: Sequence[TableListing], width: int | None = None,
                   why: dict[int, WhyLines] | None = None) -> Table:
    """The results table for a terminal ``width`` wide: the optional columns that do not
    fit are left out, least useful first, so that no word has to be split. With ``why``
    (listing id → why it matched), that under each title."""
    width = width or console.width
    rows = [{"id": Text(str(listing.id)), "kind": safe(kind_short(listing.kind)),
             "title": _title_cell(listing, why.get(listing.id) if why else None),
             "organisation": safe(organization_text(listing)),
             "place": safe(place(listing)), "deadline": deadline_cell(listing),
             "contract/CPV": safe(terms(listing)), "source": safe(listing.source)}
            for listing in listings]
    names = max((cell_len(PLACE_CODE.sub("", row["place"].plain)) for row in rows), default=0)
    columns = [Column(name, heading(name), **spec) for name, spec in _COLUMNS]
    columns = [replace(column, prefers=min(names, PLACE_NAME_MAX)) if column.name == "place"
               else column for column in columns]
    optional = _OPTIONAL_COLUMNS
    if rows and not any(row["deadline"].plain for row in rows):
        # a page of jobs or awards: no deadline column, its room to the employer or buyer
        columns = [column for column in columns if column.name != "deadline"]
        optional = tuple((name, below - _DEADLINE_ROOM if name == "organisation" else below)
                         for name, below in optional)
    return fitted_table(columns, rows, width, optional, expand=True, pad_edge=False)


def _field_rows(listing: DetailedListing) -> list[tuple[str, str]]:
    rows = [("kind", kind_label(listing.kind)), ("status", status_label(listing.status)),
            ("organisation", organization_text(listing))]
    where = place_in_full(listing, listing.postal_code)
    source = place_source(listing.details)
    if where and source:
        where = _("%(place)s (from %(source)s)") % {"place": where, "source": source}
    rows.append(("place", where))
    rows.append(("deadline", deadline_text(listing) + (
        " " + _("(date only)") if listing.deadline_at and listing.deadline_time_given is False
        else "")))
    if listing.deadline_at is None and (details := listing.details or {}).get("valid_through"):
        # a date too far off to be one (normalize.listing.LONGEST_JOB_VALIDITY)
        rows.append(("deadline", _("none (the offer says it is valid until %(day)s)") % {
            "day": local(datetime.fromisoformat(details["valid_through"]), DATE)}))
    rows.append(("published", local(listing.published_at)))
    rows.append(("seen", f"{local(listing.first_seen_at)} → {local(listing.last_seen_at)}"))
    if listing.kind == "job":
        rows.append(("contract", terms(listing, full=True)))
        rows.append(("salary", salary_text(listing)))
    else:
        rows.append(("CPV", "\n".join(cpv_labels(listing.cpv))))
        rows.append(("descriptors", "\n".join(descriptor_texts(listing.details))))
        if listing.procedure:
            rows.append(("procedure", procedure_label(listing.procedure)))
        if listing.estimated_value:
            rows.append(("estimated value", money(listing.estimated_value, listing.currency)))
    if listing.kind == "award":  # who won it, for how much, until when
        rows.append(("suppliers", winners(listing.suppliers, ids=True, sep="\n")))
        rows.append(("amount", amount_text(listing.amount)))
        rows.append(("awarded", local(listing.awarded_at, DATE) if listing.awarded_at else ""))
        rows.append(("ends", local(listing.ends_at, DATE) if listing.ends_at else ""))
    rows.append(("source", f"{listing.source} {listing.source_id}"))
    rows.append(("url", listing.url))
    rows.append(("files", "\n".join(source_files(listing.details))))
    return [(k, v) for k, v in rows if v]


# the heading of each field whose changes a listing's history records
# (store.writer.TRACKED_FIELDS), where the column's name is not it
CHANGED_FIELDS = {"organization": "organisation", "deadline_at": "deadline",
                  "postal_code": "postal code", "contract_type": "contract", "cpv": "CPV",
                  "estimated_value": "estimated value", "salary_min": "lowest salary",
                  "salary_max": "highest salary", "duration_months": "duration in months",
                  "ends_at": "ends"}


def _change_value(field: str, value: Any) -> str:
    """A recorded value as the listing shows it: dates local, numbers as the language writes
    them, a status or suppliers in words."""
    if value is None:
        return "—"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+\+00:00", value):
        return local(datetime.fromisoformat(value))
    if field == "status":
        return status_label(value)
    if field == "suppliers" and isinstance(value, list):
        return winners(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):  # an award's amount is in euros (DECP)
        return amount_text(value) if field == "amount" else number(value)
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)


def buyer_before_table(awards: Sequence[Any]) -> Table:
    """"This buyer before": its past awards in the tender's CPV class, winners and amounts."""
    table = Table(title=_("This buyer before"), title_justify="left", expand=True)
    for column in (_("awarded"), _("title"), _("winners"), _("amount")):
        table.add_column(column, overflow="fold")
    for award in awards:
        table.add_row(safe(local(award.awarded_at, "%d/%m/%Y") if award.awarded_at else ""),
                      safe(award.title), safe(winners(award.suppliers)),
                      safe(amount_text(award.amount)))
    return table


def detail_renderable(detail: Detail, why: WhyLines | None = None) -> Group:
    """One listing in full; with ``why``, why it matched the filter, under its title."""
    listing = detail.listing
    header = safe(listing.title, style="bold")
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="dim", no_wrap=True)
    fields.add_column(overflow="fold")
    for name, value in _field_rows(listing):
        cell = deadline_cell(listing) if name == "deadline" and listing.deadline_at \
            else safe(value)
        fields.add_row(heading(name), cell)
    parts: list[RenderableType] = [header]
    if why is not None and why.lines():
        parts.append(Panel(why_text(why), title=_("Why it matched"), title_align="left"))
    parts.append(fields)
    if listing.lots:
        lots = Table(title=_("Lots"), title_justify="left", expand=True)
        for column in (_("lot"), _("title"), _("deadline"), _("CPV")):
            lots.add_column(column, overflow="fold")
        for lot in listing.lots:
            deadline = lot.get("deadline_at")
            lots.add_row(safe(lot.get("id")), safe(lot.get("title")),
                         safe(local(datetime.fromisoformat(deadline)) if deadline else ""),
                         safe("\n".join(cpv_labels(lot.get("cpv")))))
        parts.append(lots)
    if listing.description:
        parts.append(Panel(safe(listing.description), title=_("Description"),
                           title_align="left"))
    if len(detail.sources) > 1:
        sources = Table(title=_("Also published by"), title_justify="left", expand=True)
        for column in (_("id"), _("source"), _("source id"), _("first seen"), _("url")):
            sources.add_column(column, overflow="fold")
        for other in detail.sources:
            if other.id != listing.id:
                sources.add_row(str(other.id), safe(other.source), safe(other.source_id),
                                safe(local(other.first_seen_at)), safe(other.url))
        parts.append(sources)
    if detail.buyer_before:
        parts.append(buyer_before_table(detail.buyer_before))
    if detail.changes:
        history = Table(title=_("Changes"), title_justify="left", expand=True)
        for column in (_("when"), _("field"), _("before"), _("after")):
            history.add_column(column, overflow="fold")
        for change in detail.changes:
            history.add_row(safe(local(change.changed_at)),
                            safe(heading(CHANGED_FIELDS.get(change.field, change.field))),
                            safe(_change_value(change.field, change.old_value)),
                            safe(_change_value(change.field, change.new_value)))
        parts.append(history)
    return Group(*parts)
