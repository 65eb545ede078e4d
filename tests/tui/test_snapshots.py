"""The layout, fixed by snapshots (pytest-textual-snapshot; update with --snapshot-update).
Clock frozen on 27 March 2026 10:00 Paris, so the countdowns do not move."""

from __future__ import annotations

from aggregator.tui.app import AggregatorApp


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
