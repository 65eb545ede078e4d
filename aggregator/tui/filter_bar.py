"""The filter bar: the compact filter text (aggregator/query), completed as you type."""

from __future__ import annotations

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input

PLACEHOLDER = 'kind:tender dep:13 deadline<15d cpv:45 "électricité" -nettoyage   (? for help)'


class FilterSuggester(Suggester):
    """Completes the word being typed: keys (``dea`` → ``deadline<``), then values
    (``dep:bou`` → ``dep:Bouches-du-Rhône``, ``kind:t`` → ``kind:tender``)."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        from aggregator.query import complete

        options = complete(value, limit=1)
        return options[0] if options else None


class FilterBar(Input):
    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]

    def __init__(self, value: str = "", **kwargs) -> None:
        super().__init__(value, placeholder=PLACEHOLDER, suggester=FilterSuggester(),
                         select_on_focus=False, **kwargs)

    def action_complete(self) -> None:
        """Tab takes the suggestion (like → at the end of the line)."""
        if self._suggestion and self.cursor_position == len(self.value):
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()

    def mark_invalid(self, invalid: bool) -> None:
        self.set_class(invalid, "-invalid")
