"""The TUI in an ordinary terminal: nothing cut, closed rows read as closed, the count and
the filter say what is on screen, vi keys, filter history, a sort key, and an export that
says what it did."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aggregator.tui.app import AggregatorApp
from aggregator.tui.filter_history import load_history
from aggregator.tui.results_table import ResultsTable
from tests.factories import item, write
from tests.tui.conftest import break_source
from tests.tui.test_app import notifications, screen_text, settle, status, titles

EXTRA = [
    item("ft", kind="job", source="francetravail", title="Électricien bâtiment H/F",
         location="Aix-en-Provence", postal_code="13090", organization="Elec Sud",
         contract_type="CDD", published_at="2026-03-26T10:00:00+01:00"),
    item("done", title="Réfection de toiture (attribué)", location="Toulon (83)",
         organization="Ville de Toulon", deadline_at="2026-03-01T12:00:00+01:00",
         cpv=["45261000", "45261210"], status="closed"),
]


@pytest.fixture
def engine_plus(tui_engine):
    write(tui_engine, EXTRA)
    return tui_engine


def table(app: AggregatorApp) -> ResultsTable:
    return app.query_one(ResultsTable)


def column_text(app: AggregatorApp, key: str) -> list[str]:
    rows = table(app)
    return [str(rows.get_cell(str(listing.id), key)) for listing in rows.listings]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)])
async def test_no_column_is_cut(engine_plus, size):
    app = AggregatorApp(engine_plus, query="status:all", health=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        rows = table(app)
        assert "title" in rows.widths and "place" in rows.widths and "deadline" in rows.widths
        for key in ("kind", "place", "deadline", "terms", "source"):
            if key in rows.widths:
                widest = max(len(text) for text in column_text(app, key))
                assert rows.columns[key].width >= widest
        shown = screen_text(app)
        if "source" in rows.widths:
            assert "francetravail" in shown and "contract/CPV" in shown
        assert "francetravai " not in shown and "contract/C " not in shown
        assert rows.widths["title"] >= 30
    if size[0] >= 160:
        assert set(rows.widths) == {"star", "kind", "title", "organization", "place",
                                    "deadline", "terms", "source"}


PLACES = [
    item("penne", kind="job", source="lever", title="Développeur F/H", organization="Akanea",
         location="La Penne-sur-Huveaune (13)", published_at="2026-03-26T09:00:00+01:00"),
    item("guy", title="Prestations de transports d'échantillons biologiques",
         location="Guyancourt (78)", organization="Centre hospitalier de Versailles",
         deadline_at="2035-11-06T00:00:00+01:00", cpv=["60161000"]),
    item("hl", title="Travaux de rénovation des batteries", location="Haute-Loire (43)",
         organization="Département de la Haute-Loire", deadline_at="2026-04-14T12:00:00+02:00"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (160, 30)])
async def test_a_place_that_fits_is_whole_and_the_title_takes_the_room_left(tui_engine, size):
    write(tui_engine, PLACES)
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        rows = table(app)
        shown = screen_text(app)
        # was "Guyancourt …" and "Haute-Loire…" at 80 columns: the longest place (26 cells)
        # cut every place to 12
        assert "Guyancourt (78)" in shown and "Haute-Loire (43)" in shown
        assert rows.widths["title"] >= 30
        if size[0] >= 160:  # room for the longest place; title and organisation share 3:2
            assert "La Penne-sur-Huveaune (13)" in shown
            assert rows.widths["title"] > rows.widths["organization"] >= 12
        else:  # cut, it still says where: its department stays
            assert re.search(r"La Penne-sur-?[^ ]*… \(13\)", shown), shown
        # the title takes what the others leave: the table is as wide as the terminal
        padding, scrollbar = 2, 2
        assert sum(rows.widths.values()) + padding * len(rows.widths) + scrollbar == size[0]


@pytest.mark.asyncio
async def test_a_place_cut_to_its_column_is_cut_again_when_the_column_changes(tui_engine):
    write(tui_engine, PLACES)
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        columns = list(table(app).widths)
        assert "La Penne-sur-Huveaune (13)" not in screen_text(app)
        await pilot.resize_terminal(88, 24)  # the same columns, room for the whole place
        await settle(pilot)
        assert list(table(app).widths) == columns
        assert "La Penne-sur-Huveaune (13)" in screen_text(app)


@pytest.mark.asyncio
async def test_the_details_pane_takes_room_from_the_least_useful_columns(engine_plus):
    app = AggregatorApp(engine_plus, query="kind:job", health=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        # jobs have no deadline: the empty column takes no room
        assert "deadline" not in table(app).widths
        before = set(table(app).widths)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#detail").has_class("-open")
        assert table(app).widths["title"] >= 30
        assert "source" not in table(app).widths  # gone first
        assert set(table(app).widths) < before


@pytest.mark.asyncio
async def test_the_as_of_notice_goes_when_a_listing_is_opened_and_the_day_stays(engine_plus):
    note = "Recorded listings (a replay, no network), as of Friday 27 March 2026."
    as_of = datetime(2026, 3, 27, 23, 59, tzinfo=ZoneInfo("Europe/Paris"))
    app = AggregatorApp(engine_plus, health=False, as_of=as_of, note=note)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert [message for message, _severity in notifications(app)] == [note]
        await pilot.press("enter")
        await settle(pilot)
        # it lay over the right half of the details for 15 seconds
        assert notifications(app) == []
        shown = screen_text(app)
        assert "a replay" not in shown
        assert "Métropole Nice Côte d'Azur" in shown
        # the day is still in sight, the note on hover
        assert shown.splitlines()[-2].rstrip().endswith("as of 27/03/2026")
        assert str(app.query_one("#as-of").tooltip) == note


@pytest.mark.asyncio
async def test_the_day_read_at_speaks_french(engine_plus, default_language):
    as_of = datetime(2026, 3, 27, 23, 59, tzinfo=ZoneInfo("Europe/Paris"))
    app = AggregatorApp(engine_plus, health=False, as_of=as_of, note="Annonces enregistrées")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_text(app).splitlines()[-2].rstrip().endswith("au 27/03/2026")


@pytest.mark.asyncio
async def test_without_a_note_the_status_line_names_no_day(engine_plus):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert notifications(app) == []
        assert "as of" not in screen_text(app)


@pytest.mark.asyncio
async def test_the_footer_fits_80_columns(engine_plus):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for label in ("Filter", "Export", "Sort", "Help", "Quit"):
            assert label in footer


@pytest.mark.asyncio
async def test_closed_listings_are_dimmed(engine_plus):
    app = AggregatorApp(engine_plus, query="status:all kind:tender", health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        rows = table(app)
        for listing in rows.listings:
            cell = rows.get_cell(str(listing.id), "title")
            dimmed = any("dim" in str(span.style) for span in cell.spans)
            assert dimmed == (listing.status != "open"), listing.title


@pytest.mark.asyncio
async def test_hiding_updates_the_count(engine_plus):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert status(app) == "6 of 6 · open listings"
        await pilot.press("h")
        await settle(pilot)
        assert status(app) == "5 of 5 · open listings"


@pytest.mark.asyncio
async def test_j_and_k_move_the_cursor(engine_plus):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        assert table(app).cursor_row == 2
        await pilot.press("k")
        assert table(app).cursor_row == 1


@pytest.mark.asyncio
async def test_filter_history_goes_back_and_is_kept(engine_plus):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        for query in ("kind:job", "dep:13", "dpt:13"):  # the last one is refused
            await pilot.press("slash", "end", "ctrl+u", *query, "enter")
            await settle(pilot)
        await pilot.press("slash", "end", "ctrl+u", *"pein")
        await pilot.press("up")
        assert app.filter_bar.value == "dep:13"
        await pilot.press("up")
        assert app.filter_bar.value == "kind:job"
        await pilot.press("up")  # the oldest stays
        assert app.filter_bar.value == "kind:job"
        await pilot.press("down", "down")
        assert app.filter_bar.value == "pein"  # what was being typed
    assert load_history() == ["kind:job", "dep:13"]
    again = AggregatorApp(engine_plus, health=False)
    async with again.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "up")
        assert again.filter_bar.value == "dep:13"
        await pilot.press("enter")
        await settle(pilot)
        assert sorted(titles(again)) == ["Travaux d'électricité du groupe scolaire",
                                         "Électricien bâtiment H/F"]
        assert status(again).endswith("· dep:13")


@pytest.mark.asyncio
async def test_S_cycles_the_sort(engine_plus):
    app = AggregatorApp(engine_plus, query="kind:tender", health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(4):
            await pilot.press("S")
            await settle(pilot)
            seen.append(app.filter.sort)
            assert f"sort:{app.filter.sort}" in app.filter_bar.value
        assert seen == ["deadline", "published", "title", "deadline"]
        await pilot.press("S", "S")
        await settle(pilot)
        assert app.filter.sort == "title"
        assert titles(app) == ["Maîtrise d'œuvre du stade", "Peinture des écoles",
                               "Travaux d'électricité du groupe scolaire"]


async def export_from_the_tui(engine, query: str, path) -> list[str]:
    """Press e on ``query``'s results, export to ``path``: the notifications shown."""
    app = AggregatorApp(engine, query=query, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        return [n.message for n in app._notifications]


@pytest.mark.asyncio
async def test_exporting_jobs_to_a_calendar_says_there_is_nothing(engine_plus, tmp_path):
    messages = await export_from_the_tui(engine_plus, "kind:job", tmp_path / "jobs.ics")
    assert not (tmp_path / "jobs.ics").exists()
    assert any(m.startswith("Nothing to export: none of these listings has a deadline")
               for m in messages), messages
    assert not any("0 " in m and "written" in m and "not written" not in m for m in messages)


@pytest.mark.asyncio
@pytest.mark.parametrize(("language", "said"), [
    ("en", {"prompt": "Export 3 listings to (.csv for a spreadsheet, .jsonl or .ics):",
            "refused": "the file name must end in .csv, .jsonl or .ics",
            "written": "3 listings written to", "broken": "⚠ broken: boamp",
            "csv": '\ufeff"kind","source","source_id"'}),
    ("fr", {"prompt": "Exporter 3 annonces vers (.csv pour un tableur, .jsonl ou .ics) :",
            "refused": "le nom du fichier doit finir par .csv, .jsonl ou .ics",
            "written": "3 annonces écrites dans", "broken": "⚠ en panne : boamp",
            "csv": '\ufeff"kind";"source";"source_id"'}),
])
async def test_export_and_health_speak_the_readers_language(tui_engine, tmp_path, monkeypatch,
                                                            language, said):
    from aggregator import i18n

    monkeypatch.setenv(i18n.LANGUAGE_ENV, language)
    i18n.set_language(None)

    break_source(monkeypatch, "twice in a row")
    app = AggregatorApp(tui_engine, query="kind:tender")
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert said["broken"] in str(app.query_one("#source-health").render())
        await pilot.press("e")
        await pilot.pause()
        assert said["prompt"] in screen_text(app)
        app.screen.query_one("#export-path").value = str(tmp_path / "tenders.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert said["refused"] in str(app.screen.query_one("#export-error").render())
        app.screen.query_one("#export-path").value = str(tmp_path / "tenders.csv")
        await pilot.press("enter")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
    assert any(m.startswith(said["written"]) for m in messages), messages
    # for a spreadsheet in the reader's language (in French: ';' between cells)
    assert (tmp_path / "tenders.csv").read_text(encoding="utf-8").startswith(said["csv"])


@pytest.mark.asyncio
async def test_exporting_tenders_to_a_calendar_writes_one_event_per_deadline(engine_plus,
                                                                             tmp_path):
    messages = await export_from_the_tui(engine_plus, "kind:tender", tmp_path / "tenders.ics")
    calendar = (tmp_path / "tenders.ics").read_bytes()  # streamed: one event at a time
    assert calendar.startswith(b"BEGIN:VCALENDAR") and calendar.endswith(b"END:VCALENDAR\r\n")
    events = calendar.count(b"BEGIN:VEVENT")
    assert events and any(m.startswith(f"{events} deadline event") for m in messages), messages


@pytest.mark.asyncio
async def test_the_details_open_under_the_results_below_120_columns_after_any_resize(
        engine_plus):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.query_one("#main")
        for width, narrow in ((130, False), (80, True), (121, False), (119, True)):
            await pilot.resize_terminal(width, 30)
            await settle(pilot)
            assert main.has_class("-narrow") == narrow, width


@pytest.mark.asyncio
async def test_the_listing_opened_stays_in_sight_when_the_details_take_room(tui_engine):
    write(tui_engine, [item(f"more-{n}", title=f"Marché numéro {n}") for n in range(20)])
    app = AggregatorApp(tui_engine, health=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = table(app)
        await pilot.press(*["j"] * 14, "enter")
        await settle(pilot)
        assert app.query_one("#detail").has_class("-open")
        top = rows.scroll_offset.y
        assert top <= rows.cursor_row < top + rows.scrollable_content_region.height
        assert rows.listings[rows.cursor_row].title in screen_text(app)



@pytest.mark.asyncio
async def test_hiding_the_listing_shown_shows_the_next_and_unhiding_says_so(engine_plus):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        rows = table(app)
        first = rows.listings[0].title
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert first not in screen_text(app)  # nor in the details: they follow the cursor
        await pilot.press("slash", *"hidden:yes", "enter")
        await settle(pilot)
        await pilot.press("escape")  # back to the list
        await pilot.press("h")
        await settle(pilot)
        assert notifications(app)[-1][0] == f"Shown again: {first}"


@pytest.mark.asyncio
async def test_the_help_speaks_french(engine_plus, default_language):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        shown = screen_text(app)
        for words in ("Touches", "Filtre", "type d'annonce", "Échap ferme cette aide."):
            assert words in shown, words
        assert any(line.split()[:1] == ["Échap"] for line in
                   (row.strip("▊▎█ ") for row in shown.splitlines()) if line)
        for english in ("kind of listing", "Esc closes", "escape"):
            assert english not in shown, english


@pytest.mark.asyncio
async def test_ctrl_c_quits(engine_plus):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running


@pytest.mark.asyncio
async def test_a_filter_error_is_shown_whole_at_80_columns(engine_plus, default_language):
    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"deadline<abc", "enter")
        await settle(pilot)
        shown = " ".join(screen_text(app).split())
        assert "par ex. 15d" in shown and "2026-12-01" in shown, shown


@pytest.mark.asyncio
async def test_an_export_into_a_missing_folder_is_refused_in_the_dialog(engine_plus, tmp_path):
    from aggregator.tui.export_screen import ExportScreen

    app = AggregatorApp(engine_plus, health=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        missing = tmp_path / "nowhere" / "out.csv"
        app.screen.query_one("#export-path").value = str(missing)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)  # still open: the name can be mended
        error = app.screen.query_one("#export-error")
        assert str(getattr(error.content, "plain", error.content)) == f"no folder {missing.parent}"
        app.screen.query_one("#export-path").value = str(tmp_path / "out.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
    assert (tmp_path / "out.csv").exists()


@pytest.mark.asyncio
async def test_no_match_says_so_and_offers_no_export(engine_plus):
    from aggregator.tui.export_screen import ExportScreen

    app = AggregatorApp(engine_plus, query="zzzzzz", health=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert status(app) == "No listing matches: zzzzzz"
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert notifications(app)[-1][0] == "Nothing to export: no listing matches the filter."
