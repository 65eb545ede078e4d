"""`?`: the keys (from the action registry) and the filter language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from aggregator.i18n import N_, _
from aggregator.tui.actions import ACTIONS

FILTER_HELP = (
    ("words -word \"a phrase\" prefix*", N_("full text, accents and case ignored; title "
                                            "matches first")),
    ("kind:tender  kind:job", N_("kind of listing")),
    ("loc:Marseille  dep:13  region:PACA  cp:75011  country:BE  loc:remote",
     N_("place: commune (with its arrondissements), department, region, postal code, "
        "country")),
    ("deadline<15d", N_("closing within 15 days (local days)")),
    ("deadline<2026-12-01  deadline>2026-12-01", N_("due before that day starts / after it "
                                                     "ends")),
    ("since:7d  new:2026-11-20", N_("published / first seen since")),
    ("contract:cdi,cdd  cpv:45  source:boamp", N_("contract type, CPV prefix, source")),
    ("status:all  starred:yes  hidden:yes", N_("closed ones too, starred only, hidden ones")),
    ("sort:published  sort:-deadline", N_("order (- reverses); default: relevance, then "
                                          "deadline")),
)
# keys Textual names, as a keyboard labels them
_KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": N_("Esc")}


def _keys(key: str, display: str | None) -> str:
    return display or ",".join(_(_KEY_NAMES[k]) if k in _KEY_NAMES else k
                               for k in key.split(","))


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help_screen.tcss"
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", _("Close"))]

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column()
        for action in ACTIONS:
            keys.add_row(Text(_keys(action.key, action.key_display)), Text(_(action.help)))
        syntax = Table.grid(padding=(0, 2))
        syntax.add_column(style="bold")
        syntax.add_column()
        for example, meaning in FILTER_HELP:
            syntax.add_row(Text(example), Text(_(meaning)))
        with VerticalScroll(id="help-body"):
            yield Static(Text(_("Keys"), style="bold underline"))
            yield Static(keys)
            yield Static(Text("\n" + _("Filter"), style="bold underline"))
            yield Static(syntax)
            yield Static(Text("\n" + _("Esc closes this help."), style="dim"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
