"""Fitted tables (aggregator/terminal/fit.py) decide which columns fit from the least width
they compute, without Rich measuring every cell: that width must be Rich's own."""

from __future__ import annotations

import random

import pytest
from rich.text import Text

from aggregator.terminal.console import console
from aggregator.terminal.fit import WORD_MAX, WORD_MIN, Column, _table

WORDS = ["Travaux", "d'électricité", "Saint-Rémy-de-Provence", "Aix-en-Provence", "(13)",
         "EHPAD", "réhabilitation-extension-restructuration", "東京都", "😀", "[b]x[/b]",
         "\x1b[31mrouge", "a", "", "04/12/2026", "23:00", "(aujourd'hui)", "12345"]
COLUMNS = [
    Column("id", "id", {"justify": "right"}),
    Column("title", "titre", {"ratio": 1}, wraps=True, least=30),
    Column("organisation", "organisation", wraps=True),
    Column("place", "lieu", wraps_last=True),
    Column("deadline", "date limite", wraps_last=True),
    Column("source", "source"),
]


def _cell(rng: random.Random) -> Text:
    words = [rng.choice(WORDS) for _ in range(rng.randint(0, 6))]
    return Text(("\n" if rng.random() < 0.1 else " ").join(words))


@pytest.mark.parametrize("seed", range(12))
def test_the_least_width_is_the_one_rich_measures(seed):
    rng = random.Random(seed)
    rows = [{column.name: _cell(rng) for column in COLUMNS} for _ in range(rng.randint(0, 30))]
    shown = [c.name for c in COLUMNS if c.name in ("id", "title") or rng.random() < 0.7]
    columns = [Column(c.name, c.heading, c.options, wraps=c.wraps or c.wraps_last, least=c.least)
               if rng.random() < 0.5 else c for c in COLUMNS]
    for options in ({"expand": True, "pad_edge": False}, {}, {"show_edge": False}):
        for word_max in (WORD_MAX, WORD_MIN):
            table, narrowest, _natural = _table(columns, rows, shown, options, word_max)
            measured = table.__rich_measure__(console, console.options.update_width(10_000))
            assert narrowest == measured.minimum


@pytest.mark.parametrize("width", [89, 100, 160])  # 89: its least width
def test_a_table_that_fits_fills_the_terminal_and_cuts_no_word(width):
    from rich.console import Console

    from aggregator.terminal.fit import fitted_table

    columns = [Column("id", "id", {"justify": "right"}),
               Column("title", "titre", {"ratio": 3}, wraps=True, least=30),
               Column("name", "nom", wraps=True),
               Column("place", "lieu", {"ratio": 1}, wraps=True),
               Column("deadline", "date limite", wraps_last=True)]
    rows = [{"id": Text("5"), "title": Text("Développeur F/H"), "name": Text("Électricité 13"),
             "place": Text("La Penne-sur-Huveaune (13)"), "deadline": Text("")},
            {"id": Text("279"), "title": Text("Principal Research Scientist - RF MMIC Design "
                                              "(Richardson, TX, US, 75080)"),
             "name": Text("Dev"), "place": Text("Richardson"), "deadline": Text("")}]
    table = fitted_table(columns, rows, width, (), expand=True)
    terminal = Console(width=width, record=True)
    terminal.print(table)
    lines = terminal.export_text().splitlines()
    assert {len(line) for line in lines} == {width}
    shown = "\n".join(lines)
    assert "Penne-sur-Huveaune" in shown and "…" not in shown
    if width >= 100:
        assert "Électricité 13" in shown  # the room a line wants before the ratios share


def test_the_ratio_columns_share_their_whole_width_not_only_the_room_left():
    from rich.console import Console

    from aggregator.terminal.fit import fitted_table

    columns = [Column("id", "id", {"justify": "right"}),
               Column("title", "titre", {"ratio": 3}, wraps=True, least=30),
               Column("place", "lieu", {"ratio": 1}, wraps=True),
               Column("deadline", "date limite", wraps_last=True)]
    rows = [{"id": Text("282"), "title": Text("Location, montage et démontage de matériel pour "
                                              "l'alimentation électrique - Relance"),
             "place": Text("Var (83)"), "deadline": Text("16/09/2026 16:30 (35 j)")}]
    terminal = Console(width=80, record=True)
    terminal.print(fitted_table(columns, rows, 80, (), expand=True))
    # a quarter of the ratio columns' 55 cells holds "Var (83)": it is not cut to its words
    assert "│ Var (83) │" in terminal.export_text()
