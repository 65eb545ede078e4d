"""`aggregator tui`: the terminal UI (aggregator/tui/)."""

from __future__ import annotations

from typing import Annotated

import typer

from aggregator.cli import app
from aggregator.cli.as_of import AS_OF_HELP, reading_instant
from aggregator.cli.query_words import QueryCommand, query_filter
from aggregator.i18n import _


@app.command("tui", cls=QueryCommand,
    help=_("Browse and search listings in the terminal (? shows the keys)."))
def tui(
    query: Annotated[list[str] | None, typer.Argument(metavar=_("QUERY"),
        help=_("Start with this filter, read as `search` reads it, e.g. kind:tender dep:13 "
             "deadline<15d."))] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    from aggregator.store.engine import get_engine
    from aggregator.tui.app import AggregatorApp

    engine = get_engine()
    filter = query_filter(query)
    instant, note = reading_instant(engine, as_of)
    AggregatorApp(engine, filter, as_of=instant, note=note).run()
