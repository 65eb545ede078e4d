"""The filter model's text form: reading, writing back, round trips and clear errors."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.config import LOCAL_TZ
from aggregator.query import Filter, FilterError, Term, complete, parse_terms, read_option
from aggregator.query.fulltext import fts5_query


def test_the_issue_example_reads_into_fields_and_writes_back_identically():
    text = 'kind:tender dep:13 deadline<15d cpv:45 "électricité" -nettoyage'
    f = Filter.parse(text)
    assert f.kind == "tender"
    assert f.locations == ("dep:13",)
    assert f.closing_within == timedelta(days=15)
    assert f.cpv == ("45",)
    assert f.terms() == (Term("électricité", phrase=True), Term("nettoyage", negated=True))
    assert f.to_text() == text


@pytest.mark.parametrize(("typed", "canonical"), [
    ("DEADLINE<2w  Kind:Tenders", "kind:tender deadline<14d"),
    ("deadline<=2026-12-01", "deadline<2026-12-02"),
    ("deadline>=2026-12-01", "deadline>2026-11-30"),
    ("deadline<2026-12-01T12:00", "deadline<2026-12-01T12:00"),
    ("since:7j new:2026-11-20", "since:7d new:2026-11-20"),
    ("dept:13 location:Marseille reg:93 cp:75011 pays:Belgique loc:remote",
     "dep:13 loc:Marseille region:93 cp:75011 country:Belgique loc:remote"),
    ('loc:"Saint-Denis (93)"', 'loc:"Saint-Denis (93)"'),
    ("contract:stage,CDI,alternance cpv:45,4531 source:BOAMP,ted",
     "contract:internship,cdi,apprenticeship cpv:45,4531 source:boamp,ted"),
    ("status:any starred:oui hidden:any sort:-published",
     "status:all starred:yes hidden:any sort:-published"),
    ("café-crème  l'été   gen* --x \"\" + -\"mise en concurrence\"",
     "café-crème l'été gen* -x -\"mise en concurrence\""),
])
def test_typed_forms_read_to_one_canonical_text(typed, canonical):
    assert Filter.parse(typed).to_text() == canonical
    assert Filter.parse(canonical) == Filter.parse(typed)


@pytest.mark.parametrize(("text", "message"), [
    ("dpt:13", "unknown key 'dpt'"),
    ("kind:offer", "bad kind 'offer'"),
    ("deadline:15d", "write deadline<15d"),
    ("deadline>15d", "only works with <"),
    ("deadline<soon", "bad deadline date 'soon'"),
    ("dep:Atlantis", "unknown place 'dep:Atlantis'"),
    ("loc:Xyzzyville", "unknown place 'Xyzzyville'"),
    ("cpv:45a", "bad CPV prefix '45a'"),
    ("contract:forever", "bad contract type 'forever'"),
    ("status:pending", "bad status 'pending'"),
    ("starred:maybe", "bad starred value 'maybe'"),
    ("sort:colour", "bad sort 'colour'"),
    ("since:yesterday", "bad since date 'yesterday'"),
    ("kind<job", "only deadline, awarded, ends, salary and value take < or >"),
    ("kind:", "kind needs a value"),
])
def test_unknown_keys_and_bad_values_are_named_in_the_error(text, message):
    with pytest.raises(FilterError, match=re.escape(message)):
        Filter.parse(text)


def test_text_that_looks_like_a_key_is_kept_as_text_when_built_in_code():
    f = Filter(text="foo:bar Théâtre: Les")
    assert f.to_text() == '"foo:bar" Théâtre: Les'
    assert Filter.parse(f.to_text()) == f


def test_paging_is_not_part_of_the_filter_identity():
    assert Filter.parse("kind:job", limit=10, offset=20) == Filter.parse("kind:job")
    assert Filter.parse("kind:job").page(100, 50).offset == 100


def test_fts5_query_quotes_every_token_and_splits_punctuation():
    positive, negative = fts5_query(parse_terms('Théâtre: café-crème l\'été C++ "a OR b" gen* '
                                                "-nettoyage -NEAR"))
    assert positive == ('"Théâtre" AND "café crème" AND "l été" AND "C" AND "a OR b" '
                        'AND "gen" *')
    assert negative == '"nettoyage" OR "NEAR"'


def test_ligatures_are_spelled_out_for_the_index():
    assert fts5_query(parse_terms("œuvre Lætitia"))[0] == '"oeuvre" AND "Laetitia"'


def test_completion_offers_keys_then_values_and_places():
    assert complete("kind:tender dea") == ["kind:tender deadline<"]
    assert complete("kind:t") == ["kind:tender"]
    assert complete("dep:bouches")[0] == 'dep:Bouches-du-Rhône'
    assert "region:Provence-Alpes-Côte d'Azur" in [c.replace('"', "") for c in
                                                   complete("region:prov")]
    assert complete("loc:marseil")[0] == "loc:Marseille"
    assert complete("sal") == ["salary>="]
    assert complete("kind:job salary>=4") == ["kind:job salary>=40k"]
    assert complete("deadline<=") == []  # a number of days only goes after "<"
    assert complete("") == []


_words = st.text(alphabet="abcdéèçœ-' ", min_size=1, max_size=12)
_filters = st.builds(
    Filter,
    text=st.one_of(st.none(), st.lists(st.tuples(_words, st.booleans(), st.booleans()),
                                       max_size=3).map(
        lambda ts: " ".join(("-" if neg else "") + (f'"{w}"' if ph else w.replace(" ", ""))
                            for w, neg, ph in ts))),
    kind=st.sampled_from([None, "job", "tender"]),
    locations=st.lists(st.sampled_from(["dep:13", "Marseille", "region:PACA", "cp:75011",
                                        "remote", "Saint-Denis (93)"]), max_size=2).map(tuple),
    closing_within=st.one_of(st.none(), st.integers(0, 400).map(lambda d: timedelta(days=d))),
    deadline_before=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 1, 1))),
    deadline_after=st.one_of(st.none(), st.datetimes(
        datetime(2020, 1, 1), datetime(2030, 1, 1)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=LOCAL_TZ))),
    published_since=st.one_of(st.none(), st.integers(0, 90).map(lambda d: timedelta(days=d))),
    contract_types=st.lists(st.sampled_from(["cdi", "cdd", "internship"]), max_size=2).map(
        tuple),
    cpv=st.lists(st.from_regex(r"\d{1,8}", fullmatch=True), max_size=2).map(tuple),
    sources=st.lists(st.sampled_from(["boamp", "ted", "francetravail"]), max_size=2).map(
        tuple),
    status=st.sampled_from(["open", "closed", "cancelled", "all"]),
    starred=st.sampled_from([None, True, False]),
    hidden=st.sampled_from([None, True, False]),
    sort=st.sampled_from([None, "deadline", "-published", "title"]),
    salary_at_least=st.one_of(st.none(), st.integers(0, 10**12)),
    salary_at_most=st.one_of(st.none(), st.floats(0, 1e9, allow_nan=False)),
    value_at_least=st.one_of(st.none(), st.integers(0, 10**12).map(lambda n: n * 100_000)),
)


@settings(max_examples=150, deadline=None)
@given(_filters)
def test_any_filter_round_trips_through_its_text_form(f):
    assert Filter.parse(f.to_text()) == f


@pytest.mark.parametrize(("option", "key", "form", "value", "fields"), [
    ("--closing-within", "deadline", "within", "2w", {"closing_within": timedelta(days=14)}),
    ("--deadline-before", "deadline", "<", "2026-12-01", {"deadline_before": date(2026, 12, 1)}),
    ("--deadline-after", "deadline", ">", "2026-12-01", {"deadline_after": date(2026, 12, 1)}),
    ("--location", "loc", ":", "Bouches-du-Rhône", {"locations": ("Bouches-du-Rhône",)}),
    ("--cpv", "cpv", ":", "45,71", {"cpv": ("45", "71")}),
    ("--contract", "contract", ":", "CDI", {"contract_types": ("cdi",)}),
    ("--starred", "starred", ":", "yes", {"starred": True}),
])
def test_an_option_sets_the_field_its_key_sets(option, key, form, value, fields):
    assert read_option(option, key, value, form) == fields


@pytest.mark.parametrize(("option", "key", "form", "value", "message"), [
    ("--closing-within", "deadline", "within", "abc",
     "--closing-within 'abc': expected a number of days such as 7d or 2w"),
    ("--closing-within", "deadline", "within", "2026-12-01",
     "--closing-within '2026-12-01': expected a number of days"),
    ("--deadline-before", "deadline", "<", "15d", "--deadline-before '15d': expected a date"),
    ("--kind", "kind", ":", "boat", "--kind 'boat': expected job, tender or award"),
    ("--cpv", "cpv", ":", ",", "--cpv ',': expected a value"),
    ("--since", "since", ":", "hier", "--since 'hier': expected a number of days such as 7d"),
])
def test_a_bad_option_value_names_the_option_and_its_forms(option, key, form, value,
                                                             message):
    with pytest.raises(FilterError, match=re.escape(message)):
        read_option(option, key, value, form)


def test_combining_adds_to_lists_and_refuses_a_contradiction():
    f = Filter.parse("kind:tender cpv:45 électricité")
    combined = f.combine({"cpv": ("71",), "kind": "tender", "status": "all"}, "--x")
    assert combined == Filter.parse("kind:tender cpv:45,71 status:all électricité")
    with pytest.raises(FilterError, match=re.escape(
            "--kind 'job' contradicts 'kind:tender' in the query")):
        f.combine({"kind": "job"}, "--kind 'job'")
