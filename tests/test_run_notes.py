"""Every fixed note the crawl machinery stores with a run is shown in the reader's language
(aggregator.run_notes); the stored text stays as written, and unknown text is shown as is."""

from __future__ import annotations

import pytest

from aggregator import i18n
from aggregator.crawling.outcome import NETWORK_ERRORS, STOP_REASON, CrawlCounts, judge_crawl
from aggregator.run_notes import NETWORK_PROBLEMS, note_line, run_note
from aggregator.store.run_outcome import RunOutcome


@pytest.fixture
def speak(monkeypatch):
    def choose(language: str) -> None:
        monkeypatch.setenv(i18n.LANGUAGE_ENV, language)
        i18n.set_language(None)

    yield choose
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "en")
    i18n.set_language(None)


def written_notes(tmp_path, engine) -> dict[str, str]:
    """The notes as the code writes them (each producer called), → their French."""
    from aggregator.crawling.launch import close_unstarted
    from aggregator.crawling.runner import _ending
    from aggregator.store.runs import get_run, start_run

    log = tmp_path / "crawl.log"
    log.write_text("nothing useful\n", encoding="utf-8")
    judged = {
        CrawlCounts(reason=STOP_REASON): "arrêtée : arrêt demandé",
        CrawlCounts(reason="closespider_timeout", error_lines=("HTTP 500 from /x",)):
            "arrêtée : durée maximale atteinte — HTTP 500 from /x",
        CrawlCounts(reason="closespider_errorcount"): "arrêtée : trop d'erreurs",
        CrawlCounts(network=frozenset({"connection refused", "DNS lookup failed"}),
                    error_lines=("Error downloading <GET https://example.org/a>",)):
            "réseau injoignable : échec de la résolution DNS, connexion refusée (example.org)",
        CrawlCounts(reason="offline"): "réseau injoignable : pas de réseau",
        CrawlCounts(responses=3, network=frozenset({"connection lost"})):
            "aucune annonce : connexion perdue",
        CrawlCounts(responses=3, errors=2): "des erreurs et aucune annonce",
    }
    notes = {judge_crawl(counts)[1]: french for counts, french in judged.items()}
    notes[_ending(RunOutcome.STOPPED, 0, log)[2]] = (
        "arrêtée avant que la collecte ait pu clore son enregistrement")
    notes[_ending(None, -9, log)[2]] = "le processus de collecte a été tué (SIGKILL)"
    notes[_ending(None, 70, log)[2]] = (
        "le processus de collecte s'est terminé avec le code 70")
    run_id = start_run(engine, "boamp")
    close_unstarted(engine, run_id, None)
    notes[get_run(engine, run_id).error_summary] = (
        "la collecte n'a pas pu démarrer — voir le journal de la collecte")
    # written inline by the runner, the dead-run reaper and the scheduler
    notes.update({
        "stopped after the time limit of 3600 s": "arrêtée à la limite de temps de 3600 s",
        "its process box:4242 ended without closing it (killed?)":
            "son processus box:4242 s'est terminé sans la clore (tué ?)",
        "stopped: the scheduler was shutting down": "arrêtée : le planificateur s'arrêtait",
        "cannot reach Redis: Connection refused": "Redis injoignable : Connection refused",
        # redis-py's own words for the usual failures
        "cannot reach Redis: Error 111 connecting to 127.0.0.1:6379. Connection refused.":
            "Redis injoignable : 127.0.0.1:6379 : connexion refusée",
        "cannot reach Redis: Error -2 connecting to redis.lan:6379. Name or service not known.":
            "Redis injoignable : redis.lan:6379 : échec de la résolution DNS",
    })
    return notes


def test_every_note_the_machinery_writes_reads_in_french_and_as_written_in_english(
        tmp_path, engine, speak):
    notes = written_notes(tmp_path, engine)
    speak("fr")
    assert {note: run_note(note) for note in notes} == notes
    speak("en")  # as stored, but Scrapy's close reasons in words
    english = {note: note for note in notes} | {
        "stopped: closespider_timeout — HTTP 500 from /x":
            "stopped: time limit reached — HTTP 500 from /x",
        "stopped: closespider_errorcount": "stopped: too many errors",
        "cannot reach Redis: Error 111 connecting to 127.0.0.1:6379. Connection refused.":
            "cannot reach Redis: 127.0.0.1:6379: connection refused",
        "cannot reach Redis: Error -2 connecting to redis.lan:6379. Name or service not known.":
            "cannot reach Redis: redis.lan:6379: DNS lookup failed"}
    assert {note: run_note(note) for note in notes} == english


def test_unknown_text_is_shown_as_it_is_and_only_the_first_line(speak):
    speak("fr")
    assert run_note("HTTP 500 from /v3/notices/search") == "HTTP 500 from /v3/notices/search"
    assert run_note("stopped: whatever it was, said in words") == (
        "stopped: whatever it was, said in words")
    assert run_note("stopped: some_new_reason") == "arrêtée : some_new_reason"
    assert note_line("stopped: the scheduler was shutting down\nHTTP 500 from /x") == (
        "arrêtée : le planificateur s'arrêtait")
    assert note_line(None) == note_line("  \n") == ""


def test_every_network_problem_the_judge_names_has_its_words():
    assert set(NETWORK_ERRORS.values()) <= set(NETWORK_PROBLEMS)


@pytest.mark.parametrize("source", ["greenhouse", "jobposting", "francetravail", "talentsoft"])
def test_why_a_source_cannot_run_reads_in_french(speak, source):
    """A spider's configuration problem: the note of its unconfigured runs, and the reason
    `aggregator sources` gives."""
    from aggregator.config import load_config
    from aggregator.crawling.registry import spider_class

    problem = spider_class(source).configuration_problem(load_config().source(source), {})
    speak("en")
    assert run_note(problem) == problem
    speak("fr")
    french = run_note(problem)
    assert french != problem
    assert not {"not", "set", "configured", "given", "some"} & set(french.split())
