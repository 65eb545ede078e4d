"""The layout, fixed by snapshots (pytest-textual-snapshot; update with --snapshot-update).
Clock frozen on 27 March 2026 10:00 Paris, so the countdowns do not move."""

from __future__ import annotations

from aggregator.tui.app import AggregatorApp
from tests.factories import item, write

CLOSED = [
    item("ft", kind="job", source="francetravail", title="Électricien bâtiment H/F",
         location="Aix-en-Provence", postal_code="13090", organization="Elec Sud",
         contract_type="CDD", published_at="2026-03-26T10:00:00+01:00"),
    item("done", title="Réfection de toiture (attribué)", location="Toulon (83)",
         organization="Ville de Toulon", deadline_at="2026-03-01T12:00:00+01:00",
         cpv=["45261000", "45261210"], status="closed"),
]


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_results(snap_compare, tui_engine):
    app = AggregatorApp(tui_engine, health=False)
    assert snap_compare(app, terminal_size=(120, 24), run_before=_settle)


def test_details_of_a_duplicated_tender(snap_compare, tui_engine):
    async def open_details(pilot) -> None:
        await _settle(pilot)
        await pilot.press("down", "enter")
        await _settle(pilot)

    app = AggregatorApp(tui_engine, query="kind:tender", health=False)
    assert snap_compare(app, terminal_size=(130, 34), run_before=open_details)


def test_narrow_terminal_with_a_bad_filter(snap_compare, tui_engine):
    async def bad_filter(pilot) -> None:
        await _settle(pilot)
        await pilot.press("slash", *"dpt:13", "enter")
        await _settle(pilot)

    app = AggregatorApp(tui_engine, health=False)
    assert snap_compare(app, terminal_size=(80, 20), run_before=bad_filter)


def test_help(snap_compare, tui_engine):
    async def help_screen(pilot) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    app = AggregatorApp(tui_engine, health=False)
    assert snap_compare(app, terminal_size=(120, 34), run_before=help_screen)


def test_80x24_all_kinds_details_open(snap_compare, tui_engine):
    """The smallest ordinary terminal: title, place and deadline whole, closed rows dimmed,
    the compact footer whole; then the details pane beside the results."""
    async def details(pilot) -> None:
        await _settle(pilot)
        await pilot.press("j", "enter")
        await _settle(pilot)

    write(tui_engine, CLOSED)
    app = AggregatorApp(tui_engine, query="status:all", health=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=details)


def test_160x45_every_column(snap_compare, tui_engine):
    write(tui_engine, CLOSED)
    app = AggregatorApp(tui_engine, query="status:all", health=False)
    assert snap_compare(app, terminal_size=(160, 45), run_before=_settle)
