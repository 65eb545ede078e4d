"""`aggregator tui`: the terminal UI (aggregator/tui/)."""

from __future__ import annotations

from typing import Annotated

import typer

from aggregator.cli import UserError, app


@app.command("tui")
def tui(
    query: Annotated[list[str] | None, typer.Argument(
        help="Start with this filter, e.g. kind:tender dep:13 deadline<15d.")] = None,
) -> None:
    """Browse and search listings in the terminal (? shows the keys)."""
    from aggregator.cli.listings import compose_query
    from aggregator.query import Filter, FilterError
    from aggregator.store.engine import get_engine
    from aggregator.tui.app import AggregatorApp

    text = compose_query(query, {})
    try:
        Filter.parse(text).validate()
    except FilterError as exc:
        raise UserError(str(exc)) from None
    AggregatorApp(get_engine(), text).run()
