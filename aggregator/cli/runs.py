"""`aggregator runs`: the crawl runs, newest first — outcome, counts, duration."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from aggregator.cli import app
from aggregator.i18n import _
from aggregator.presentation import local
from aggregator.terminal.console import OUTCOME_STYLES, console, safe


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def runs_table(runs: list) -> Table:
    table = Table(title=_("Crawl runs (newest first)"), title_justify="left")
    for column, right, wrap in (
            (_("run"), True, True), (_("source"), False, True), (_("started"), False, False),
            (_("duration"), True, True), (_("outcome"), False, False), (_("items"), True, True),
            (_("new"), True, True), (_("updated"), True, True), (_("unchanged"), True, True),
            (_("dropped"), True, True), (_("errors"), True, True), (_("note"), False, True)):
        table.add_column(column, justify="right" if right else "left", overflow="fold",
                         no_wrap=not wrap)
    for run in runs:
        note = (run.error_summary or "").strip().splitlines()
        if not note and run.dropped_reasons:  # why records were dropped, when nothing failed
            note = [_("dropped: ") + ", ".join(f"{reason} {n}" for reason, n
                                            in sorted(run.dropped_reasons.items()))]
        table.add_row(str(run.id), safe(run.source), local(run.started_at),
                      duration_text(run.duration_seconds),
                      safe(run.outcome + (_(" (replayed)") if run.replayed else ""),
                           style=OUTCOME_STYLES.get(run.outcome, "")),
                      str(run.items_seen), str(run.items_new), str(run.items_updated),
                      str(run.items_unchanged), str(run.items_dropped), str(run.errors),
                      safe(note[0][:200] if note else ""))
    return table


@app.command(help=_("The crawl runs, newest first: outcome, item counts, errors, "
            "duration."))
def runs(
    source: Annotated[str | None, typer.Option("--source", help=_("Only this source's runs."))
                      ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1_000_000,
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
    console.print(runs_table(found))
