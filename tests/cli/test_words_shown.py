"""The words a French reader still met in English: a listing's kind and status in `show`,
the notes the crawl machinery stores with a run (`runs`, `sources`, the crawl summary,
`health`), the progress of a crawl that was skipped, and Typer's own words (usage, errors).
Each in French by default and in English on request, end to end through the command."""

from __future__ import annotations

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
