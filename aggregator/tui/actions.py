"""Every key binding of the TUI in one registry: the footer, the help screen and the widgets'
BINDINGS all come from here, so a key is described once and shown the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from aggregator.i18n import N_, _


@dataclass(frozen=True)
class Action:
    name: str  # the action method, without "action_"
    key: str  # Textual key name(s), comma separated
    label: str  # short, for the footer
    help: str  # one line, for the help screen
    scope: str = "app"  # "app" or "table": who owns the binding
    show: bool = True  # in the footer
    key_display: str | None = None


ACTIONS: tuple[Action, ...] = (
    Action("focus_filter", "slash", N_("Filter"),
           N_("Edit the filter (Enter runs it, Esc leaves it)"),
           key_display="/"),
    Action("select_cursor", "enter", N_("Details"), N_("Show the highlighted listing's details"),
           scope="table", key_display="⏎"),
    Action("cursor_down", "j", N_("Down"), N_("Next listing (as ↓)"), scope="table", show=False),
    Action("cursor_up", "k", N_("Up"), N_("Previous listing (as ↑)"), scope="table", show=False),
    Action("open_link", "o", N_("Open"), N_("Open the listing's page in the web browser")),
    Action("toggle_star", "s", N_("Star"),
           N_("Star or unstar the listing (starred:yes lists them)")),
    Action("toggle_hide", "h", N_("Hide"), N_("Hide the listing (hidden:yes shows hidden ones)")),
    Action("export", "e", N_("Export"), N_("Export every result of the filter (CSV, JSON, iCal)")),
    Action("cycle_sort", "S", N_("Sort"), N_("Sort by deadline, then published, then title"),
           key_display="S"),
    Action("refresh", "r", N_("Refresh"),
           N_("Run the filter again (new crawl results)"), show=False),
    Action("close_details", "escape", N_("Close"), N_("Close the details pane"), show=False),
    Action("help", "question_mark", N_("Help"),
           N_("This help (↑ ↓ in the filter: earlier filters)"),
           key_display="?"),
    # Ctrl+C quits too, as in any terminal program (Textual's own asks, in English, to use
    # Ctrl+Q)
    Action("quit", "q,ctrl+c", N_("Quit"), N_("Quit"), key_display="q"),
)


def bindings(scope: str) -> list[Binding]:
    return [Binding(a.key, a.name, _(a.label), show=a.show, key_display=a.key_display)
            for a in ACTIONS if a.scope == scope]
