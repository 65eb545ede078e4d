"""`aggregator runs` and the health table of `aggregator sources`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from aggregator.cli import _register, app
from aggregator.crawling.registry import spider_names
from aggregator.store.engine import get_engine
from aggregator.store.runs import finish_run, start_run
from aggregator.terminal.console import console
from tests.scheduler.conftest import write_config

DAY0 = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def cli(store_url, monkeypatch):
    _register()
    monkeypatch.setattr(console, "width", 220)  # no folded cells in the assertions
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, list(args))
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception)
        return result

    return invoke


def add_run(source: str, day: int, outcome: str, *, items: int = 0, new: int = 0,
            seconds: float = 90, replayed: bool = False, **extra) -> int:
    engine = get_engine()
    started = DAY0 + timedelta(days=day)
    run_id = start_run(engine, source, started_at=started, replayed=replayed)
    if outcome != "running":
        finish_run(engine, run_id, outcome=outcome, items_seen=items, items_new=new,
                   finished_at=started + timedelta(seconds=seconds), **extra)
    return run_id


def rows(output: str) -> list[list[str]]:
    """The table's data rows, cell texts split on the box-drawing bars; a row wrapped on
    several lines (no run number on the next ones) is joined back into one."""
    joined: list[list[str]] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip()[1:-1].split("│")]
        if joined and not cells[0]:
            joined[-1] = [f"{a} {b}".strip() for a, b in zip(joined[-1], cells, strict=True)]
        else:
            joined.append(cells)
    return joined


def blocks(output: str) -> dict[str, tuple[str, str]]:
    """The blocks of `sources` on a narrow terminal: each source's heading line, and the
    lines indented below it joined into one text."""
    found: dict[str, tuple[str, str]] = {}
    source = None
    for line in output.splitlines()[1:]:  # after the title
        if line.startswith("    ") and source:
            heading, text = found[source]
            found[source] = (heading, f"{text} {line.strip()}".strip())
        else:
            source = line.split()[0]
            found[source] = (line.rstrip(), "")
    return found


def test_sources_on_a_narrow_terminal_indent_every_line_under_its_source(cli,
                                                                        default_language,
                                                                        monkeypatch):
    monkeypatch.setattr(console, "width", 80)
    add_run("lever", 0, "unconfigured",
            error_summary="no boards configured: add some with `aggregator sources add "
                          "lever BOARD` or in aggregator.toml")
    add_run("boamp", 0, "ok", replayed=True)  # "ok (rejouée) 01/06 06:00": a longer line
    output = cli("sources").output
    lines = output.splitlines()
    assert lines[0] == "Sources" and all(len(line) <= 80 for line in lines), output
    shown = blocks(output)
    # a wrapped line stays under its source: no line at the margin but a source's heading
    assert set(shown) == set(spider_names()), output
    heading, facts = shown["lever"]
    assert heading == "lever  non configurée"
    # the facts' lines break between two facts, never between a label and its value
    # ("annonces" at a line's end, "- (d'habitude -)" on the next)
    for index, line in enumerate(lines[:-1]):
        if line.startswith("    dernière collecte"):
            following = lines[index:index + 3]
            last = next(i for i, f in enumerate(following)
                        if f.rstrip().endswith(("configurée oui", "configurée non")))
            assert all(f.rstrip().endswith(",") for f in following[:last]), following
    assert facts == (
        "dernière collecte non configurée 01/06 06:00, dernier succès jamais, annonces 0 "
        "(d'habitude -), ouvertes 0, active oui, configurée non aucune page carrières "
        "suivie : ajoutez-en avec `aggregator sources add lever SITE` ou dans "
        "aggregator.toml")


def test_sources_shows_the_table_only_where_it_fits_whole(cli, default_language,
                                                          monkeypatch):
    add_run("boamp", 0, "failed", error_summary="stopped after the time limit of 3600 s")
    # 130 columns: the table in French would cut its headings and cells ("non config…")
    # and leave no room for why; one block per source says it all
    monkeypatch.setattr(console, "width", 130)
    output = cli("sources").output
    assert "…" not in output and "┃" not in output, output
    heading, facts = blocks(output)["boamp"]
    assert heading == "boamp  dégradée"
    assert facts.endswith("dernière collecte : échec : arrêtée à la limite de temps de 3600 s")
    monkeypatch.setattr(console, "width", 220)  # room for the table whole
    output = cli("sources").output
    assert "…" not in output and {row[0]: row for row in rows(output)}["boamp"][8] == (
        "dégradée"), output
    # the count of open listings (annonces), as the blocks say it: « ouvertes »
    headings = next(line for line in output.splitlines() if line.startswith("┃"))
    assert [cell.strip() for cell in headings.split("┃")][6:9] == [
        "annonces", "d'habitude", "ouvertes"]


def test_runs_newest_first_with_outcome_counts_and_duration(cli):
    assert "No crawl run yet." in cli("runs").output
    add_run("boamp", -200, "ok", items=110, new=110, seconds=95)  # last year's
    add_run("boamp", 0, "ok", items=120, new=120, seconds=95)
    add_run("ted", 0, "failed", errors=2, error_summary="HTTP 500 from /v3/notices/search\n..")
    add_run("boamp", 1, "partial", items=30, new=4, seconds=3725, errors=1)
    add_run("boamp", 2, "running")

    table = rows(cli("runs").output)
    # this year's start without its year (the column stays narrow), last year's with it
    assert [row[:5] for row in table] == [
        ["5", "boamp", "03/06 06:00", "", "running"],
        ["4", "boamp", "02/06 06:00", "1h02m", "partial"],
        ["3", "ted", "01/06 06:00", "1m30s", "failed"],
        ["2", "boamp", "01/06 06:00", "1m35s", "ok"],
        ["1", "boamp", "13/11/2025 05:00", "1m35s", "ok"],  # winter time
    ]
    assert table[1][5:11] == ["30", "4", "0", "0", "0", "1"]  # items new updated ... errors
    assert table[2][11] == "HTTP 500 from /v3/notices/search"

    only_boamp = rows(cli("runs", "--source", "boamp", "--limit", "2").output)
    assert [row[0] for row in only_boamp] == ["5", "4"]
    assert "No crawl run of lever yet." in cli("runs", "--source", "lever").output


def test_sources_shows_health_and_names_broken_sources(cli):
    write_config('[sources.greenhouse]\nboards = ["codepath"]\n[sources.ted]\nenabled = false\n')
    for day, items in enumerate((100, 120, 90, 100, 110)):
        add_run("boamp", day, "ok", items=items)
    add_run("boamp", 5, "failed", error_summary="unreadable JSON")
    add_run("boamp", 6, "timeout", error_summary="stopped after the time limit of 3600 s")
    for day, items in enumerate((40, 50, 45, 12)):
        add_run("greenhouse", day, "ok", items=items)

    result = cli("sources")
    table = {row[0]: row for row in rows(result.output)}
    boamp, greenhouse = table["boamp"], table["greenhouse"]
    assert boamp[1:3] == ["yes", "yes"]  # enabled, configured
    assert boamp[3] == "05/06/2026 06:01"  # last success
    assert boamp[4] == "timeout 07/06 06:00"
    assert (boamp[5], boamp[6], boamp[8]) == ("0", "100", "broken")
    assert greenhouse[5:9] == ["12", "45", "0", "degraded"]
    assert greenhouse[9] == "12 items, usually 45"
    assert table["ted"][1] == "no"
    assert table["lever"][2:9] == ["no", "never", "never", "", "", "0", "unconfigured"]
    assert "Broken: boamp — see `aggregator runs --source boamp`" in result.output


def test_a_source_configured_since_its_last_run_is_shown_configured(cli, default_language,
                                                                    monkeypatch):
    add_run("greenhouse", 0, "unconfigured",
            error_summary="no boards configured: add some with `aggregator sources add "
                          "greenhouse BOARD` or in aggregator.toml")
    write_config('[sources.greenhouse]\nboards = ["codepath"]\n')  # then added a board

    greenhouse = {row[0]: row for row in rows(cli("sources").output)}["greenhouse"]
    assert greenhouse[2] == "oui"  # configured
    assert greenhouse[4] == "non configurée 01/06 06:00"  # the last run, as history
    assert greenhouse[8:10] == [
        "inconnue",
        "pas encore collectée depuis sa configuration (dernière collecte : non configurée)"]
    # a narrow terminal says the same, and nothing of the boards it no longer lacks
    monkeypatch.setattr(console, "width", 80)
    heading, facts = blocks(cli("sources").output)["greenhouse"]
    assert heading == "greenhouse  inconnue"
    assert facts.startswith("dernière collecte non configurée 01/06 06:00")
    assert "configurée oui" in facts and "aucune page carrières" not in facts


def test_a_run_that_dropped_records_says_why_in_its_note(cli):
    add_run("boamp", 0, "ok", items=17, items_dropped=13,
            dropped_reasons={"missing title": 9, "missing url": 4})
    add_run("ted", 0, "failed", items_dropped=1, dropped_reasons={"missing title": 1},
            error_summary="HTTP 500 from /v3/notices/search")

    notes = {row[1]: row[-1] for row in rows(cli("runs").output)}
    assert notes["boamp"] == "dropped: missing title 9, missing url 4"
    assert notes["ted"] == "HTTP 500 from /v3/notices/search"  # what failed comes first


def test_a_french_reader_reads_why_records_were_dropped_in_french(cli, default_language):
    add_run("greenhouse", 0, "ok", items=20, items_dropped=5,
            dropped_reasons={"gone before its detail was read": 3,
                             "unreadable record (KeyError)": 1, "missing url": 1})
    # a reason no release writes any more (or not yet known here): shown as it is
    add_run("boamp", 0, "ok", items=7, items_dropped=2, dropped_reasons={"odd reason": 2})

    notes = {row[1]: row[-1] for row in rows(cli("runs").output)}
    assert notes["greenhouse"] == ("écartées : adresse manquante 1, annonce illisible "
                                   "(KeyError) 1, retirée avant la lecture de son détail 3")
    assert notes["boamp"] == "écartées : odd reason 2"


@pytest.mark.parametrize(("language", "number", "outcomes"), [
    ("en", "run", {"1": "ok", "2": "interrupted", "3": "failed", "4": "stopped"}),
    ("fr", "n°", {"1": "ok", "2": "interrompue", "3": "échec", "4": "arrêtée"})])
def test_runs_at_80_columns_show_every_run_whole(cli, monkeypatch, language, number, outcomes):
    from aggregator import i18n

    monkeypatch.setenv(i18n.LANGUAGE_ENV, language)
    i18n.set_language(None)
    monkeypatch.setattr(console, "width", 80)
    add_run("boamp", 0, "ok", items=120, new=120, seconds=95, items_dropped=13,
            dropped_reasons={"missing title": 9, "missing url": 4})
    add_run("greenhouse", 1, "interrupted", items=30, new=4, seconds=3725, errors=1,
            error_summary="the crawl process was gone (heartbeat stale since 04:10)")
    add_run("francetravail", 2, "failed", errors=2,
            error_summary="HTTP 500 from /partenaire/offresdemploi/v2/offres/search")
    # the widest outcome: "arrêtée (rejouée)" goes on two lines rather than off the screen
    add_run("francetravail", 3, "stopped", replayed=True)

    output = cli("runs").output
    lines = output.splitlines()
    assert all(len(line) <= 80 for line in lines), output
    # the table whole: every line of it ends with its right border, none was cut off
    assert all(line.rstrip()[-1] in "┓┃┩│┘" for line in lines if line[:1] in "┏┃┡│└"), output
    header = next(line for line in lines if number in line.split())
    assert header.split("┃")[1].strip() == number  # the first column is the run's number
    table = rows(output)
    shown = {row[0]: row for row in table}
    assert set(shown) == {"1", "2", "3", "4"}, output
    assert [shown[i][1:3] for i in ("3", "2", "1")] == [
        ["francetravail", "03/06 06:00"], ["greenhouse", "02/06 06:00"],
        ["boamp", "01/06 06:00"]]
    assert {i: row[3].split()[0] for i, row in shown.items()} == outcomes, output
    assert shown["4"][3].split()[1] in ("(replayed)", "(rejouée)")
    # every word of every cell appears whole: none is split across two lines
    words = {word for line in lines for word in line.replace("│", " ").split()}
    for whole in ("francetravail", "greenhouse", outcomes["2"], "03/06", "06:00"):
        assert whole in words, output
    for cell in (c for row in table for c in row if c):
        for word in cell.split():
            assert word in words
    assert not [w for w in words if w.endswith("…") and len(w) < 4], output


def test_at_80_columns_the_notes_the_table_has_no_room_for_follow_it(cli, default_language,
                                                                     monkeypatch):
    monkeypatch.setattr(console, "width", 80)
    add_run("greenhouse", 0, "ok", items=20, items_dropped=4,
            dropped_reasons={"gone before its detail was read": 3,
                             "unreadable record (KeyError)": 1})
    add_run("boamp", 1, "failed", errors=3,
            error_summary="network unreachable: DNS lookup failed (www.boamp.fr)")
    add_run("ted", 2, "ok", items=5)  # nothing to say

    output = cli("runs").output
    assert all(len(line) <= 80 for line in output.splitlines()), output
    assert "note" not in output.split("┩")[0]  # no room for the column
    below = output.split("┘\n")[1]
    assert " ".join(below.splitlines()[0].split()) == (
        "n° 2 : réseau injoignable : échec de la résolution DNS (www.boamp.fr)")
    # a note too long for one line goes on under itself
    assert [line.strip() for line in below.splitlines()[1:]] == [
        "n° 1 : écartées : annonce illisible (KeyError) 1, retirée avant la lecture de",
        "son détail 3"]
    assert below.splitlines()[2].startswith(" " * len("n° 1 : ")), output
    # with room for the column, the notes are in it, and not said twice
    monkeypatch.setattr(console, "width", 220)
    wide = cli("runs").output
    assert wide.count("réseau injoignable") == 1 and "n° 2 :" not in wide


@pytest.mark.parametrize(("language", "expected"), [
    ("en", {"failed": "failed", "broken": "broken", "about": "French public tenders (BOAMP",
            "reason": "twice in a row: failed: unreadable JSON (before: failed)",
            "degraded": "degraded", "low": "12 items, usually 45"}),
    ("fr", {"failed": "échec", "broken": "en panne", "about": "Appels d'offres publics français",
            "reason": "deux fois de suite : échec : unreadable JSON (avant : échec)",
            "degraded": "dégradée", "low": "12 annonces, 45 d'habitude"}),
])
def test_runs_and_sources_speak_the_readers_language(cli, monkeypatch, language, expected):
    from aggregator import i18n

    monkeypatch.setenv(i18n.LANGUAGE_ENV, language)
    i18n.set_language(None)
    write_config('[sources.greenhouse]\nboards = ["codepath"]\n')
    add_run("boamp", 0, "failed", error_summary="unreadable JSON")
    add_run("boamp", 1, "failed", error_summary="unreadable JSON")
    for day, items in enumerate((40, 50, 45, 12)):
        add_run("greenhouse", day, "ok", items=items)

    boamp_runs = rows(cli("runs", "--source", "boamp").output)
    assert [row[4] for row in boamp_runs] == [expected["failed"]] * 2
    health = {row[0]: row for row in rows(cli("sources").output)}
    assert health["boamp"][8:10] == [expected["broken"], expected["reason"]]
    assert health["greenhouse"][8:10] == [expected["degraded"], expected["low"]]
    assert expected["about"] in cli("sources", "list", "boamp").output


@pytest.mark.parametrize(("language", "headings", "outcome"), [
    ("en", ["source", "outcome", "new", "dropped", "errors"], "failed"),
    ("fr", ["source", "résultat", "nouvelles", "écartées", "erreurs"], "échec")])
def test_the_crawl_summary_fits_80_columns_with_whole_headings(cli, monkeypatch, language,
                                                               headings, outcome):
    from aggregator import i18n
    from aggregator.cli.crawl import summary_table
    from aggregator.store.runs import recent_runs

    monkeypatch.setenv(i18n.LANGUAGE_ENV, language)
    i18n.set_language(None)
    add_run("francetravail", 0, "failed", errors=2,
            error_summary="HTTP 500 from /partenaire/offresdemploi/v2/offres/search")
    add_run("boamp", 0, "ok", items=120, new=120, items_dropped=13,
            dropped_reasons={"missing title": 9, "missing url": 4})
    with console.capture() as captured:
        console.print(summary_table(recent_runs(get_engine()), width=80), width=80)
    output = captured.get()
    lines = output.splitlines()
    assert all(len(line) <= 80 for line in lines), output
    header = next(line for line in lines if line.startswith("┃"))
    assert [h.strip() for h in header.strip("┃").split("┃")][:5] == headings, output
    shown = {row[0]: row for row in rows(output) if row[0]}
    assert shown["francetravail"][1:3] == [outcome, "0"]
    assert shown["boamp"][2] == "120", output
    # what failed is said: in the note column, or after the table when it has no room
    assert "HTTP 500 from" in " ".join(output.split()), output


@pytest.mark.parametrize(("language", "expected"), [
    ("en", {"stopped": "stopped: shutdown — HTTP 500 from /x",
            "killed": "the crawl process was killed (SIGKILL)",
            "timeout": "stopped after the time limit of 3600 s",
            "reason": "twice in a row: timeout: stopped after the time limit of 3600 s "
                      "(before: failed)",
            "offline": "network unreachable: connection refused (example.org)"}),
    ("fr", {"stopped": "arrêtée : arrêt demandé — HTTP 500 from /x",
            "killed": "le processus de collecte a été tué (SIGKILL)",
            "timeout": "arrêtée à la limite de temps de 3600 s",
            "reason": "deux fois de suite : délai dépassé : arrêtée à la limite de temps de "
                      "3600 s (avant : échec)",
            "offline": "réseau injoignable : connexion refusée (example.org)"}),
])
def test_the_notes_the_crawl_stored_read_in_the_readers_language(cli, monkeypatch, language,
                                                                 expected):
    """Stored in English (as older stores hold them), shown translated: `runs`, the health
    of `aggregator sources` and the crawl summary."""
    from aggregator import i18n
    from aggregator.cli.crawl import summary_table
    from aggregator.store.runs import recent_runs

    monkeypatch.setenv(i18n.LANGUAGE_ENV, language)
    i18n.set_language(None)
    add_run("alpha", 0, "stopped", error_summary="stopped: shutdown — HTTP 500 from /x")
    add_run("beta", 0, "interrupted", error_summary="the crawl process was killed (SIGKILL)")
    add_run("gamma", 0, "failed", error_summary="the crawl process exited with 1")
    add_run("gamma", 1, "timeout",
            error_summary="stopped after the time limit of 3600 s\nHTTP 500 from /y")
    add_run("delta", 0, "offline",
            error_summary="network unreachable: connection refused (example.org)")

    notes: dict[str, str] = {}
    for row in rows(cli("runs").output):  # newest first: each source's latest note
        if row[0]:
            notes.setdefault(row[1], row[11])
    assert (notes["alpha"], notes["beta"], notes["gamma"], notes["delta"]) == (
        expected["stopped"], expected["killed"], expected["timeout"], expected["offline"])
    health = {row[0]: row for row in rows(cli("sources").output)}
    # (its end may be folded onto the next line)
    assert health["gamma"][9].startswith(expected["reason"].split(" (")[0])
    with console.capture() as captured:
        console.print(summary_table(recent_runs(get_engine()), width=220), width=220)
    notes_column = " ".join(line.split("│")[-2].strip() for line in captured.get().splitlines()
                            if line.startswith("│"))  # the last cell, folded over lines
    for note in ("stopped", "killed", "timeout", "offline"):
        assert expected[note] in notes_column
