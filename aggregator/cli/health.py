"""The health table of `aggregator sources` (the sources sub-app calls ``show_sources_health``).

One row per source: enabled, configured, last success, last run outcome, items of the last
run against the usual count (median of up to 7 successful runs), open listings, verdict.
The verdicts are explained in aggregator/health.py.
"""

from __future__ import annotations

from rich.table import Table

from aggregator.cli.output import console, local, safe

VERDICT_STYLES = {"ok": "green", "degraded": "yellow", "broken": "bold red",
                  "unconfigured": "dim", "unknown": "dim"}
OUTCOME_STYLES = {"ok": "green", "partial": "yellow", "failed": "red", "timeout": "red",
                  "offline": "red", "unconfigured": "dim", "running": "cyan"}


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def health_table(rows: list) -> Table:
    table = Table(title="Sources", title_justify="left")
    numeric = ("items", "usual", "open")
    for column in ("source", "enabled", "configured", "last success", "last run", "items",
                   "usual", "open", "health", "why"):
        table.add_column(column, justify="right" if column in numeric else "left",
                         overflow="fold", no_wrap=column in ("last success", "last run"))
    for row in rows:
        last_run = (f"{row.last_outcome} {local(row.last_run_at, '%d/%m %H:%M')}"
                    if row.last_outcome else "never")
        table.add_row(
            safe(row.source), _yes_no(row.enabled), _yes_no(row.configured),
            local(row.last_success_at) or "never",
            safe(last_run, style=OUTCOME_STYLES.get(row.last_outcome or "", "")),
            "" if row.items_last_run is None else str(row.items_last_run),
            "" if row.median_items is None else f"{row.median_items:g}",
            str(row.open_listings),
            safe(row.verdict, style=VERDICT_STYLES.get(row.verdict, "")),
            safe(row.reason))
    return table


def show_sources_health() -> None:
    """Print every source's health (`aggregator sources` with no subcommand)."""
    from aggregator.config import load_config
    from aggregator.health import source_health
    from aggregator.store.engine import get_engine

    rows = source_health(get_engine(), load_config())
    console.print(health_table(rows))
    broken = [row.source for row in rows if row.enabled and row.verdict == "broken"]
    if broken:
        console.print(safe(f"Broken: {', '.join(broken)} — see `aggregator runs --source "
                           f"{broken[0]}`", style="bold red"))
