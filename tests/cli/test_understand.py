"""Understanding a match from the command line, on the two real BOAMP notices of the
fixtures: CPV codes in words in the reader's language (`show`), BOAMP descriptors kept and
searchable (`descriptor:`), `cpv:"words"` resolved to codes and echoed so, and `search --why`
(table and `--json`). Labels are read from the shipped nomenclature, never typed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aggregator import i18n
from aggregator.cli import UserError, _register, app
from aggregator.normalize import cpv
from aggregator.terminal import console as output
from tests.query.boamp_listings import store_boamp

_register()
runner = CliRunner()
ROADS, MEALS = "26-79589", "26-79592"


@pytest.fixture
def boamp(engine, clock):
    return store_boamp(engine)


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setattr(output.console, "width", 200)


@pytest.fixture
def french(monkeypatch):
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "fr")
    i18n.set_language(None)
    yield
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "en")
    i18n.set_language(None)


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.output


def test_show_gives_cpv_codes_in_words_in_french(boamp, wide, french):
    code = cpv.lookup("44113310")
    assert code.fr != code.en
    shown = run("show", str(boamp[ROADS]))
    assert f"44113310 {code.fr}" in shown and code.en not in shown


def test_show_gives_cpv_codes_in_words_in_english(boamp, wide):
    code = cpv.lookup("44113310")
    shown = run("show", str(boamp[ROADS]))
    assert f"44113310 {code.en}" in shown and code.fr not in shown


def test_show_keeps_the_boamp_descriptors_with_their_codes(boamp, wide):
    shown = run("show", str(boamp[MEALS]))
    assert "274 Prestations de services" in shown and "304 Repas, traiteur" in shown
    record = json.loads(run("show", "--json", str(boamp[MEALS])))
    assert record["descriptors"] == [{"code": "274", "label": "Prestations de services"},
                                     {"code": "304", "label": "Repas, traiteur"}]
    assert record["cpv"] == ["55521200"]  # JSON keeps the codes


@pytest.mark.parametrize("query, found", [
    ("descriptor:voirie", [ROADS]), ("descriptor:VOIRIE", [ROADS]),
    ('descriptor:"repas, traiteur"', [MEALS]), ("descriptor:304", [MEALS]),
    ("descripteur:365,274", [ROADS, MEALS]), ("descriptor:plomberie", []),
])
def test_descriptors_are_searchable_by_label_or_code(boamp, query, found):
    lines = run("search", "--json", query).splitlines()
    assert sorted(json.loads(line)["source_id"] for line in lines) == sorted(found)


def test_cpv_words_resolve_to_codes_and_the_echo_shows_them(boamp, wide):
    prefixes = cpv.prefixes_for("livraison de repas")
    assert any("55521200".startswith(p) for p in prefixes)
    out = run("search", 'cpv:"livraison de repas"')
    assert "26NOVO18" in out and "BITUME" not in out
    assert f"cpv:{','.join(prefixes)}" in out.splitlines()[-1]  # the echo, resolved
    with pytest.raises(UserError, match="no CPV label holds these words"):
        run("search", "cpv:zzyzx")


@pytest.mark.parametrize("trade", ["électricité", "nettoyage", "restauration scolaire",
                                   "voirie", "informatique"])
def test_a_trades_words_cover_every_code_whose_label_holds_them(trade):
    from aggregator.query import Filter

    prefixes = Filter.parse(f'cpv:"{trade}"').cpv
    exact = [s.code.code for s in cpv.suggest(trade) if s.match in ("exact", "words")]
    assert exact and all(any(code.startswith(p) for p in prefixes) for code in exact)
    assert all(not a.startswith(b) for a in prefixes for b in prefixes if a != b)


WHY_LINES = {  # the labels of search --why: French by default (with its colon), English asked
    "fr": ["titre : FOURNITURE ET LIVRAISON DE MATERIAUX ENROBES DENSES A L'EMULSION DE",
           "CPV : 44113310 {cpv} → cpv:4411", "lieu : Limoges → dep:87",
           "date limite : 22/09/2026 12:00 ({days}) → deadline<200d"],
    "en": ["title: FOURNITURE ET LIVRAISON DE MATERIAUX ENROBES DENSES A L'EMULSION DE",
           "CPV: 44113310 {cpv} → cpv:4411", "place: Limoges → dep:87",  # its buyer's address
           "deadline: 22/09/2026 12:00 ({days}) → deadline<200d"],
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_search_why_prints_the_reasons_under_each_row(boamp, monkeypatch, request, lang):
    if lang == "fr":
        request.getfixturevalue("default_language")
    monkeypatch.setattr(output.console, "width", 400)  # no reason wrapped in its cell
    out = run("search", "--why", "bitume cpv:4411 dep:87 deadline<200d")
    label = getattr(cpv.lookup("44113310"), lang)
    days = {"fr": "179 j", "en": "179d"}[lang]
    for line in WHY_LINES[lang]:
        assert line.format(cpv=label, days=days) in out
    assert "→" not in run("search", "bitume")  # without --why, no reasons


def test_json_why_adds_a_matched_object(boamp):
    (line,) = run("search", "--json", "--why", "repas loc:Pontoise").splitlines()
    matched = json.loads(line)["matched"]
    assert matched["words"] == ["REPAS"]
    assert [t["field"] for t in matched["text"]] == ["title", "description"]
    title = matched["text"][0]
    assert [title["text"][a:b] for a, b in title["highlights"]] == ["REPAS"]
    assert matched["places"] == [{"place": "Pontoise", "filter": "loc:Pontoise"}]
    assert matched["cpv"] == [] and matched["deadline"] is None
    (plain,) = run("search", "--json", "repas").splitlines()
    assert "matched" not in json.loads(plain)
    with pytest.raises(UserError, match="--why"):
        run("search", "--csv", "--why", "repas")
