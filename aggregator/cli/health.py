"""The health table of `aggregator sources` (the sources sub-app calls ``show_sources_health``).

One row per source (one block each where the table would not fit whole): enabled,
configured, last success, last run outcome, items of the last run against the usual count
(median of up to 7 successful runs), open listings, verdict.
The verdicts are explained in aggregator/scheduling/health.py.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from aggregator.i18n import _, pgettext
from aggregator.normalize.text import strip_controls
from aggregator.presentation import local, local_recent, state_name
from aggregator.terminal.console import OUTCOME_STYLES, console, safe
from aggregator.terminal.fit import frame_width

VERDICT_STYLES = {"ok": "green", "degraded": "yellow", "broken": "bold red",
                  "unconfigured": "dim", "unknown": "dim"}


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else (_("yes") if value else _("no"))


# The reason column's least width in the table: narrower, it would be a column of broken
# words. A terminal narrower than the table at that (its other columns whole, their widest
# cell: about 150 columns in French) gets one block per source instead.
WHY_LEAST = 30


def _cells(row) -> dict[str, str]:
    return {
        "last run": (state_name(row.last_outcome) + (_(" (replayed)") if row.last_replayed else "")
                     + f" {local_recent(row.last_run_at)}"
                     if row.last_outcome else _("never")),
        "last success": local(row.last_success_at) or _("never"),
        "items": "" if row.items_last_run is None else str(row.items_last_run),
        "usual": "" if row.median_items is None else f"{row.median_items:g}",
    }


def health_table(rows: list) -> Table:
    table = Table(title=_("Sources"), title_justify="left")
    for column, right in ((_("source"), False), (_("enabled"), False), (_("configured"), False),
                          (_("last success"), False), (_("last run"), False), (_("items"), True),
                          (_("usual"), True),
                          # listings (annonces): not the open tenders of `cpv` (ouverts)
                          (pgettext("open listings", "open"), True), (_("health"), False)):
        table.add_column(column, justify="right" if right else "left", no_wrap=True)
    table.add_column(_("why"), overflow="fold")
    for row in rows:
        cells = _cells(row)
        table.add_row(
            safe(row.source), _yes_no(row.enabled), _yes_no(row.configured),
            cells["last success"],
            safe(cells["last run"], style=OUTCOME_STYLES.get(row.last_outcome or "", "")),
            cells["items"], cells["usual"], str(row.open_listings),
            safe(state_name(row.verdict), style=VERDICT_STYLES.get(row.verdict, "")),
            safe(row.reason))
    return table


def table_width(table: Table) -> int:
    """The least width ``table`` shows whole at: each one-line column as wide as its widest
    cell or heading, the reason column WHY_LEAST, its rules and cell padding."""
    def width(cell: object) -> int:
        return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))

    return sum(max([width(column.header), *(width(cell) for cell in column.cells)])
               if column.no_wrap else WHY_LEAST for column in table.columns
               ) + frame_width(table)


INDENT = 4


def _facts_lines(facts: str, width: int) -> str:
    """``facts`` ("label value, label value…") broken into lines of ``width`` between two
    facts, never between a label and its value ("items" at a line's end, "- (usual -)" on
    the next); a fact wider than a line is left for Rich to wrap."""
    lines: list[str] = []
    for fact in facts.split(", "):
        if lines and cell_len(lines[-1]) + 2 + cell_len(fact) <= width:
            lines[-1] += ", " + fact
        else:
            if lines:
                lines[-1] += ","
            lines.append(fact)
    return "\n".join(lines)


def health_blocks(rows: list, width: int) -> list[RenderableType]:
    """The same facts for a terminal ``width`` wide, too narrow for the table: the source and
    its verdict, then its facts and its reason indented below, wrapped lines too (at the
    margin, they would read as the next source's)."""
    blocks: list[RenderableType] = []
    for row in rows:
        cells = _cells(row)
        heading = Text.assemble((row.source, "bold"), "  ",
                                (state_name(row.verdict), VERDICT_STYLES.get(row.verdict, "")))
        facts = Text(_facts_lines(
            _("last run %(run)s, last success %(success)s, items %(items)s (usual %(usual)s), "
              "open %(open)d, enabled %(enabled)s, configured %(configured)s")
            % {"run": cells["last run"], "success": cells["last success"],
               "items": cells["items"] or "-", "usual": cells["usual"] or "-",
               "open": row.open_listings, "enabled": _yes_no(row.enabled),
               "configured": _yes_no(row.configured)}, width - INDENT))
        if row.reason:
            facts.append(f"\n{strip_controls(row.reason)}", style="dim")
        blocks.append(Group(heading, Padding(facts, (0, 0, 0, INDENT), expand=False)))
    return blocks


def show_sources_health() -> None:
    """Print every source's health (`aggregator sources` with no subcommand)."""
    from aggregator.config import load_config
    from aggregator.scheduling.health import source_health
    from aggregator.store.engine import get_engine

    rows = source_health(get_engine(), load_config())
    table = health_table(rows)
    if table_width(table) <= console.width:
        console.print(table)
    else:
        console.print(Text(_("Sources"), style="bold"))
        for block in health_blocks(rows, console.width):
            console.print(block)
    broken = [row.source for row in rows if row.enabled and row.verdict == "broken"]
    if broken:
        console.print(safe(_("Broken: %(sources)s — see `aggregator runs --source %(first)s`")
                           % {"sources": ", ".join(broken), "first": broken[0]},
                           style="bold red"))
