"""The compact form's grammar on hostile input: quotes left open, lone dashes, keys without
a value, lists, unicode. Whatever is typed, the result is a Filter that round-trips or a
FilterError naming what is wrong — never another exception."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.query import Filter, FilterError, Term, parse_terms
from aggregator.query.grammar import KeyClause, Piece, TextClause, parse_clauses


def test_clauses_are_keys_or_text_separated_by_white_space():
    assert parse_clauses('kind:tender loc:"Saint-Denis (93)" cpv:45,71 deadline<=2026-12-01 '
                         'électricité -"mise en concurrence" gen*') == (
        KeyClause("kind", ":", ("tender",), "kind:tender"),
        KeyClause("loc", ":", ("Saint-Denis (93)",), 'loc:"Saint-Denis (93)"'),
        KeyClause("cpv", ":", ("45", "71"), "cpv:45,71"),
        KeyClause("deadline", "<=", ("2026-12-01",), "deadline<=2026-12-01"),
        TextClause((Piece("électricité"),), "électricité"),
        TextClause((Piece("mise en concurrence", quoted=True, negated=True),),
                   '-"mise en concurrence"'),
        TextClause((Piece("gen*"),), "gen*"))


@pytest.mark.parametrize(("text", "terms"), [
    ('"mise en concurrence', [Term("mise en concurrence", phrase=True)]),  # left open
    ('-"mise en', [Term("mise en", phrase=True, negated=True)]),
    ('bitume "', [Term("bitume")]),
    ("-", []),
    ("- -- ---", []),
    ("--repas", [Term("repas", negated=True)]),
    ('""', []),
    ("*", []),
    ('abc"def ghi"', [Term("abc"), Term("def ghi", phrase=True)]),
    ("Théâtre: Les", [Term("Théâtre:"), Term("Les")]),
    ("a\u00a0b\u2003c", [Term("a"), Term("b"), Term("c")]),  # unicode spaces separate words
    ("\u202eevil\u202c", [Term("\u202eevil\u202c")]),  # bidi controls are text
    ("café🙂", [Term("café🙂")]),
])
def test_hostile_text_reads_to_terms(text, terms):
    f = Filter.parse(text)
    assert list(f.terms()) == terms
    assert Filter.parse(f.to_text()) == f


def test_a_quote_left_open_in_a_value_runs_to_the_end():
    assert Filter.parse('loc:"Saint-Denis (93)').locations == ("Saint-Denis (93)",)


@pytest.mark.parametrize(("text", "message"), [
    ("kind:", "'kind:': kind needs a value"),
    ("kind: tender", "'kind:': kind needs a value"),
    ('kind:""', "kind needs a value"),
    ("cpv:,", "'cpv:,': cpv needs a value"),
    ("deadline<", "'deadline<': deadline needs a value"),
    ("dept:", "dep needs a value"),  # an alias is named by its key
    ("kind:job,tender", "'kind:job,tender': kind takes one value"),
    ("-kind:job", "'-kind:job': a key cannot be excluded"),
    ('"x"kind:job', "put a space before kind:"),
    ("cpv:45,4a", "bad CPV prefix '4a'"),
    ("deadline<abc", "bad deadline date 'abc': expected a number of days such as 15d, a date"),
    ("deadline>abc", "bad deadline date 'abc': expected a date such as 2026-12-01"),
    ("since:soon", "bad since date 'soon': expected a number of days such as 7d"),
])
def test_keys_without_a_value_and_bad_values_name_the_token(text, message):
    with pytest.raises(FilterError, match=re.escape(message)):
        Filter.parse(text)


def test_lists_take_quoted_items_and_ignore_empty_ones():
    f = Filter.parse('cpv:45,,71, loc:"Saint-Denis (93)",Lyon contract:cdi,')
    assert f.cpv == ("45", "71")
    assert f.locations == ("Saint-Denis (93)", "Lyon")
    assert f.contract_types == ("cdi",)
    assert f.to_text() == 'loc:"Saint-Denis (93)" loc:Lyon contract:cdi cpv:45,71'


def test_a_list_does_not_run_over_a_space():
    f = Filter.parse("cpv:45 ,71")
    assert f.cpv == ("45",)
    assert f.terms() == (Term(",71"),)


def test_only_ascii_letters_make_a_key():
    assert Filter.parse("ｋｉｎｄ:job").terms() == (Term("ｋｉｎｄ:job"),)  # full-width: text


def test_keys_and_aliases_are_case_insensitive():
    assert Filter.parse("KIND:job Deadline<2W Dept:13") == Filter(
        kind="job", closing_within=timedelta(days=14), locations=("dep:13",))


def test_key_like_text_built_in_code_is_written_as_a_phrase():
    for text in ("kind:", "-kind:job", "foo:bar", "deadline<x"):
        f = Filter(text=text)
        assert f.terms()[0].phrase
        assert Filter.parse(f.to_text()) == f


def test_parse_terms_reads_key_clauses_as_phrases():
    assert parse_terms('foo:"a b" x') == (Term("foo:a b", phrase=True), Term("x"))


_pieces = st.one_of(
    st.text(max_size=8),
    st.sampled_from(['"', "-", "--", ":", "<", ">=", ",", "*", "kind:", "kind:job", "cpv:45,",
                     "deadline<", "deadline<15d", "deadline>2026-12-01", "status:all",
                     "sort:-title", "starred:yes", 'loc:"', "-\"", "\u00a0", "\u202e", " "]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(_pieces, max_size=6).map("".join),
                 st.lists(_pieces, max_size=6).map(" ".join)))
def test_any_text_is_a_filter_that_round_trips_or_a_filter_error(text):
    try:
        f = Filter.parse(text)
    except FilterError as exc:
        assert str(exc)
        return
    assert Filter.parse(f.to_text()) == f
    assert Filter.parse(f.to_text()).to_text() == f.to_text()
