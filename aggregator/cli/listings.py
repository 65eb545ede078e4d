"""`aggregator list`: the stored listings, newest first, as a table or JSON lines."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from aggregator.cli import app
from aggregator.cli.output import console, days_left, local, safe


def place(listing) -> str:
    parts = [listing.city or ""]
    if listing.department:
        parts.append(f"({listing.department})")
    elif listing.country and listing.country != "FR":
        parts.append(listing.country)
    return " ".join(p for p in parts if p)


def deadline_cell(listing):
    if listing.deadline_at is None:
        return safe("")
    left = days_left(listing.deadline_at)
    text = local(listing.deadline_at)
    if left is not None and left >= 0:
        text += f" ({left}d)"
    style = "bold red" if left is not None and 0 <= left <= 7 and listing.status == "open" else ""
    return safe(text, style=style)


def listings_table(listings) -> Table:
    table = Table(expand=True, show_lines=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("title", ratio=3, overflow="fold")
    table.add_column("organisation", ratio=2, overflow="fold")
    table.add_column("place", ratio=1, overflow="fold")
    table.add_column("deadline", no_wrap=True)
    table.add_column("contract/CPV", overflow="fold")
    table.add_column("source", no_wrap=True)
    for listing in listings:
        terms = listing.contract_type or " ".join((listing.cpv or [])[:2])
        table.add_row(str(listing.id), listing.kind, safe(listing.title),
                      safe(listing.organization), safe(place(listing)), deadline_cell(listing),
                      safe(terms), safe(listing.source))
    return table


@app.command("list")
def list_listings(
    limit: Annotated[int, typer.Option(help="How many listings to show.")] = 50,
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per line.")
                          ] = False,
) -> None:
    """Stored listings, newest first."""
    from aggregator.export import write_jsonl
    from aggregator.query import Filter, search
    from aggregator.store.engine import get_engine

    listings = search(get_engine(), Filter(limit=limit))
    if json_lines:
        write_jsonl(listings, sys.stdout)
        return
    if not listings:
        console.print("No listings yet: run `aggregator crawl` first.")
        return
    console.print(listings_table(listings))
