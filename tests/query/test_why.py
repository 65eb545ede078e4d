"""Why a listing matched (aggregator.query.why), on the two real BOAMP notices of the
fixtures, on SQLite and PostgreSQL: the words found and where, highlighted by the full-text
engine; the CPV code under a cpv: prefix with its label; the place and the key that took it
in; the descriptor; the deadline window. Computed for the page only, in one statement."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from aggregator.normalize.cpv import lookup
from aggregator.query import Filter, search
from aggregator.query.why import Highlight, explain
from tests.factories import NOW
from tests.query.boamp_listings import store_boamp

ROADS, MEALS = "26-79589", "26-79592"  # bitumen for the roads of Haute-Vienne; Pontoise meals


@pytest.fixture
def boamp(engine, clock):
    return store_boamp(engine)


def why(engine, text: str):
    filter = Filter.parse(text)
    page = search(engine, filter, now=NOW)
    return {listing.source_id: found for listing, found in zip(
        page, explain(engine, filter, page, now=NOW).values(), strict=True)}


def marked(part: Highlight) -> list[str]:
    return [text for text, matched in part.segments() if matched]


def test_words_found_in_title_and_description_are_highlighted(engine, boamp):
    found = why(engine, "bitume")
    assert list(found) == [ROADS]
    parts = {h.field: h for h in found[ROADS].text}
    assert set(parts) == {"title", "description"}
    assert parts["title"].text.endswith("L'EMULSION DE BITUME")
    assert marked(parts["title"]) == ["BITUME"]
    assert marked(parts["description"]) == ["bitume"]  # an excerpt of the description
    assert "émulsion de bitume" in parts["description"].text
    assert found[ROADS].words == ["BITUME"]  # the same word once


def test_accents_and_prefixes_are_found_as_the_listing_writes_them(engine, boamp):
    found = why(engine, "enrob*")[ROADS]
    assert {w for h in found.text for w in marked(h)} == {"ENROBES", "enrobés"}
    found = why(engine, '"liaison froide"')[MEALS]
    # a phrase: one span (FTS5) or a span per word (PostgreSQL)
    assert " ".join(marked(found.text[0])) == "LIAISON FROIDE"


def test_the_excerpt_is_found_however_the_word_is_typed(engine, boamp):
    # PostgreSQL cuts the excerpt from around the first match: found as typed, else by stem
    # in the unaccented text, else in the whole description
    for typed in ("émulsion", "EMULSION", "emulsion"):
        parts = {h.field: h for h in why(engine, typed)[ROADS].text}
        assert [w.lower() for w in marked(parts["description"])] == ["émulsion"], typed
        assert "émulsion de bitume" in parts["description"].text


def test_a_word_of_the_buyers_name_is_marked_there_and_only_there(engine, boamp):
    # "conseil" is in the buyer's name of the roads notice alone; "bitume" is not in it
    parts = {h.field: h for h in why(engine, "conseil bitume")[ROADS].text}
    assert marked(parts["organization"]) == ["Conseil"]
    assert "conseil" not in [w.lower() for w in marked(parts["title"])]


def test_cpv_place_descriptor_and_deadline_say_what_matched(engine, boamp):
    found = why(engine, "cpv:4411 dep:87 descriptor:voirie deadline<200d")[ROADS]
    record = found.record()
    assert record["cpv"] == [{"code": "44113310", "label": lookup("44113310").en,
                              "prefix": "4411"}]
    # no place of work named: placed at its buyer's address in Limoges
    assert record["places"] == [{"place": "Limoges", "filter": "dep:87"}]
    assert record["descriptors"] == [{"descriptor": "365 Voirie",
                                      "filter": "descriptor:voirie"}]
    assert record["deadline"] == {"deadline": "22/09/2026 12:00 (179d)",
                                  "filter": ["deadline<200d"]}
    assert record["text"] == [] and record["words"] == []


def test_a_commune_is_named_with_the_key_that_took_it_in(engine, boamp):
    assert why(engine, "region:IDF")[MEALS].record()["places"] == [
        {"place": "Pontoise", "filter": "region:IDF"}]
    assert why(engine, "loc:Pontoise")[MEALS].record()["places"] == [
        {"place": "Pontoise", "filter": "loc:Pontoise"}]
    # of two places, only the one that took the listing in
    assert why(engine, "dep:87 loc:Pontoise")[ROADS].record()["places"] == [
        {"place": "Limoges", "filter": "dep:87"}]


def test_cpv_words_match_and_say_which_code(engine, boamp):
    found = why(engine, 'cpv:"livraison de repas"')
    assert list(found) == [MEALS]
    (code,) = found[MEALS].cpv
    assert code.code == "55521200" and code.label == lookup("55521200").en
    assert "55521200".startswith(code.prefix)


def test_exclusions_are_no_reason_and_nothing_is_said_without_a_filter(engine, boamp):
    assert not why(engine, "-bitume")[MEALS]
    assert not why(engine, "")[ROADS]


def test_the_page_is_highlighted_in_one_statement(engine, boamp):
    """One statement on PostgreSQL; on SQLite after a small one, a count of the matches
    (capped) that chooses how FTS5 finds the ids."""
    filter = Filter.parse("fourniture livraison")
    page = search(engine, filter, now=NOW)
    assert len(page) == 2
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        found = explain(engine, filter, page, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(statements) == (2 if engine.dialect.name == "sqlite" else 1)
    assert all(h.field in ("title", "description") for w in found.values() for h in w.text)
    assert {id_ for id_, w in found.items() if w.words} == {listing.id for listing in page}
    # only the page asked for
    assert list(explain(engine, filter, page[:1], now=NOW)) == [page[0].id]


@pytest.mark.parametrize(("marked", "text", "words"), [
    ("\x02Bitume\x03 et \x02enrobés\x03 à froid", "Bitume et enrobés à froid",
     ["Bitume", "enrobés"]),
    ("… la \x02liaison\x03 \x02froide\x03 …", "… la liaison froide …", ["liaison", "froide"]),
    ("rien de marqué", None, None),
    (None, None, None),
])
def test_the_engines_marks_become_spans_of_the_plain_text(marked, text, words):
    part = Highlight.read("title", marked)
    if text is None:
        assert part is None
    else:
        assert (part.text, part.words()) == (text, words)


@pytest.mark.parametrize(("marked", "excerpt", "words"), [
    # the first word found, with a little of what comes before; cut between words
    ("Lot 1 : fourniture et pose de \x02bitume\x03 pour la voirie communale du département",
     "… et pose de bitume pour …", ["bitume"]),
    # a word found again beyond the excerpt is not marked in it
    ("\x02bitume\x03 à froid, puis plus loin encore du \x02bitume\x03", "bitume à froid, puis …",
     ["bitume"]),
    # a word straddling the excerpt's end is kept whole
    ("\x02bitume\x03 à froid et \x02émulsion\x03", "bitume à froid et émulsion",
     ["bitume", "émulsion"]),
    ("court \x02bitume\x03", "court bitume", ["bitume"]),
])
def test_a_description_is_shown_as_an_excerpt_around_its_first_word(marked, excerpt, words):
    part = Highlight.read("description", marked).excerpt(12, 25)
    assert (part.text, part.words()) == (excerpt, words)
