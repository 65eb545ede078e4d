"""`aggregator buyer`, `aggregator supplier`, `aggregator renewals`: what the stored awards
(DECP) say about a buyer, a competitor, and the contracts that will come up for renewal.

    aggregator buyer 21590392300013
    aggregator buyer "ville de maubeuge" --json
    aggregator supplier 42241454000035
    aggregator renewals dep:59 cpv:45 --within 6m

The figures come from aggregator/query/awards.py (docs/awards.md).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from aggregator.cli import UserError, app
from aggregator.cli.numbers import whole_number
from aggregator.cli.query_words import QueryCommand, query_filter
from aggregator.i18n import _, language, ngettext
from aggregator.presentation import DATE, amount_text, local, organization_text, winners
from aggregator.terminal.console import console, safe
from aggregator.terminal.fit import Column, fitted_table

if TYPE_CHECKING:
    from aggregator.query.awards import Dossier

_WINDOW = re.compile(r"(\d{1,3})\s*([dwmy])", re.I)
_DAYS = {"d": 1, "w": 7, "m": 30.4375, "y": 365.25}


def read_window(value: str) -> timedelta:
    """``12m``, ``90d``, ``2w``, ``1y`` as a length of time; UserError otherwise."""
    found = _WINDOW.fullmatch(value.strip())
    if not found or int(found.group(1)) == 0:
        raise UserError(_("--within %(value)r: expected a length such as 12m, 90d, 2w or 1y")
                        % {"value": value})
    return timedelta(days=round(int(found.group(1)) * _DAYS[found.group(2).lower()]))


def _day(iso: str | None) -> str:
    """The local day of an instant, as every listing's dates read: ``12/12/2028``."""
    return local(datetime.fromisoformat(iso), DATE) if iso else ""


def _window_words(within: str) -> str:
    """``--within`` as said: ``3 ans``, ``12 mois``, ``90 jours``, ``2 semaines``."""
    found = _WINDOW.fullmatch(within.strip())
    if not found:
        return within
    n, unit = int(found.group(1)), found.group(2).lower()
    forms = {"d": ngettext("%(n)d day", "%(n)d days", n),
             "w": ngettext("%(n)d week", "%(n)d weeks", n),
             "m": ngettext("%(n)d month", "%(n)d months", n),
             "y": ngettext("%(n)d year", "%(n)d years", n)}
    return forms[unit] % {"n": n}


def _table(title: str, columns: list[Column], rows: list[dict[str, Any]],
           optional: tuple[tuple[str, int], ...] = ()) -> Table | Text:
    """A section of a dossier, fitted to the terminal as `list` is (ids and amounts whole,
    names and titles wrapped between words, the ``optional`` columns left out first); one
    line when it has nothing."""
    if not rows:
        return safe(_("%(section)s: none") % {"section": title})
    cells = [{name: safe(str(value) if value is not None else "")
              for name, value in row.items()} for row in rows]
    # as wide as the terminal when words wrap in it; else as wide as its cells
    wide = any(column.wraps for column in columns)
    return fitted_table(columns, cells, console.width, optional, expand=wide,
                        title=safe(title), title_justify="left")


def _number(name: str, heading: str) -> Column:
    return Column(name, heading, {"justify": "right"})


def _words(name: str, heading: str, ratio: int = 1) -> Column:
    return Column(name, heading, {"ratio": ratio}, wraps=True)


def _cpv_class(code: str) -> str:
    """``45261 Travaux de charpente et de couverture…``: the class and what it covers."""
    from aggregator.normalize.cpv import with_label

    label = with_label(f"{code}000", language()).partition(" ")[2]
    return f"{code} {label}".strip()


def _print_dossier(dossier: Dossier) -> None:
    console.print(safe(f"{dossier.name} ({dossier.id})" if dossier.name != dossier.id
                       else dossier.id, style="bold"))  # no name: its SIRET once
    console.print(safe(ngettext("%(awards)d award, %(amount)s in total",
                                "%(awards)d awards, %(amount)s in total", dossier.awards) % {
        "awards": dossier.awards, "amount": amount_text(dossier.amount_total)}))
    if dossier.single_bid_rate is not None:
        console.print(safe(_("single bid: %(rate).0f%% · mean offers %(mean).1f") % {
            "rate": dossier.single_bid_rate * 100, "mean": dossier.mean_offers or 0}))
    awards, amount = _number("awards", _("awards")), _number("amount", _("amount"))
    console.print(_table(_("By year"), [Column("year", _("year")), awards, amount], [
        {"year": str(y["year"]) if y["year"] else _("undated"), "awards": y["awards"],
         "amount": amount_text(y["amount"])} for y in dossier.by_year]))
    console.print(_table(_("CPV classes"), [_words("class", _("class")), awards, amount], [
        {"class": _cpv_class(c["class"]), "awards": c["awards"],
         "amount": amount_text(c["amount"])} for c in dossier.cpv]))
    partners = _("Suppliers") if dossier.kind == "buyer" else _("Buyers")
    console.print(_table(partners, [
        Column("id", _("id")), _words("name", _("name")), _number("wins", _("wins")), amount,
        Column("last_win", _("last win"))], [
        {"id": p["id"], "name": p["name"], "wins": p["wins"],
         "amount": amount_text(p["amount"]), "last_win": _day(p["last_win"])}
        for p in dossier.partners], optional=(("last_win", 0),)))
    if dossier.places:
        console.print(safe(_("Places: %(places)s") % {"places": ", ".join(
            f"{p['department']} ({p['awards']})" for p in dossier.places)}))
    if dossier.kind == "buyer":
        console.print(_table(_("Open tenders now"), [
            _number("id", _("id")), _words("title", _("title")),
            Column("deadline", _("deadline"))], [
            {"id": t["id"], "title": t["title"], "deadline": _day(t["deadline_at"])}
            for t in dossier.open_tenders]))
    console.print(_table(_("Contracts ending within 12 months"), [
        _number("id", _("id")), _words("title", _("title"), 2), Column("ends", _("ends")),
        amount, _words("suppliers", _("suppliers"))], [
        {"id": r["id"], "title": r["title"], "ends": _day(r["ends_at"]),
         "amount": amount_text(r["amount"]), "suppliers": ", ".join(filter(None, r["suppliers"]))}
        for r in dossier.renewals]))


def _dossier(kind: str, who: str, json_out: bool) -> None:
    from aggregator.query.awards import (
        buyer_dossier,
        find_buyer,
        find_supplier,
        supplier_dossier,
    )
    from aggregator.store.engine import get_engine

    if not who.strip():
        raise UserError(_("give a SIRET or words of a name"))
    engine = get_engine()
    found = (find_buyer if kind == "buyer" else find_supplier)(engine, who)
    if found is None:
        raise UserError((_("no buyer named %(who)r among the stored awards") if kind == "buyer"
                         else _("no supplier named %(who)r among the stored awards"))
                        % {"who": who})
    now = datetime.now(UTC)
    dossier = (buyer_dossier if kind == "buyer" else supplier_dossier)(engine, found, now)
    if json_out:
        sys.stdout.write(json.dumps(dossier.record(), ensure_ascii=False) + "\n")
    else:
        _print_dossier(dossier)


@app.command("buyer", help=_("A buyer's awards by year, CPV classes, suppliers, single-bid "
                             "rate, open tenders and contracts ending within 12 months."))
def buyer(
    who: Annotated[str, typer.Argument(metavar=_("SIRET|NAME"), help=_("The buyer's SIRET or "
                                       "words of its name."))],
    json_out: Annotated[bool, typer.Option("--json", help=_("As one JSON object."))] = False,
) -> None:
    _dossier("buyer", who, json_out)


@app.command("supplier", help=_("A supplier's wins: buyers, amounts, places, CPV classes."))
def supplier(
    who: Annotated[str, typer.Argument(metavar=_("SIRET|NAME"), help=_("The supplier's SIRET or "
                                       "words of its name."))],
    json_out: Annotated[bool, typer.Option("--json", help=_("As one JSON object."))] = False,
) -> None:
    _dossier("supplier", who, json_out)


@app.command("renewals", cls=QueryCommand,
             help=_("Contracts whose end (notification + duration, amendments included) falls "
                    "within the window: the tenders that will come."))
def renewals(
    query: Annotated[list[str] | None, typer.Argument(metavar=_("QUERY"),
        help=_("The same query language as search: dep:59 cpv:45 buyer:SIRET words…"))] = None,
    within: Annotated[str, typer.Option(help=_("How far ahead: 12m, 6m, 90d, 1y."))] = "12m",
    limit: Annotated[int, typer.Option(parser=whole_number("--limit", 1, 1_000_000),
                                       metavar="N", help=_("How many contracts to show."))
                     ] = 50,
    json_lines: Annotated[bool, typer.Option("--json", help=_("One JSON object per line."))
                          ] = False,
) -> None:
    from aggregator.export import write_jsonl
    from aggregator.query.awards import renewals as ending
    from aggregator.store.engine import get_engine

    window = read_window(within)
    filter = query_filter(query, limit=limit)
    found = ending(get_engine(), filter, window, datetime.now(UTC))
    if json_lines:
        write_jsonl(found, sys.stdout)
        return
    if not found:
        console.print(safe(_("No contract ends within %(within)s.")
                           % {"within": _window_words(within)}))
        return
    console.print(_table(_("Contracts ending within %(within)s")
                         % {"within": _window_words(within)}, [
        _number("id", _("id")), Column("ends", _("ends")), _words("buyer", _("buyer")),
        _words("title", _("title"), 3), _number("amount", _("amount")),
        _words("suppliers", _("suppliers"))], [
        {"id": a.id, "ends": _day(a.ends_at.isoformat() if a.ends_at else None),
         "buyer": organization_text(a), "title": a.title,
         "amount": amount_text(a.amount),
         "suppliers": winners(a.suppliers)}
        for a in found]))
