"""The words a French reader still met in English: a listing's kind and status in `show`,
the notes the crawl machinery stores with a run (`runs`, `sources`, the crawl summary,
`health`), the progress of a crawl that was skipped, and Typer's own words (usage, errors).
Each in French by default and in English on request, end to end through the command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aggregator.cli import _register, app
from aggregator.i18n import LANGUAGE_ENV, set_language
from tests.factories import item, write

_register()
runner = CliRunner()


@pytest.fixture
def speak(monkeypatch):
    """Sets the language the command speaks (as AGGREGATOR_LANGUAGE does)."""
    def choose(language: str) -> None:
        monkeypatch.setenv(LANGUAGE_ENV, language)
        set_language(None)

    yield choose
    monkeypatch.setenv(LANGUAGE_ENV, "en")
    set_language(None)


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result.output


def field(out: str, name: str) -> str:
    return next(line[len(name):].strip() for line in out.splitlines()
                if line.startswith(f"{name} "))


@pytest.mark.parametrize(("language", "words", "tender", "job"), [
    ("fr", ("type", "statut"), ("appel d'offres", "clôturée"), ("offre d'emploi", "ouverte")),
    ("en", ("kind", "status"), ("tender", "closed"), ("job", "open")),
])
def test_show_names_the_kind_and_status_in_the_readers_language(engine, clock, speak,
                                                                language, words, tender, job):
    ids = write(engine, [
        item("t", title="Travaux d'électricité", deadline_at="2026-03-20T12:00:00+01:00"),
        item("j", kind="job", source="lever", title="Développeur Python F/H",
             contract_type="CDI")])
    speak(language)
    out = run("show", str(ids["t"]))
    assert tuple(field(out, word) for word in words) == tender
    out = run("show", str(ids["j"]))
    assert tuple(field(out, word) for word in words) == job


@pytest.mark.parametrize(("language", "kinds"), [
    ("fr", {"Travaux d'électricité": "AO", "Développeur Python F/H": "emploi"}),
    ("en", {"Travaux d'électricité": "tender", "Développeur Python F/H": "job"}),
])
def test_the_kind_column_of_the_results_is_in_the_readers_language(engine, clock, speak,
                                                                   monkeypatch, language, kinds):
    from aggregator.terminal.console import console

    monkeypatch.setattr(console, "width", 160)  # wide enough for the kind column
    write(engine, [
        item("t", title="Travaux d'électricité", deadline_at="2026-03-20T12:00:00+01:00"),
        item("j", kind="job", source="lever", title="Développeur Python F/H")])
    speak(language)
    rows = [[cell.strip() for cell in line.split("│")[1:-1]]
            for line in run("search", "status:all").splitlines() if line.startswith("│")]
    assert {row[2]: row[1] for row in rows if row[0]} == kinds


@pytest.mark.parametrize(("language", "skipped"), [
    ({}, "greenhouse : ignorée : déjà en cours de collecte par scheduler-on-host-a"),
    ({"LANG": "en_GB.UTF-8"}, "greenhouse: skipped: being crawled by scheduler-on-host-a"),
])
def test_a_crawl_skipped_says_so_in_the_readers_language(sqlite_url, language, skipped):
    from aggregator.store.engine import get_engine
    from aggregator.store.locks import acquire, release

    engine = get_engine(sqlite_url)
    assert acquire(engine, "crawl:greenhouse", "scheduler-on-host-a")
    try:
        result = aggregator("crawl", "greenhouse", "-a", "boards=codepath",
                            AGGREGATOR_DATABASE_URL=sqlite_url, **language)
    finally:
        release(engine, "crawl:greenhouse", "scheduler-on-host-a")
    assert result.returncode == 1  # a source not crawled is work not done
    assert skipped in result.stdout  # as it ends (piped)...
    assert skipped in result.stderr  # ... and again after the summary


@pytest.mark.parametrize(("language", "states"), [
    ("fr", ["en attente", "en cours", "terminée",
            "ignorée : la collecte distribuée 12 est toujours en cours (3 en file, "
            "1 en traitement)",
            "ignorée : arrêtée avant de commencer",
            "ignorée : déjà en cours de collecte par un autre processus"]),
    ("en", ["waiting", "running", "done",
            "skipped: distributed crawl 12 still running (3 queued, 1 in flight)",
            "skipped: stopped before it started",
            "skipped: being crawled by another process"]),
])
def test_every_state_of_a_crawl_reads_in_the_readers_language(speak, language, states):
    from aggregator.cli.crawl import progress_state
    from aggregator.crawling.runner import CrawlProgress, CrawlState, Skip, SkipReason

    speak(language)
    shown = []
    for state in (CrawlState.WAITING, CrawlState.RUNNING, CrawlState.DONE):
        shown.append(progress_state(CrawlProgress("boamp", state=state)))
    for skip in (Skip(SkipReason.DISTRIBUTED_RUNNING, generation=12, queued=3, inflight=1),
                 Skip(SkipReason.STOPPED), Skip(SkipReason.LOCKED)):
        progress = CrawlProgress("boamp")
        progress.skipped(skip)
        assert progress.finished and progress.state == "skipped"
        shown.append(progress_state(progress))
    assert shown == states


def test_the_scheduler_logs_why_it_skipped_a_crawl_as_before():
    from aggregator.crawling.runner import Skip, SkipReason

    assert str(Skip(SkipReason.LOCKED, holder="cli-on-b")) == "skipped: being crawled by cli-on-b"
    assert str(Skip(SkipReason.STOPPED)) == "skipped: stopped before it started"


def aggregator(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The `aggregator` command itself (as tests.test_i18n.aggregator, under its name)."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in (LANGUAGE_ENV, "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return subprocess.run([str(Path(sys.executable).with_name("aggregator")), *args],
                          capture_output=True, text=True, env=environment | env, timeout=60)


@pytest.mark.parametrize(("language", "lines"), [
    ({}, {"usage": "Utilisation : aggregator show [OPTIONS] {ID}",
          "try": "Essayez « aggregator show --help » pour l'aide.",
          "missing": "Erreur : Argument manquant : 'ID'.",
          "option": "Erreur : Option inconnue : --lmit (options possibles : --limit)",
          "command": "Erreur : Commande inconnue : 'shw'. Vouliez-vous dire 'show' ?",
          "value": "Erreur : L'option '--limit' attend une valeur.",
          "extra": "Erreur : Argument(s) en trop : (un deux)",
          "sections": ["Options :", "Commandes :"], "arguments": "Arguments :",
          "help": "--help Affiche cette aide et s'arrête.",
          "group": "Utilisation : aggregator [OPTIONS] COMMANDE [ARGUMENTS]...",
          "types": ["--source <texte>", "SIRET|NOM <texte>"]}),
    ({"LANG": "en_GB.UTF-8"}, {
        "usage": "Usage: aggregator show [OPTIONS] {ID}",
        "try": "Try 'aggregator show --help' for help.",
        "missing": "Error: Missing argument 'ID'.",
        "option": "Error: No such option: --lmit (Possible options: --limit)",
        "command": "Error: No such command 'shw'. Did you mean 'show'?",
        "value": "Error: Option '--limit' requires an argument.",
        "extra": "Error: Got unexpected extra argument(s) (un deux)",
        "sections": ["Options:", "Commands:"], "arguments": "Arguments:",
        "help": "--help Show this message and exit.",
        "group": "Usage: aggregator [OPTIONS] COMMAND [ARGS]...",
        "types": ["--source <text>", "SIRET|NAME <text>"]}),
])
def test_typers_own_words_in_the_readers_language(language, lines):
    missing = aggregator("show", **language)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [lines["usage"], lines["try"], "", lines["missing"]]
    assert lines["option"] in aggregator("list", "--lmit", "3", **language).stderr
    assert lines["command"] in aggregator("shw", "1", **language).stderr
    assert lines["value"] in aggregator("list", "--limit", **language).stderr
    assert lines["extra"] in aggregator("runs", "un", "deux", **language).stderr
    main_help = aggregator("--help", **language).stdout.splitlines()
    assert all(section in main_help for section in lines["sections"])
    assert lines["help"] in " ".join(" ".join(main_help).split())
    assert main_help[0] == lines["group"]
    # the kind of value an option or argument takes, as the reader says it
    helps = aggregator("runs", "--help", **language).stdout + aggregator(
        "buyer", "--help", **language).stdout
    assert all(f"  {entry}  " in helps for entry in lines["types"])
    show_help = aggregator("show", "--help", **language).stdout.splitlines()
    assert show_help[0] == lines["usage"] and lines["arguments"] in show_help


@pytest.mark.parametrize(("language", "error"), [
    ("fr", "Erreur : Argument manquant : 'ID'."), ("en", "Error: Missing argument 'ID'.")])
def test_typers_own_words_through_the_test_runner_too(speak, language, error):
    speak(language)
    result = runner.invoke(app, ["show"])
    assert result.exit_code == 2 and error in result.output


def test_an_unknown_error_of_typer_is_shown_as_it_is(speak):
    from aggregator.cli.click_words import click_message

    speak("fr")
    assert click_message("Something Typer never said.") == "Something Typer never said."
    assert click_message("Missing option '--since'.") == "Option manquante : '--since'."


@pytest.mark.parametrize(("language", "why"), [
    ("fr", "aucune page carrières suivie : ajoutez-en avec `aggregator sources add greenhouse "
           "SITE` ou dans aggregator.toml"),
    ("en", "no boards configured: add some with `aggregator sources add greenhouse BOARD` or "
           "in aggregator.toml"),
])
def test_sources_say_why_a_source_cannot_run_in_the_readers_language(store_url, speak,
                                                                     monkeypatch, language,
                                                                     why):
    from aggregator.terminal.console import console

    monkeypatch.setattr(console, "width", 300)
    speak(language)
    out = run("sources")
    row = next(line for line in out.splitlines() if line.startswith("│ greenhouse "))
    assert row.split("│")[-2].strip() == why


def test_the_version_is_shown_even_with_a_broken_configuration(tmp_path):
    broken = tmp_path / "aggregator.toml"
    broken.write_text("[database\n", encoding="utf-8")
    from importlib.metadata import version

    shown = aggregator("--version", AGGREGATOR_CONFIG=str(broken))
    assert shown.returncode == 0 and shown.stdout == f"aggregator {version('aggregator')}\n"


@pytest.mark.parametrize(("language", "lines"), [
    ({}, {"folder": "erreur : c'est un dossier : {path}",
          "missing": "erreur : fichier ou dossier introuvable : {path}/non/x.csv",
          "choice": "Erreur : Valeur incorrecte pour '--format' / '-f' : 'xml' n'est pas "
                    "parmi 'csv', 'json', 'ics'.",
          "usage": "Utilisation : aggregator export [OPTIONS] [REQUÊTE]..."}),
    ({"LANG": "en_GB.UTF-8"}, {
        "folder": "error: this is a folder: {path}",
        "missing": "error: no such file or folder: {path}/non/x.csv",
        "choice": "Error: Invalid value for '--format' / '-f': 'xml' is not one of 'csv', "
                  "'json', 'ics'.",
        "usage": "Usage: aggregator export [OPTIONS] [QUERY]..."}),
])
def test_a_file_or_value_refused_says_why_in_the_readers_language(tmp_path, language, lines):
    env = {"AGGREGATOR_DATABASE_URL": f"sqlite:///{tmp_path}/store.sqlite3", **language}
    folder = aggregator("export", "-o", str(tmp_path), **env)
    assert folder.stderr.strip() == lines["folder"].format(path=tmp_path)
    missing = aggregator("export", "-o", f"{tmp_path}/non/x.csv", **env)
    assert missing.stderr.strip() == lines["missing"].format(path=tmp_path)
    choice = aggregator("export", "--format", "xml", **env)
    assert choice.stderr.splitlines()[0] == lines["usage"]
    assert choice.stderr.splitlines()[-1] == lines["choice"]
