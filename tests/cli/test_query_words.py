"""One query language on the command line: the words after `search`, `export`, `alerts add`
and `tui` are one compact query whether the shell gives them as one argument or several; a
`-word` is an exclusion, never an option; the filter options build the same Filter as the
text form; a bad option value names the option and the forms it takes."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from aggregator.cli import _register, app, main
from aggregator.cli.query_words import separate_query_words
from aggregator.terminal import console as output
from tests.factories import item, write

_register()
runner = CliRunner()

ITEMS = [
    item("bitume", title="Fourniture et livraison de bitume", location="Marseille 13e",
         organization="Métropole Aix-Marseille", deadline_at="2026-04-03T12:00:00+02:00",
         cpv=["44113600"]),
    item("repas", title="Livraison de repas scolaires", location="Lyon 3e",
         organization="Ville de Lyon", deadline_at="2026-04-20T12:00:00+02:00",
         cpv=["55523100"]),
    item("sable", title="Livraison de sable", location="Nice (06)",
         organization="Ville de Nice", deadline_at="2026-03-20T12:00:00+01:00",
         cpv=["14211000"]),  # past its deadline: closed
    item("cdi", kind="job", source="lever", title="Chauffeur livreur F/H", location="Lyon",
         organization="Transports Rhône", contract_type="CDI"),
]


@pytest.fixture
def store(engine, clock, monkeypatch):
    monkeypatch.setattr(output.console, "width", 160)
    return write(engine, ITEMS)


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def found(*args: str) -> list[str]:
    """The source ids `search … --json` lists."""
    return [json.loads(line)["source_id"] for line in run("search", "--json", *args).splitlines()]


def exported(*args: str) -> list[str]:
    return [json.loads(line)["source_id"]
            for line in run("export", "--format", "json", *args).splitlines()]


def footer(*args: str) -> str:
    """The last line of the table: "1-1 of 1 · <the filter's text form>"."""
    return run("search", *args).strip().splitlines()[-1]


def test_one_argument_or_several_are_the_same_query(store):
    assert found("livraison bitume") == found("livraison", "bitume") == ["bitume"]
    assert found("kind:tender livraison") == found("kind:tender", "livraison") == ["bitume",
                                                                                   "repas"]
    # a phrase is quoted inside the query, whatever the shell did
    assert found('"livraison bitume"') == found('"livraison', 'bitume"') == []
    assert found('"livraison de bitume"') == ["bitume"]


def test_a_dash_word_is_an_exclusion_in_search_and_export(store):
    assert found("livraison", "-repas") == found("livraison -repas") == ["bitume"]
    assert found("-repas", "livraison") == ["bitume"]
    # the text part of an export reads the same as a search
    assert exported("livraison -repas status:all") == ["sable", "bitume"]
    assert exported("livraison", "-repas", "status:all") == ["sable", "bitume"]
    assert found("livraison -repas status:all") == ["sable", "bitume"]


def test_a_dash_word_is_never_taken_for_a_short_option(store):
    # -l is --location and -k is --kind, but only as words of their own
    assert found("livraison", "-lyon") == ["bitume"]  # not --location yon
    assert found("-k", "tender", "livraison", "-kilo") == ["bitume", "repas"]
    assert found("livraison", "-l", "Lyon") == ["repas"]
    assert exported("livraison", "-ordures", "-f", "json") == ["bitume", "repas"]  # not -o


def test_options_and_the_text_form_build_the_same_filter(store):
    options = footer("livraison", "--kind", "tender", "--location", "Marseille",
                     "--closing-within", "15d", "--deadline-before", "2026-05-01",
                     "--cpv", "44,45", "--source", "boamp", "--status", "all",
                     "--sort", "deadline")
    text = footer("kind:tender loc:Marseille deadline<15d deadline<2026-05-01 cpv:44,45 "
                  "source:boamp status:all sort:deadline livraison")
    mixed = footer("kind:tender", "livraison", "cpv:44", "--cpv", "45", "-l", "Marseille",
                   "deadline<15d", "--deadline-before=2026-05-01", "--source", "BOAMP",
                   "--sort", "deadline", "status:all")
    assert options == text == mixed == (
        "1-1 of 1 · kind:tender loc:Marseille deadline<15d deadline<2026-05-01 cpv:44,45 "
        "source:boamp status:all sort:deadline livraison")
    assert found("--closing-within", "2w", "--kind", "tender") == found("deadline<14d",
                                                                       "kind:tender")


@pytest.mark.parametrize(("args", "message"), [
    (["--closing-within", "abc"],
     "error: --closing-within 'abc': expected a number of days such as 7d or 2w"),
    (["--deadline-before", "soon"], "error: --deadline-before 'soon': expected a date such as "
                                    "2026-12-01 or a local time such as 2026-12-01T12:00"),
    (["--kind", "boat"], "error: --kind 'boat': expected job, tender or award"),
    (["--cpv", "45,4a"], "error: --cpv '4a': expected 1 to 8 digits, e.g. 45"),
    (["--location", "Atlantis"], "error: --location 'Atlantis': expected a commune, postal "
                                 "code, department (13 or Bouches-du-Rhône), region (PACA, "
                                 "IDF), country or remote"),
    (["kind:job", "--kind", "tender"],
     "error: --kind 'tender' contradicts 'kind:job' in the query"),
    (["livraison", "dpt:13"], "error: invalid query 'livraison dpt:13': unknown key 'dpt'"),
    (["livraison", "dep:"], "error: invalid query 'livraison dep:': 'dep:': dep needs a value"),
    (["dep:"], "error: invalid query 'dep:': dep needs a value\n"),  # the word named once
])
def test_a_bad_option_value_names_the_option_and_its_forms(args, message, sqlite_url,
                                                           monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["aggregator", "search", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith(message) and error.count("\n") == 1  # one line, no traceback


def test_a_mistyped_option_is_refused_not_searched(store):
    result = runner.invoke(app, ["search", "livraison", "--closing-whithin", "7d"])
    assert result.exit_code == 2
    assert "No such option: --closing-whithin" in result.output


def test_two_dashes_end_the_options(store):
    assert found("livraison", "--", "-k", "--kind") == ["bitume", "repas"]  # words, excluded


def test_alerts_add_reads_its_query_words_the_same_way(store):
    several = run("alerts", "add", "Livraisons", "livraison", "-repas", "--to", "a@example.fr")
    one = run("alerts", "add", "Livraisons 2", "livraison -repas", "--to", "a@example.fr")
    assert "saved: livraison -repas → a@example.fr" in several
    assert "saved: livraison -repas → a@example.fr" in one


def test_tui_starts_with_the_query_words(store, monkeypatch):
    from aggregator.tui.app import AggregatorApp

    started: list[str] = []
    monkeypatch.setattr(AggregatorApp, "run", lambda app: started.append(app.initial_query))
    run("tui", "livraison", "-repas", "--", "-k")
    assert started == ["livraison -repas -k"]


@pytest.mark.parametrize(("args", "separated"), [
    (["livraison", "-repas"], ["--", "livraison", "-repas"]),
    (["-k", "tender", "-kilo"], ["-k", "tender", "--", "-kilo"]),
    (["--kind=tender", "-x", "--json"], ["--kind=tender", "--json", "--", "-x"]),
    (["--kind"], ["--kind"]),  # the parser says the value is missing
    (["--nope", "a"], ["--nope", "--", "a"]),  # the parser says there is no such option
    (["a", "--", "--kind", "b"], ["--", "a", "--kind", "b"]),
])
def test_separating_options_from_query_words(args, separated):
    options = {"-k": True, "--kind": True, "--json": False}
    assert separate_query_words(args, options) == separated
