"""`aggregator search`, `list` and `show`: the stored listings as a table, JSON lines or CSV.

    aggregator search kind:tender dep:13 deadline<15d cpv:45 électricité -nettoyage
    aggregator search livraison -repas --location PACA --closing-within 7d --json
    aggregator list --sort published --limit 20
    aggregator show 1234

The QUERY words are one compact query (aggregator/cli/query_words.py says how the command
line is read); each filter option sets a field of the same :class:`Filter` the way its key
would, so the CLI, the TUI filter bar and saved searches read the very same language.
Listing text is data: it goes through ``safe()`` and is never read as markup.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from aggregator.cli import UserError, app
from aggregator.cli.as_of import AS_OF_HELP, reading_instant
from aggregator.cli.numbers import whole_number
from aggregator.cli.query_words import QueryCommand, query_filter
from aggregator.i18n import N_, _, ngettext, number
from aggregator.terminal.console import console, safe
from aggregator.terminal.listings import detail_renderable, listings_table

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from aggregator.query import Filter

# What each command imports as it runs, loaded at start-up while the collector is paused
# (aggregator.cli.main); `--help` loads none of it.
# (--json, --csv and --why import what they need when asked)
_READING = ("aggregator.query", "aggregator.store.engine", "aggregator.terminal.console")
PRELOAD = {"search": _READING, "list": _READING, "show": _READING}

# option parameter → (its name, the key it sets a field of, which side of a range key)
FILTER_OPTIONS = {
    "kind": ("--kind", "kind", ":"), "location": ("--location", "loc", ":"),
    "closing_within": ("--closing-within", "deadline", "within"),
    "deadline_before": ("--deadline-before", "deadline", "<"),
    "deadline_after": ("--deadline-after", "deadline", ">"),
    "contract": ("--contract", "contract", ":"), "cpv": ("--cpv", "cpv", ":"),
    "source": ("--source", "source", ":"), "since": ("--since", "since", ":"),
    "new_since": ("--new", "new", ":"), "status": ("--status", "status", ":"),
    "starred": ("--starred", "starred", ":"), "sort": ("--sort", "sort", ":"),
}


def with_options(filter: Filter, given: dict[str, str | list[str] | None]) -> Filter:
    """``filter`` with the fields the filter options set (lists add up; a value that
    contradicts the query is refused). Errors name the option and the forms it takes."""
    from aggregator.query import FilterError, read_option

    try:
        for parameter, values in given.items():
            option, key, form = FILTER_OPTIONS[parameter]
            for value in [values] if isinstance(values, str) else values or ():
                filter = filter.combine(read_option(option, key, value, form),
                                        f"{option} {value!r}")
    except FilterError as exc:
        raise UserError(str(exc)) from None
    return filter


def _print_results(filter: Filter, json_lines: bool, csv_out: bool, as_of: str | None,
                   why: bool = False) -> None:
    from dataclasses import replace

    from aggregator.query import Filter, count, resolve_location, search, stream
    from aggregator.store.engine import get_engine
    from aggregator.terminal.console import err_console

    if json_lines and csv_out:
        raise UserError(_("--json and --csv cannot be used together"))
    if why and csv_out:
        raise UserError(_("--why goes with the table or --json, not --csv"))
    # a table of one page: a few statements and the process ends (a stream reads it all)
    engine = get_engine(map_file=not (json_lines or csv_out))
    instant, note = reading_instant(engine, as_of)
    filter = replace(filter, as_of=instant)
    if note:  # on stderr when stdout is data
        (err_console if json_lines or csv_out else console).print(safe(note, style="yellow"))
    if json_lines and not why:
        from aggregator.export import CSV_COLUMNS, write_jsonl

        write_jsonl(stream(engine, filter, columns=CSV_COLUMNS), sys.stdout)
        return
    if csv_out:
        from aggregator.export import CSV_COLUMNS, write_csv

        write_csv(stream(engine, filter, columns=CSV_COLUMNS), sys.stdout)
        return
    listings = search(engine, filter)
    matched = None
    if why:  # this page only
        from aggregator.query.why import explain

        matched = explain(engine, filter, listings, now=instant)
    if json_lines and matched is not None:
        from aggregator.export import listing_record

        for listing in listings:
            record = listing_record(listing) | {"matched": matched[listing.id].record()}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    for location in filter.locations:
        resolved = resolve_location(location)
        if resolved.ambiguous:
            console.print(safe(_("note: %(location)r matches %(places)s")
                               % {"location": location, "places": resolved.label},
                               style="yellow"))
    query = filter.to_text() or _("open listings")
    if not listings:
        if not count(engine, Filter(status="all", hidden=None), cap=1):
            console.print(_("No listings yet: run `aggregator crawl` first."))
            return
        total, about = _match_count(engine, filter) if filter.offset else (0, "0")
        if total:  # a page past the last
            console.print(safe(ngettext(
                "Past the last page: %(total)s listing matches %(query)s (--offset %(offset)d)",
                "Past the last page: %(total)s listings match %(query)s (--offset %(offset)d)",
                total) % {"total": about, "offset": filter.offset, "query": query}))
        else:
            console.print(safe(_("No listing matches: %(query)s") % {"query": query}))
        return
    total, about = _match_count(engine, filter)
    console.print(listings_table(listings, why=matched))
    console.print(safe(ngettext("%(first)d-%(last)d of %(total)s · %(query)s",
                                "%(first)d-%(last)d of %(total)s · %(query)s", total)
                       % {"first": filter.offset + 1, "last": filter.offset + len(listings),
                          "total": about, "query": query}, style="dim"))


def _match_count(engine: Engine, filter: Filter) -> tuple[int, str]:
    """How many listings match, counted up to 10,001, and that count in words."""
    from aggregator.query import count

    total = count(engine, filter, cap=10_001)
    return total, (_("more than %(n)s") % {"n": number(10_000)} if total > 10_000
                   else number(total))


QUERY_HELP = N_("Words, \"phrases\", -exclusions, prefix*, and keys such as kind:tender dep:13 "
                "deadline<15d cpv:45: one query (the compact form saved searches use), however "
                "the shell splits it. A word starting with - is an exclusion, not an option.")


# Bounded: a database integer holds at most 2**63 - 1, and nobody reads a million rows.
MAX_ROWS = 1_000_000
Limit = Annotated[int, typer.Option(parser=whole_number("--limit", 1, MAX_ROWS), metavar="N",
                                    help=_("How many listings to show."))]
Offset = Annotated[int, typer.Option(parser=whole_number("--offset", 0, MAX_ROWS), metavar="N",
                                     help=_("Skip this many first."))]


@app.command("search", cls=QueryCommand,
    help=_("Search the stored listings (open ones by default)."))
def search_listings(
    query: Annotated[list[str] | None, typer.Argument(metavar=_("QUERY"),
        help=_(QUERY_HELP))] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help=_("job or tender."))] = None,
    location: Annotated[list[str] | None, typer.Option(
        "--location", "-l", help=_("Commune, postal code, department (13, Bouches-du-Rhône), "
        "region (PACA, IDF), country or remote; repeat it for alternatives."))] = None,
    closing_within: Annotated[str | None, typer.Option(
        help=_("Deadline within N local days: 7d, 2w."))] = None,
    deadline_before: Annotated[str | None, typer.Option(
        help=_("Deadline before this local day starts (YYYY-MM-DD) or before a local time "
             "(YYYY-MM-DDTHH:MM)."))] = None,
    deadline_after: Annotated[str | None, typer.Option(
        help=_("Deadline after this local day ends (YYYY-MM-DD) or after a local time."))
    ] = None,
    contract: Annotated[list[str] | None, typer.Option(
        help=_("Contract type: cdi, cdd, interim, freelance, internship, apprenticeship."))
    ] = None,
    cpv: Annotated[list[str] | None, typer.Option(help=_("CPV prefix(es), e.g. 45 or 45,71."))
                   ] = None,
    source: Annotated[list[str] | None, typer.Option(help=_("Source (spider) name."))] = None,
    since: Annotated[str | None, typer.Option(
        help=_("Published since a date (YYYY-MM-DD) or for N days (7d)."))] = None,
    new_since: Annotated[str | None, typer.Option(
        "--new", help=_("First seen since a date or for N days."))] = None,
    status: Annotated[str | None, typer.Option(
        help=_("open (default), closed, cancelled or all."))] = None,
    starred: Annotated[bool, typer.Option("--starred", help=_("Starred listings only."))] = False,
    sort: Annotated[str | None, typer.Option(
        help=_("relevance, deadline, published, seen, title, organization, place, source, kind;"
             " a leading - reverses it."))] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    json_lines: Annotated[bool, typer.Option("--json", help=_("One JSON object per line."))
                          ] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help=_("CSV with the --json fields."))
                       ] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
    why: Annotated[bool, typer.Option(
        "--why", help=_("Say why each listing matched: the words found (highlighted), the CPV "
        "code, the place, the deadline; with --json, a \"matched\" object."))] = False,
) -> None:
    filter = with_options(query_filter(query, limit=limit, offset=offset), {
        "kind": kind, "location": location, "closing_within": closing_within,
        "deadline_before": deadline_before, "deadline_after": deadline_after,
        "contract": contract, "cpv": cpv, "source": source, "since": since,
        "new_since": new_since, "status": status, "starred": "yes" if starred else None,
        "sort": sort})
    _print_results(filter, json_lines, csv_out, as_of, why)


@app.command("list", help=_("The open listings, newest first (`search` without a filter)."),
             context_settings={"allow_extra_args": True})
def list_listings(
    ctx: typer.Context,
    sort: Annotated[str | None, typer.Option(
        help=_("published (default: newest first), deadline, seen, title, ...; a leading - "
        "reverses it."))] = "published",
    limit: Limit = 50,
    offset: Offset = 0,
    json_lines: Annotated[bool, typer.Option("--json", help=_("One JSON object per line."))
                          ] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help=_("CSV with the --json fields."))
                       ] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    from aggregator.query import Filter

    if ctx.args:  # `list kind:tender`: what the user meant is said, not "extra argument"
        raise UserError(_("list shows every open listing; to filter: aggregator search "
                          "%(query)s") % {"query": " ".join(ctx.args)})
    filter = with_options(Filter(limit=limit, offset=offset), {"sort": sort})
    _print_results(filter, json_lines, csv_out, as_of)


# ignore_unknown_options: `show -3` reaches the ID's parser (one line) instead of being
# taken for an option
@app.command("show", help=_("One listing with its description, lots, other sources and change"
            " history."), context_settings={"ignore_unknown_options": True})
def show(
    listing_id: Annotated[int, typer.Argument(metavar="ID", parser=whole_number("ID", 1),
                                              help=_("The listing's id."))],
    json_out: Annotated[bool, typer.Option("--json", help=_("As one JSON object."))] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    from aggregator.query import get_listing
    from aggregator.store.engine import get_engine

    engine = get_engine(map_file=True)  # one listing, then the process ends
    instant, note = reading_instant(engine, as_of)
    detail = get_listing(engine, listing_id, as_of=instant)
    if detail is None:
        raise UserError(_("no listing %(id)d") % {"id": listing_id})
    if json_out:
        from aggregator.export import listing_record
        from aggregator.presentation import source_files

        record = listing_record(detail.listing) | {
            "lots": detail.listing.lots,
            "descriptors": (detail.listing.details or {}).get("descriptors", []),
            "files": source_files(detail.listing.details),
            "sources": [listing_record(s) for s in detail.sources
                        if s.id != detail.listing.id],
            "changes": [{"changed_at": c.changed_at.isoformat(), "field": c.field,
                         "old_value": c.old_value, "new_value": c.new_value}
                        for c in detail.changes]}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    if note:
        console.print(safe(note, style="yellow"))
    console.print(detail_renderable(detail))
