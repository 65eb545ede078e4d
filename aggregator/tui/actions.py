"""Every key binding of the TUI in one registry: the footer, the help screen and the widgets'
BINDINGS all come from here, so a key is described once and shown the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


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
    Action("focus_filter", "slash", "Filter", "Edit the filter (Enter runs it, Esc leaves it)",
           key_display="/"),
    Action("select_cursor", "enter", "Details", "Show the highlighted listing's details",
           scope="table", key_display="⏎"),
    Action("cursor_down", "j", "Down", "Next listing (as ↓)", scope="table", show=False),
    Action("cursor_up", "k", "Up", "Previous listing (as ↑)", scope="table", show=False),
    Action("open_link", "o", "Open", "Open the listing's page in the web browser"),
    Action("toggle_star", "s", "Star", "Star or unstar the listing (starred:yes lists them)"),
    Action("toggle_hide", "h", "Hide", "Hide the listing (hidden:yes shows hidden ones)"),
    Action("export", "e", "Export", "Export every result of the filter (CSV, JSON, iCal)"),
    Action("cycle_sort", "S", "Sort", "Sort by deadline, then published, then title",
           key_display="S"),
    Action("refresh", "r", "Refresh", "Run the filter again (new crawl results)", show=False),
    Action("close_details", "escape", "Close", "Close the details pane", show=False),
    Action("help", "question_mark", "Help", "This help (↑ ↓ in the filter: earlier filters)",
           key_display="?"),
    Action("quit", "q", "Quit", "Quit"),
)


def bindings(scope: str) -> list[Binding]:
    return [Binding(a.key, a.name, a.label, show=a.show, key_display=a.key_display)
            for a in ACTIONS if a.scope == scope]
