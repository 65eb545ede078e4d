"""Tables fitted to the terminal's width, shared by `list` and `runs`: optional columns are
left out by priority until the rest fits, and no word is ever split across lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

WORD_MAX = 20  # a longer word may end in "…" rather than widen its column further
WORD_MIN = 8  # how far a long word may be cut when nothing else is left to make room


@dataclass(frozen=True)
class Column:
    """One column: its key in the rows, its heading, Rich options (``justify``,
    ``ratio``...). A ``wraps`` column breaks its text between words and is never narrower
    than its longest word (up to WORD_MAX) nor than ``least``; any other column is as wide
    as its widest cell, unless ``wraps_last``: it then wraps too, but only once every
    optional column is out and the table still does not fit. ``prefers``: a least width it
    is given when the table fits with it, never at the cost of an optional column or a cut
    word (a place's name on one line, "La Penne-sur-Huveaune", its code below)."""

    name: str
    heading: str
    options: Mapping[str, Any] = field(default_factory=dict)
    wraps: bool = False
    least: int = 0
    wraps_last: bool = False
    prefers: int = 0


def _least_width(column: Column, cells: list[Text], word_max: int,
                 prefer: bool) -> tuple[int, int]:
    """(the column's least width, the width Rich measures it at least: a wrapped column is
    as wide as its longest word, even one longer than ``word_max``, unless its width is set)."""
    if column.wraps:
        words = max((cell_len(w) for cell in cells for w in cell.plain.split()), default=1)
        least = max(column.least, column.prefers if prefer else 0, min(words, word_max),
                    cell_len(column.heading))
        return least, least if "ratio" in column.options else max(least, words)
    least = max(max((cell.cell_len for cell in cells), default=1), cell_len(column.heading))
    return least, least


def _table(columns: Sequence[Column], rows: Sequence[Mapping[str, Text]], shown: list[str],
           table_options: Mapping[str, Any], word_max: int = WORD_MAX, prefer: bool = False
           ) -> tuple[Table, int, list[int]]:
    """The table, the least width Rich measures it at (its columns', their padding and its
    rules: tests/cli/test_fit.py holds the two equal) and each column's widest line."""
    # Wrapped cells break between words; a word longer than its column ends in "…" rather
    # than going on the next line ("Arlingto / n"). Rich shares the width by ratio from a
    # ratio column's ``width`` and measures the others from ``min_width``.
    table = Table(**table_options)
    narrowest = 0
    natural: list[int] = []  # each column's longest line: what _filled gives it if it can
    for column in columns:
        if column.name in shown:
            cells = [row[column.name] for row in rows]
            least, measured = _least_width(column, cells, word_max, prefer)
            # a ratio column's width is set; another's least is what Rich measures anyway
            size = {"width": least} if "ratio" in column.options else {"min_width": measured}
            table.add_column(column.heading, overflow="ellipsis",
                             no_wrap=not column.wraps, **column.options, **size)
            natural.append(max([measured, cell_len(column.heading),
                                *(cell_len(line) for cell in cells
                                  for line in cell.plain.split("\n"))]))
            narrowest += measured
    for row in rows:
        table.add_row(*(row[name] for name in shown))
    return table, narrowest + frame_width(table), natural


def frame_width(table: Table) -> int:
    """The width of ``table``'s rules and cell padding (as Rich adds them to its cells)."""
    count = len(table.columns)
    rules = (2 if table.box and table.show_edge else 0) + (count - 1 if table.box else 0)
    _top, right, _bottom, left = table.padding
    if table.collapse_padding:
        left, right = 0, abs(left - right)
    padding = (left + right) * count
    if not table.pad_edge and count:
        padding -= left + right
    return rules + padding


def fitted_table(columns: Sequence[Column], rows: Sequence[Mapping[str, Text]], width: int,
                 optional: Sequence[tuple[str, int]], **table_options: Any) -> Table:
    """A table of ``rows`` (column name → cell) for a terminal ``width`` wide. The
    ``optional`` columns (name, width below which it is left out anyway) are left out in
    that order, least useful first, until the table fits without splitting a word; the
    other columns always stay."""
    shown = [column.name for column in columns]

    preferences = (True, False) if any(column.prefers for column in columns) else (False,)

    def fitting(these: Sequence[Column], word_max: int = WORD_MAX
                ) -> tuple[Table, int, list[int]] | None:
        # the least width Rich would measure, without measuring every cell again: Rich does
        # so once more to print the table, and each measure was a tenth of a command's time
        for prefer in preferences:
            built = _table(these, rows, shown, table_options, word_max, prefer)
            if built[1] <= width:
                return built
        return None

    for name, below in optional:
        if width >= below and (built := fitting(columns)) is not None:
            return _filled(*built, width)
        shown.remove(name)
    if (built := fitting(columns)) is not None:
        return _filled(*built, width)
    wrapping = [replace(column, wraps=True) if column.wraps_last else column
                for column in columns]
    # still too wide (a long place name): long words are cut shorter, down to WORD_MIN
    for word_max in range(WORD_MAX, WORD_MIN - 1, -2):
        if (built := fitting(wrapping, word_max)) is not None:
            return _filled(*built, width)
    return _filled(*_table(wrapping, rows, shown, table_options, WORD_MIN), width)


def _filled(table: Table, narrowest: int, natural: list[int], width: int) -> Table:
    """``table`` as wide as ``width``, its columns as wide as ``shared_widths`` says. Rich
    would share the room from the ratios alone, then take back what overflows from every
    wrapping column, cutting a word that fitted ("Penne-sur-Huvea…" in a table narrower
    than the terminal)."""
    if not table.expand or not any(column.ratio for column in table.columns) \
            or narrowest > width:
        return table
    # a ratio column's least is its set width, another's the width Rich measures
    least = [(column.width if column.ratio else column.min_width) or 0
             for column in table.columns]
    room = width - narrowest + sum(least)  # the width the cells share, rules and padding out
    widths = shared_widths(least, natural, [column.ratio for column in table.columns], room)
    for column, wide in zip(table.columns, widths, strict=True):
        column.width = wide
        column.ratio = None
    table.expand = False
    return table


def shared_widths(least: Sequence[int], natural: Sequence[int],
                  ratios: Sequence[int | None], room: int) -> list[int]:
    """Each column's width when they share ``room`` cells (at least the sum of their
    ``least``): the room beyond their least widths goes first to the columns without a
    ratio, up to their ``natural`` (widest line), then to the ratio columns, shared as their
    ratios say but none cut below its least or left wider than its widest line while the
    first (the title) can take the room. The results table of the TUI shares its width so
    too (aggregator/tui/results_table.py)."""
    widths = list(least)
    spare = room - sum(least)
    for index, ratio in enumerate(ratios):
        if not ratio:  # the others first get the room their lines want
            grown = max(0, min(spare, natural[index] - least[index]))
            widths[index] += grown
            spare -= grown
    # the ratio columns' widths in all as their ratios say, none below its least nor above
    # its widest line while another can take the rest
    left = [index for index, ratio in enumerate(ratios) if ratio]
    total = spare + sum(widths[index] for index in left)
    while left:
        shares = sum(ratios[index] or 0 for index in left)
        targets = {index: total * (ratios[index] or 0) / shares for index in left}
        bound = next((i for i in left if targets[i] < widths[i]), None)
        if bound is None:
            bound = next((i for i in left[1:] if targets[i] > natural[i]), None)
            if bound is None:
                break
            widths[bound] = natural[bound]
        total -= widths[bound]
        left.remove(bound)
    if left:  # the first (the title) takes the rounding's remainder
        for index in left[1:]:
            widths[index] = int(total * (ratios[index] or 0) / shares)
        widths[left[0]] = total - sum(widths[index] for index in left[1:])
    return widths
