"""Messages in French by default and in English on request, from the gettext catalogue
(aggregator/locale): every message of the code is translated, the compiled catalogue is the
one its source gives, and counts take French plural forms."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from aggregator import i18n
from aggregator.presentation import countdown
from tests.factories import row

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "aggregator/locale/fr/LC_MESSAGES/aggregator.po"


@pytest.fixture
def language(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Sets the language for a test (the environment wins over everything) and restores it."""
    def choose(code: str | None, **env: str) -> str:
        monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
        for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return i18n.set_language(code)

    yield choose
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "en")
    i18n.set_language(None)


def catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="fr")


def code_messages() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = extract_from_dir(str(ROOT), method_map, options_map,
                             keywords=DEFAULT_KEYWORDS | {"N_": None})
    return {message if isinstance(message, str) else message[0]
            for _file, _line, message, _comments, _context in found}


def test_every_message_of_the_code_has_a_french_translation():
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalogue()
                  if m.id}
    missing = sorted(code_messages() - set(translated))
    assert not missing, f"not in the catalogue (run `make messages`): {missing}"
    empty = sorted(key for key, m in translated.items()
                   if m.fuzzy or not (all(m.string) if isinstance(m.string, tuple)
                                      else m.string))
    assert not empty, f"untranslated or fuzzy in {PO.name}: {empty}"


def test_translations_keep_their_placeholders():
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue().check()]
    assert not problems


@pytest.mark.parametrize("domain", ["aggregator", "typer"])
def test_the_compiled_catalogues_are_their_sources_compiled(domain):
    source = PO.with_name(f"{domain}.po")
    with source.open("rb") as handle:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(handle, locale="fr"))
    assert source.with_suffix(".mo").read_bytes() == compiled.getvalue(), (
        f"{domain}.mo is stale: run `make messages`")


@pytest.mark.parametrize(("configured", "env", "expected"), [
    (None, {}, "fr"),                                   # French by default
    (None, {"LANG": "en_GB.UTF-8"}, "en"),               # the locale says English
    (None, {"LANG": "de_DE.UTF-8"}, "fr"),               # a language we lack: French
    ("en", {"LANG": "fr_FR.UTF-8"}, "en"),               # [ui] language beats the locale
    ("en", {"AGGREGATOR_LANGUAGE": "fr"}, "fr"),         # the environment beats all
])
def test_which_language(language, configured, env, expected):
    assert language(configured, **env) == expected


def test_days_left_take_the_plural_forms_of_each_language(language):
    now = datetime(2026, 12, 4, 9, tzinfo=UTC)
    one, three = (row(d, deadline_at=now + timedelta(days=d), status="open") for d in (1, 3))
    language("fr")
    assert [countdown(x, now, words=True) for x in (one, three)] == [
        "1 jour restant", "3 jours restants"]
    assert countdown(three, now) == "3 j"
    language("en")
    assert [countdown(x, now, words=True) for x in (one, three)] == [
        "1 day left", "3 days left"]


def test_dates_and_numbers_as_each_language_writes_them(language):
    language("fr")
    assert (i18n.long_date(date(2026, 12, 4)), i18n.number(12345)) == (
        "vendredi 4 décembre 2026", "12\u202f345")
    language("en")
    assert (i18n.long_date(date(2026, 12, 4)), i18n.number(12345)) == (
        "Friday, 4 December 2026", "12,345")


def test_the_configured_language_is_read_from_the_file(tmp_path):
    config = tmp_path / "aggregator.toml"
    config.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")
    assert i18n.configured_language(config) == "en"
    config.write_text("[ui\nbroken", encoding="utf-8")
    assert i18n.configured_language(config) is None  # the command that loads it says why


def aggregator(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in (i18n.LANGUAGE_ENV, "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return subprocess.run([sys.executable, "-c", "from aggregator.cli import main; main()",
                           *args], capture_output=True, text=True, env=environment | env,
                          timeout=60)


def test_the_command_speaks_french_by_default_and_english_on_request(tmp_path):
    config = tmp_path / "aggregator.toml"
    config.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")

    french = aggregator("search", "électricité")
    assert "Aucune annonce pour l'instant : lancez d'abord `aggregator crawl`." in french.stdout
    assert "Type de contrat" in aggregator("search", "--help").stdout
    assert "par défaut : 50" in aggregator("list", "--help").stdout  # Typer's own words
    assert "erreur : pas d'annonce 7" in aggregator("show", "7").stderr

    for english in (aggregator("search", "électricité", LANG="en_GB.UTF-8"),
                    aggregator("--config", str(config), "search", "électricité")):
        assert "No listings yet: run `aggregator crawl` first." in english.stdout
    assert "default: 50" in aggregator("list", "--help", AGGREGATOR_LANGUAGE="en").stdout


def test_digest_subjects_count_in_french(language):
    from aggregator.mail.render import _count

    language("fr")
    assert [_count(n, "job") for n in (1, 3)] == ["1 nouvelle offre", "3 nouvelles offres"]
    assert _count(2, "tender") == "2 nouveaux appels d'offres"
    language("en")
    assert [_count(n, "job") for n in (1, 3)] == ["1 new job", "3 new jobs"]


def test_run_durations_write_decimals_as_each_language_does(language):
    from aggregator.presentation import duration_text

    language("fr")
    assert [duration_text(s) for s in (1.74, 95, 3725, None)] == ["1,7s", "1m35s", "1h02m", ""]
    language("en")
    assert duration_text(1.74) == "1.7s"
