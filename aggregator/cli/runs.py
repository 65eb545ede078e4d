"""`aggregator runs`: the crawl runs, newest first — outcome, counts, duration."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from aggregator.cli import app
from aggregator.cli.numbers import whole_number
from aggregator.drop_reasons import drop_reason
from aggregator.i18n import _
from aggregator.presentation import duration_text, local_recent, state_name
from aggregator.run_notes import note_line
from aggregator.terminal.console import OUTCOME_STYLES, console, safe
from aggregator.terminal.fit import Column, fitted_table

# Left out in this order when the table is wider than the terminal, each with the width below
# which it goes anyway; the run's id, source, start, outcome, new items and errors stay.
_OPTIONAL_COLUMNS = (("unchanged", 150), ("updated", 140), ("dropped", 0), ("items", 0),
                     ("duration", 0), ("note", 0))


def _columns() -> list[Column]:
    # the run's number: "n°" is what a French reader expects over it
    right = {"justify": "right"}
    return [Column("run", _("run"), right), Column("source", _("source")),
            # the time under the date, "(replayed)" under the outcome: only when even the
            # fewest columns are too wide ("arrêtée (rejouée)" at 80 columns)
            Column("started", _("started"), wraps_last=True),
            Column("duration", _("duration"), right),
            Column("outcome", _("outcome"), wraps_last=True), Column("items", _("items"), right),
            Column("new", _("new"), right), Column("updated", _("updated"), right),
            Column("unchanged", _("unchanged"), right), Column("dropped", _("dropped"), right),
            Column("errors", _("errors"), right),
            Column("note", _("note"), {"ratio": 1}, wraps=True)]


def _note(run: Any) -> str:
    note = note_line(run.error_summary)
    if not note and run.dropped_reasons:  # why records were dropped, when nothing failed
        # in the reader's words, in the order of those words
        note = _("dropped: ") + ", ".join(sorted(f"{drop_reason(reason)} {n}" for reason, n
                                                 in run.dropped_reasons.items()))
    return note[:200]


def runs_table(runs: list, width: int | None = None) -> Table:
    """The runs, newest first, fitted to a terminal ``width`` wide (the console's)."""
    rows = [{"run": Text(str(run.id)), "source": safe(run.source),
             "started": safe(local_recent(run.started_at)),
             "duration": Text(duration_text(run.duration_seconds)),
             "outcome": safe(state_name(run.outcome) + (_(" (replayed)") if run.replayed else ""),
                             style=OUTCOME_STYLES.get(run.outcome, "")),
             "items": Text(str(run.items_seen)), "new": Text(str(run.items_new)),
             "updated": Text(str(run.items_updated)),
             "unchanged": Text(str(run.items_unchanged)),
             "dropped": Text(str(run.items_dropped)), "errors": Text(str(run.errors)),
             "note": safe(_note(run))}
            for run in runs]
    return fitted_table(_columns(), rows, width or console.width, _OPTIONAL_COLUMNS,
                        expand=True, title=_("Crawl runs (newest first)"),
                        title_justify="left")


def notes_below(runs: list, table: Table) -> Table | None:
    """The runs' notes under ``table`` when it had no room for their column (80 columns):
    what failed, why records were dropped. None when it shows them, or there are none."""
    if _("note") in (column.header for column in table.columns):
        return None
    notes = [(run.id, note) for run in runs if (note := _note(run))]
    if not notes:
        return None
    grid = Table.grid(padding=(0, 1))  # a long note wraps under itself, not under its number
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for run_id, note in notes:
        grid.add_row(Text(_("run %(run)d:") % {"run": run_id}, style="dim"), safe(note))
    return grid


@app.command(help=_("The crawl runs, newest first: outcome, item counts, errors, "
            "duration."))
def runs(
    source: Annotated[str | None, typer.Option("--source", help=_("Only this source's runs."))
                      ] = None,
    limit: Annotated[int, typer.Option("--limit", parser=whole_number("--limit", 1, 1_000_000),
                                       metavar="N",
                                       help=_("How many runs to show."))] = 20,
) -> None:
    from aggregator.store.engine import get_engine
    from aggregator.store.runs import close_dead_runs, recent_runs

    engine = get_engine()
    close_dead_runs(engine)  # a crawl killed earlier shows `interrupted`, not `running`
    found = recent_runs(engine, source=source, limit=limit)
    if not found:
        console.print(_("No crawl run of %(source)s yet.") % {"source": source} if source
                      else _("No crawl run yet."))
        return
    table = runs_table(found)
    console.print(table)
    below = notes_below(found, table)
    if below is not None:
        console.print(below)
