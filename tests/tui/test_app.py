"""The TUI driven as a person would: type a filter, move, open details, star, hide, export."""

from __future__ import annotations

import html
import re
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from textual.widgets import Tooltip

from aggregator.query import Filter, search
from aggregator.store.models import Listing
from aggregator.tui import app as app_module
from aggregator.tui.app import AggregatorApp
from aggregator.tui.detail_pane import DetailPane
from aggregator.tui.help_screen import HelpScreen
from aggregator.tui.results_table import ResultsTable
from tests.factories import NOW, item, write
from tests.tui.conftest import break_source


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def titles(app: AggregatorApp) -> list[str]:
    return [listing.title for listing in app.query_one(ResultsTable).listings]


def status(app: AggregatorApp) -> str:
    return str(app.query_one("#status-message").render())


def screen_text(app: AggregatorApp) -> str:
    """What the terminal shows, as plain text (from Textual's own SVG screenshot)."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in re.findall(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>',
                                 svg):
        rows.setdefault(float(y), []).append((float(x), html.unescape(text)))
    return "\n".join("".join(t for _, t in sorted(parts)).replace("\xa0", " ")
                     for _, parts in sorted(rows.items()))


def row_text(app: AggregatorApp, index: int) -> list[str]:
    return [cell.plain for cell in app.query_one(ResultsTable).get_row_at(index)]


@pytest.mark.asyncio
async def test_first_page_soonest_deadline_first_duplicates_once(tui_engine):
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert titles(app) == [
            "Maîtrise d'œuvre du stade", "Travaux d'électricité du groupe scolaire",
            "Peinture des écoles", "Développeur Python F/H", "[bold]Évil[/bold] red"]
        assert status(app) == "5 of 5 · open listings"
        # deadline countdown, closing soon in red
        first = app.query_one(ResultsTable).get_row_at(0)
        assert first[5].plain == "29/03/26 00:00 2d" and "red" in str(first[5].style)
        assert row_text(app, 2)[5] == "20/05/26 12:00 54d"


@pytest.mark.asyncio
async def test_typing_a_filter_runs_it_and_bad_filters_say_why(tui_engine):
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"kind:job", "enter")
        await settle(pilot)
        assert titles(app) == ["Développeur Python F/H", "[bold]Évil[/bold] red"]
        assert app.focused is app.query_one(ResultsTable)
        await pilot.press("slash", "end", "ctrl+u", *"electricite dpt:13", "enter")
        await settle(pilot)
        assert status(app).startswith("Filter not run: ")
        assert "unknown key 'dpt'" in status(app)
        assert app.query_one("#filter").has_class("-invalid")
        # the previous filter's results are not left on screen as if they were this one's
        assert titles(app) == [] and "Développeur" not in screen_text(app)
        await pilot.press(*["backspace"] * 7, "enter")
        await settle(pilot)
        assert titles(app) == ["Travaux d'électricité du groupe scolaire"]


@pytest.mark.asyncio
async def test_the_filter_bar_completes_keys_and_places(tui_engine):
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"reg")
        await pilot.pause(0.2)
        await pilot.press("tab", *"prov")
        await pilot.pause(0.2)
        await pilot.press("tab")
        assert app.query_one("#filter").value == 'region:"Provence-Alpes-Côte d\'Azur"'
        await pilot.press("enter")
        await settle(pilot)
        assert titles(app) == ["Maîtrise d'œuvre du stade",
                               "Travaux d'électricité du groupe scolaire"]


@pytest.mark.asyncio
async def test_the_filter_bar_hints_only_what_continues_the_text_typed(tui_engine):
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"reg:prov")
        await pilot.pause(0.2)
        line = screen_text(app).splitlines()[1]
        # its completion is 'region:"Provence…"': drawn after the text, it read as
        # 'reg:provvence-Alpes-Côte d'Azur"'
        assert line.strip("▊▎ ") == "reg:prov"
        await pilot.press("right")
        assert app.query_one("#filter").value == "reg:prov"  # → takes only a hint shown
        await pilot.press("tab")  # Tab still completes
        assert app.query_one("#filter").value == 'reg:"Provence-Alpes-Côte d\'Azur"'
        await pilot.press("ctrl+u", *"dep:Bou")
        await pilot.pause(0.2)
        assert "dep:Bouches-du-Rhône" in screen_text(app).splitlines()[1]


@pytest.mark.asyncio
async def test_details_show_description_all_sources_and_follow_the_cursor(tui_engine):
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        pane = app.query_one(DetailPane)
        assert pane.display
        text = screen_text(app)
        assert pane.listing_id == app.query_one(ResultsTable).listings[1].id
        assert "Mise en conformité des tableaux électriques." in text
        assert "Also published by" in text and "elec-ted" in text
        await pilot.press("down")
        await settle(pilot)
        assert pane.listing_id == app.query_one(ResultsTable).listings[2].id
        await pilot.press("escape")
        assert not pane.display


@pytest.mark.asyncio
async def test_star_and_hide_write_to_the_store(tui_engine):
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert row_text(app, 0)[0] == "★"
        await pilot.press("down", "h")
        await settle(pilot)
        assert "Travaux d'électricité du groupe scolaire" not in titles(app)
    with tui_engine.connect() as conn:
        flags = dict(conn.execute(select(Listing.source_id, Listing.starred)).all())
        hidden = dict(conn.execute(select(Listing.source_id, Listing.hidden)).all())
    assert flags["nice"] is True and flags["far"] is False
    assert hidden["elec"] is True and hidden["nice"] is False


@pytest.mark.asyncio
async def test_pages_are_fetched_as_the_cursor_nears_the_end(tui_engine):
    write(tui_engine, [item(f"bulk-{n}", title=f"Lot {n:02d}", location="Lille (59)",
                            deadline_at=f"2026-06-{1 + n % 28:02d}T12:00:00+02:00")
                       for n in range(40)], now=NOW)
    app = AggregatorApp(tui_engine, page_size=10, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table = app.query_one(ResultsTable)
        assert table.row_count == 10 and table.has_more
        for _ in range(12):
            await pilot.press("down")
            await settle(pilot)
        assert table.row_count >= 20
        for _ in range(8):
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.row_count == 45 and not table.has_more
        assert status(app) == "45 of 45 · open listings"


@pytest.mark.asyncio
async def test_header_click_sorts_in_the_database_and_shows_in_the_filter(tui_engine):
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table = app.query_one(ResultsTable)
        column = table.columns["title"]
        table.post_message(ResultsTable.HeaderSelected(table, column.key, 2, column.label))
        await settle(pilot)
        assert app.query_one("#filter").value == "sort:title"
        assert titles(app) == sorted(titles(app))
        table.post_message(ResultsTable.HeaderSelected(table, column.key, 2, column.label))
        await settle(pilot)
        assert app.query_one("#filter").value == "sort:-title"
        assert titles(app) == sorted(titles(app), reverse=True)


@pytest.mark.asyncio
async def test_listing_text_is_shown_as_typed(tui_engine):
    app = AggregatorApp(tui_engine, query="kind:job sort:-published", health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        cells = row_text(app, 0)  # the oldest first
        assert cells[2] == "[bold]Évil[/bold] red"  # no markup, no escape left
        assert cells[3] == "[red]Corp[/red]"


@pytest.mark.asyncio
async def test_open_help_export_and_source_health(tui_engine, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(AggregatorApp, "open_url", lambda self, url, **kw: opened.append(url))

    break_source(monkeypatch, "3 failed runs in a row")
    app = AggregatorApp(tui_engine, query="kind:tender")
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert "⚠ broken: boamp" in str(app.query_one("#source-health").render())
        await pilot.press("o")
        assert opened == ["https://www.boamp.fr/avis/nice"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("e")
        await pilot.pause()
        path_input = app.screen.query_one("#export-path")
        path_input.value = str(tmp_path / "tenders.csv")
        await pilot.press("enter")
        await settle(pilot)
    lines = (tmp_path / "tenders.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 3  # header + the 3 open tenders (the duplicate shown once)


# --- errors the app must survive -----------------------------------------------------------------

def locked(*_args, **_kwargs):
    """What SQLAlchemy raises while another process holds the SQLite write lock."""
    raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))


def fail_once(monkeypatch, name: str, when=lambda *args, **kwargs: True):
    """Make ``aggregator.tui.app.<name>`` raise "database is locked" the first time ``when``
    holds for its arguments, then behave again."""
    real = getattr(app_module, name)
    calls = []

    def flaky(*args, **kwargs):
        if not calls and when(*args, **kwargs):
            calls.append(args)
            locked()
        return real(*args, **kwargs)

    monkeypatch.setattr(app_module, name, flaky)
    return calls


def notifications(app: AggregatorApp) -> list[tuple[str, str]]:
    return [(n.message, n.severity) for n in app._notifications]


@pytest.mark.asyncio
async def test_rows_written_between_pages_are_shown_once(tui_engine):
    write(tui_engine, [item(f"bulk-{n}", title=f"Lot {n:02d}", location="Lille (59)",
                            deadline_at=f"2026-06-{1 + n % 28:02d}T12:00:00+02:00")
                       for n in range(40)], now=NOW)
    before = {listing.id for listing in search(tui_engine, Filter().page(0, None))}
    app = AggregatorApp(tui_engine, page_size=10, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table = app.query_one(ResultsTable)
        assert table.row_count == 10
        # a crawl writes, while the person scrolls, listings that sort before the first page:
        # the next page (by offset) starts with rows already shown
        write(tui_engine, [item(f"early-{n}", title=f"Urgent {n}", location="Lille (59)",
                                deadline_at="2026-03-28T12:00:00+01:00") for n in range(12)],
              now=NOW)
        for _ in range(12):
            await pilot.press("pagedown")
            await settle(pilot)
        assert app.is_running
        shown = [listing.id for listing in table.listings]
        assert len(shown) == len(set(shown)) == table.row_count
        assert before <= set(shown)  # every listing of the search is reached, none twice
        assert not table.has_more


@pytest.mark.asyncio
async def test_a_failing_count_is_shown_and_the_app_goes_on(tui_engine, monkeypatch):
    fail_once(monkeypatch, "count")
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert app.is_running
        assert len(titles(app)) == 5  # the page came before the count failed
        assert "database is locked" in status(app)
        assert app.query_one("#status-message").has_class("-error")
        await pilot.press("r")
        await settle(pilot)
        assert status(app) == "5 of 5 · open listings"
        assert not app.query_one("#status-message").has_class("-error")


@pytest.mark.asyncio
async def test_a_failing_search_is_shown_and_the_app_goes_on(tui_engine, monkeypatch):
    fail_once(monkeypatch, "search")
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert app.is_running and "database is locked" in status(app)
        await pilot.press("r")
        await settle(pilot)
        assert len(titles(app)) == 5


@pytest.mark.asyncio
async def test_a_failing_next_page_is_shown_and_fetched_again(tui_engine, monkeypatch):
    write(tui_engine, [item(f"bulk-{n}", title=f"Lot {n:02d}", location="Lille (59)",
                            deadline_at=f"2026-06-{1 + n % 28:02d}T12:00:00+02:00")
                       for n in range(40)], now=NOW)
    failed = fail_once(monkeypatch, "search", lambda engine, filter: filter.offset > 0)
    app = AggregatorApp(tui_engine, page_size=10, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        table = app.query_one(ResultsTable)
        for _ in range(5):  # row 5: five rows from the end, the next page is asked for
            await pilot.press("down")
            await settle(pilot)
        assert failed and app.is_running
        assert table.row_count == 10 and "database is locked" in status(app)
        await pilot.press("down")  # moving on asks for the page again
        await settle(pilot)
        assert table.row_count == 20
        assert status(app) == "20 of 45 · open listings"


@pytest.mark.asyncio
async def test_failing_details_flags_and_export_keep_the_app_running(tui_engine, monkeypatch,
                                                                     tmp_path):
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        fail_once(monkeypatch, "get_listing")
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert "database is locked" in str(app.query_one("#detail-body").render())
        await pilot.press("down", "up")  # the next look reads it again
        await settle(pilot)
        assert app.query_one(DetailPane).listing_id == app.query_one(ResultsTable).listings[0].id

        fail_once(monkeypatch, "set_flags")
        await pilot.press("escape", "s")
        await settle(pilot)
        assert app.is_running and row_text(app, 0)[0] == ""  # not starred: nothing written
        assert any("database is locked" in message and severity == "error"
                   for message, severity in notifications(app))

        fail_once(monkeypatch, "stream")  # the export reads its rows in batches
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(tmp_path / "out.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert [m for m, s in notifications(app) if s == "error"][-1].startswith(
            "Export failed: database is locked")
    with tui_engine.connect() as conn:
        assert not any(conn.execute(select(Listing.starred)).scalars())


@pytest.mark.asyncio
async def test_the_health_tooltip_shows_the_reason_as_typed(tui_engine, monkeypatch):
    reason = "failed: [bold]KeyError[/] in parse_notice [/not-markup]"

    break_source(monkeypatch, reason)
    app = AggregatorApp(tui_engine, query="kind:tender")
    async with app.run_test(size=(140, 30), tooltips=True) as pilot:
        await settle(pilot)
        await pilot.hover("#source-health")
        await pilot.pause(app.TOOLTIP_DELAY + 0.3)
        tooltip = app.screen.query_one(Tooltip)
        assert app.is_running and tooltip.display
        assert str(tooltip.render()) == f"boamp: {reason}"


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "lines"), [
    ("fr", ["Pourquoi elle correspond", "titre : Travaux d'électricité du groupe scolaire",
            "CPV : 45310000 {cpv} → cpv:4531", "lieu : Marseille 13e → dep:13"]),
    ("en", ["Why it matched", "title: Travaux d'électricité du groupe scolaire",
            "CPV: 45310000 {cpv} → cpv:4531", "place: Marseille 13e → dep:13"]),
])
async def test_details_say_why_the_listing_matched(tui_engine, request, lang, lines):
    from aggregator.normalize.cpv import lookup

    if lang == "fr":  # French by default
        request.getfixturevalue("default_language")
    app = AggregatorApp(tui_engine, "électricité cpv:4531 dep:13", health=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert titles(app) == ["Travaux d'électricité du groupe scolaire"]
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        for line in lines:
            assert line.format(cpv=getattr(lookup("45310000"), lang)) in text


@pytest.mark.asyncio
async def test_the_filter_bar_completes_cpv_codes_and_names_them(tui_engine):
    from aggregator.normalize.cpv import lookup

    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"cpv:453")
        await pilot.pause(0.2)
        await pilot.press("tab")
        assert app.query_one("#filter").value == "cpv:4531"
        assert status(app) == f"cpv: 45310000 {lookup('45310000').en}"
        await pilot.press("enter")
        await settle(pilot)
        assert titles(app) == ["Travaux d'électricité du groupe scolaire"]
        # a label's words: accepted, and the echo shows the codes they stand for
        await pilot.press("slash", "end", "ctrl+u", *'cpv:"electrical installation work"',
                          "enter")
        await settle(pilot)
        assert titles(app) == ["Travaux d'électricité du groupe scolaire"]
        assert "· cpv:" in status(app) and "4531" in status(app)



def field(text: str, name: str) -> str:
    """The value of a field of the details pane (``kind`` → ``tender``)."""
    return next(line.split("▏")[-1][len(name):].strip() for line in text.splitlines()
                if line.split("▏")[-1].startswith(f"{name} "))


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "words", "tender", "job"), [
    ("fr", ("type", "statut"), ("appel d'offres", "ouverte"), ("offre d'emploi", "ouverte")),
    ("en", ("kind", "status"), ("tender", "open"), ("job", "open")),
])
async def test_details_name_the_kind_and_status_in_the_readers_language(
        tui_engine, request, lang, words, tender, job):
    if lang == "fr":  # French by default
        request.getfixturevalue("default_language")
    app = AggregatorApp(tui_engine, "électricité cpv:4531 dep:13", health=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app).split("Travaux d'électricité du groupe scolaire")[-1]
        assert tuple(field(text, word) for word in words) == tender
        await pilot.press("slash", "end", "ctrl+u", *"kind:job", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app).split("Développeur Python F/H")[-1]
        assert tuple(field(text, word) for word in words) == job


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "reason"), [
    ("fr", "boamp: deux fois de suite : échec : le processus de collecte a été tué (SIGKILL) "
           "(avant : échec)"),
    ("en", "boamp: twice in a row: failed: the crawl process was killed (SIGKILL) "
           "(before: failed)"),
])
async def test_the_health_tooltip_reads_the_stored_note_in_the_readers_language(
        tui_engine, request, lang, reason):
    from aggregator.store.runs import finish_run, start_run

    if lang == "fr":  # French by default
        request.getfixturevalue("default_language")
    for _ in range(2):  # stored in English, as the crawl machinery writes it
        finish_run(tui_engine, start_run(tui_engine, "boamp"), outcome="failed",
                   error_summary="the crawl process was killed (SIGKILL)")
    app = AggregatorApp(tui_engine, query="kind:tender")
    async with app.run_test(size=(140, 30), tooltips=True) as pilot:
        await settle(pilot)
        await pilot.hover("#source-health")
        await pilot.pause(app.TOOLTIP_DELAY + 0.3)
        assert str(app.screen.query_one(Tooltip).render()) == reason
