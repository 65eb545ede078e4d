"""The filter bar: the compact filter text (aggregator/query), completed as you type; ↑ and ↓
go through the filters run before (filter_history, kept across sessions)."""

from __future__ import annotations

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input

from aggregator.i18n import N_, _
from aggregator.tui.filter_history import load_history, remembered, save_history

PLACEHOLDER = N_('kind:tender dep:13 deadline<15d cpv:45 "électricité" -nettoyage   (? for help)')


def completion(value: str) -> str | None:
    """The text with its last word completed: keys (``dea`` → ``deadline<``), then values
    (``dep:bou`` → ``dep:Bouches-du-Rhône``, ``kind:t`` → ``kind:tender``)."""
    from aggregator.query import complete

    options = complete(value, limit=1)
    return options[0] if options else None


class FilterSuggester(Suggester):
    """The hint drawn after the text typed: a completion that only continues it."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        # Input draws what follows len(value): a completion that rewrites the text typed
        # (case, accents, quotes: "reg:prov" → 'region:"Provence…"') would read as appended
        # to it ('reg:provvence-Alpes-Côte d'Azur"'). Tab still takes it (action_complete).
        suggestion = completion(value)
        return suggestion if suggestion and suggestion.startswith(value) else None


class FilterBar(Input):
    BINDINGS = [Binding("tab", "complete", _("Complete"), show=False),
                Binding("up", "history(-1)", _("Earlier filter"), show=False),
                Binding("down", "history(1)", _("Later filter"), show=False)]

    def __init__(self, value: str = "", **kwargs) -> None:
        super().__init__(value, placeholder=_(PLACEHOLDER), suggester=FilterSuggester(),
                         select_on_focus=False, **kwargs)
        self.history = load_history()
        self.position = len(self.history)  # len(history): the text being typed
        self.draft = value

    def remember(self, text: str) -> None:
        """A filter that ran: the newest of the history, saved."""
        history = remembered(self.history, text)
        if history != self.history:
            self.history = history
            save_history(history)
        self.position = len(self.history)

    def action_history(self, step: int) -> None:
        if self.position == len(self.history):
            self.draft = self.value  # what is being typed comes back after the newest
        self.position = min(max(self.position + step, 0), len(self.history))
        self.value = (self.history[self.position] if self.position < len(self.history)
                      else self.draft)
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        """Tab completes the last word, even when no hint shows it (``dep:bou`` →
        ``dep:Bouches-du-Rhône``); → takes only the hint shown."""
        suggestion = completion(self.value) if self.cursor_position == len(self.value) else None
        if suggestion:
            self.value = suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()

    def mark_invalid(self, invalid: bool) -> None:
        self.set_class(invalid, "-invalid")
