"""`e`: where to export the current results, and in which format (from the extension)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from aggregator.i18n import _

FORMATS = {".csv": "csv", ".jsonl": "json", ".json": "json", ".ics": "ics"}


def default_path() -> Path:
    return Path.home() / f"aggregator-{datetime.now():%Y%m%d-%H%M}.csv"


class ExportScreen(ModalScreen[tuple[Path, str] | None]):
    CSS_PATH = "export_screen.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, count_text: str, path: Path | None = None) -> None:
        super().__init__()
        self.count_text = count_text
        self.path = path or default_path()

    def compose(self) -> ComposeResult:
        with Vertical(id="export-body"):
            yield Static(Text(_("Export %(listings)s to (.csv for a spreadsheet, .jsonl or .ics):")
                              % {"listings": self.count_text}))
            yield Input(str(self.path), id="export-path")
            yield Static(id="export-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        fmt = FORMATS.get(path.suffix.lower())
        error = self.query_one("#export-error", Static)
        if fmt is None:
            error.update(Text(_("the file name must end in .csv, .jsonl or .ics"), style="red"))
            return
        if not path.parent.is_dir():  # said here, where the name can still be mended
            error.update(Text(_("no folder %(folder)s") % {"folder": path.parent}, style="red"))
            return
        self.dismiss((path, fmt))

    def action_cancel(self) -> None:
        self.dismiss(None)
