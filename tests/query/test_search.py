"""Every filter alone and combined, on SQLite and PostgreSQL, against listings written the
way a crawl writes them (normalize_listing → ListingWriter, which also fills the full-text
index). The clock is frozen: Friday 27 March 2026, 10:00 in Paris, two days before the
change to summer time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from aggregator.query import (
    Filter,
    FilterError,
    count,
    get_listing,
    listing_groups,
    parse_terms,
    search,
    stream,
    stream_batches,
)
from aggregator.query.fulltext import text_match
from aggregator.query.planner import INDEX_DRIVEN_ABOVE
from aggregator.store.flags import set_flags
from aggregator.store.models import Listing
from tests.factories import NOW, PARIS, item, write
from tests.query.plans import sqlite_plans

ITEMS = [
    item("elec-13e", title="Travaux d'électricité du groupe scolaire", location="Marseille 13e",
         deadline_at="2026-04-03T12:00:00+02:00", cpv=["45310000"],
         description="Mise en conformité des tableaux.", match_keys=["proc:1"]),
    item("nettoyage-1er", title="Électricité et nettoyage des locaux",
         location="Marseille", postal_code="13001", deadline_at="2026-04-20T12:00:00+02:00",
         cpv=["90910000"]),
    item("aix", title="Maintenance des ascenseurs", location="Aix-en-Provence (13)",
         description="Y compris l'ELECTRICITE des machineries.", cpv=["50750000"],
         deadline_at="2026-03-31T12:00:00+02:00", published_at="2026-03-26T09:00:00+01:00"),
    item("paris11", kind="job", source="francetravail", title="Électricien F/H",
         location="Paris", postal_code="75011", contract_type="CDI",
         organization="Groupe ADP", published_at="2026-03-25T09:00:00+01:00"),
    item("lyon", kind="job", source="lever", title="Développeur Python", location="Lyon 3e",
         contract_type="CDD", deadline_at="2026-03-28T23:30:00+01:00",
         description="Pause café-crème offerte."),
    item("nice-sun", title="Maîtrise d'œuvre du stade", location="Nice (06)",
         deadline_at="2026-03-29T00:00:00+01:00", cpv=["71000000"]),
    item("nice-mon", title="Assistance à maîtrise d'ouvrage", location="Nice (06)",
         deadline_at="2026-03-30T00:00:00+02:00", cpv=["71541000"]),
    item("closed", title="Électricité de la mairie", location="Marseille 13e",
         deadline_at="2026-03-20T12:00:00+01:00", cpv=["45310000"]),
    item("cancelled", title="Électricité annulée", location="Marseille 13e", status="cancelled",
         deadline_at="2026-04-20T12:00:00+02:00"),
    item("remote", kind="job", source="lever", title="Data analyst", location=None,
         remote="Télétravail complet", contract_type="Freelance"),
    item("bruxelles", source="ted", title="Services de nettoyage", location="Bruxelles",
         country="BE", deadline_at="2026-04-15T12:00:00+02:00", cpv=["90910000"]),
    item("dup-ted", source="ted", title="Travaux d'électricité du groupe scolaire (TED)",
         location="Marseille 13e", deadline_at="2026-04-03T12:00:00+02:00",
         cpv=["45310000"], match_keys=["proc:1"]),
    item("old", title="Fournitures de bureau", published_at="2026-01-10T09:00:00+01:00",
         location="Saint-Denis (93)", deadline_at="2026-06-01T12:00:00+02:00"),
    item("reunion", title="Transport scolaire", location="Saint-Denis (974)",
         deadline_at="2026-06-01T12:00:00+02:00"),
]


@pytest.fixture
def ids(engine, clock):
    ids = write(engine, ITEMS)
    # open at its source but past its deadline since the last crawl: must not show as open
    ids |= write(engine, [item("stale", title="Électricité périmée", location="Marseille 13e",
                               deadline_at="2026-03-27T09:00:00+01:00")],
                 now=NOW - timedelta(days=2))
    return ids


def found(engine, text: str, **paging) -> list[str]:
    by_id = {listing.id: listing.source_id
             for listing in search(engine, Filter.parse(text, **paging))}
    return list(by_id.values())


@pytest.mark.parametrize(("text", "paging"), [
    ("", {}), ("status:all", {}), ("électricité", {}), ("électricité", {"offset": 1, "limit": 1}),
    ("électricité -nettoyage dep:13", {}), ("status:all sort:title", {"limit": 2, "offset": 1}),
    ("-électricité", {})])
def test_streaming_reads_what_search_pages_in_the_same_order(engine, ids, text, paging):
    # exports and `search --json` read every match in batches of ``batch`` rows, not as
    # objects held all at once: a batch smaller than the result proves the batches join up
    filter = Filter.parse(text, **({"limit": None} | paging))
    rows = list(stream(engine, filter, batch=2))
    assert [r.id for r in rows] == [listing.id for listing in search(engine, filter)]
    pages = list(stream_batches(engine, filter, [Listing.id], batch=2))
    assert [row.id for page in pages for row in page] == [r.id for r in rows]
    assert all(0 < len(page) <= 2 for page in pages)
    assert rows and all(r.title and r.first_seen_at.tzinfo for r in rows)
    assert "raw" not in rows[0]._fields


def test_streaming_leaves_the_pooled_connection_as_it_found_it(engine, ids):
    # SQLite streams with a smaller page cache (bounded memory while it sorts); the next
    # user of the pooled connection must get the store's own cache size back
    if engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    with engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    assert list(stream(engine, Filter.parse("status:all", limit=None), batch=2))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before


def test_default_is_every_open_listing_once_soonest_deadline_first(engine, ids):
    assert found(engine, "") == [
        "lyon", "nice-sun", "nice-mon", "aix", "elec-13e", "bruxelles", "nettoyage-1er",
        "reunion", "old",  # same deadline: newest first
        # no deadline: newest first
        "paris11", "remote"]


def test_status_filters_use_the_deadline_not_only_the_stored_status(engine, ids):
    assert set(found(engine, "status:closed")) == {"closed", "stale"}
    assert found(engine, "status:cancelled") == ["cancelled"]
    assert len(found(engine, "status:all")) == len(ids) - 1  # the TED duplicate


def test_duplicates_show_once_and_their_group_lists_every_source(engine, ids):
    shown = search(engine, Filter.parse('"groupe scolaire"'))
    assert [s.source_id for s in shown] == ["elec-13e"]
    groups = listing_groups(engine, [ids["dup-ted"], ids["elec-13e"]])
    assert [g.source_id for g in groups[ids["dup-ted"]]] == ["elec-13e", "dup-ted"]
    assert groups[ids["dup-ted"]] is groups[ids["elec-13e"]] or \
        [g.id for g in groups[ids["elec-13e"]]] == [g.id for g in groups[ids["dup-ted"]]]
    detail = get_listing(engine, ids["elec-13e"])
    assert [s.source for s in detail.sources] == ["boamp", "ted"]


def test_kind(engine, ids):
    assert found(engine, "kind:job") == ["lyon", "paris11", "remote"]


@pytest.mark.parametrize("text", ["electricite", "ÉLECTRICITÉ", "Électricité", "électricité"])
def test_text_ignores_accents_and_case_and_ranks_title_matches_first(engine, ids, text):
    # aix matches in its description only: after the title matches despite its sooner deadline
    assert found(engine, text) == ["elec-13e", "nettoyage-1er", "aix"]


def test_text_phrases_exclusions_prefixes_ligatures_and_hyphens(engine, ids):
    assert found(engine, "électricité -nettoyage") == ["elec-13e", "aix"]
    assert found(engine, '"des locaux" électricité') == ["nettoyage-1er"]
    assert found(engine, '"maitre d\'oeuvre" OR stade') == []  # OR is a word, not an operator
    assert found(engine, '"maîtrise d\'oeuvre"') == ["nice-sun"]
    assert found(engine, "maitrise d'œuvre") == ["nice-sun"]
    assert found(engine, "cafe-creme") == ["lyon"]
    assert set(found(engine, "électri*")) == {"elec-13e", "nettoyage-1er", "aix", "paris11"}
    assert found(engine, "-électricité kind:tender") == [
        "nice-sun", "nice-mon", "bruxelles", "reunion", "old"]


def test_text_that_breaks_fts_syntax_is_searched_literally(engine, ids):
    for text in ['Théâtre: Les', "C++", "NEAR(a b)", "l'été", '"unclosed', "AND", "*", "-"]:
        search(engine, Filter.parse(text))  # no syntax error from the full-text engine


@pytest.mark.parametrize(("location", "expected"), [
    ("13", {"elec-13e", "nettoyage-1er", "aix"}),
    ("dep:13", {"elec-13e", "nettoyage-1er", "aix"}),
    ('"Bouches-du-Rhône"', {"elec-13e", "nettoyage-1er", "aix"}),
    ("PACA", {"elec-13e", "nettoyage-1er", "aix", "nice-sun", "nice-mon"}),
    ("region:93", {"elec-13e", "nettoyage-1er", "aix", "nice-sun", "nice-mon"}),
    ('"Provence-Alpes-Côte d\'Azur"', {"elec-13e", "nettoyage-1er", "aix", "nice-sun",
                                       "nice-mon"}),
    ("Marseille", {"elec-13e", "nettoyage-1er"}),  # every arrondissement
    ("13013", {"elec-13e"}),
    ("cp:13001", {"nettoyage-1er"}),
    ("Paris", {"paris11"}),
    ("75011", {"paris11"}),
    ("IDF", {"paris11", "old"}),
    ("Lyon", {"lyon"}),
    ("Belgique", {"bruxelles"}),
    ("country:BE", {"bruxelles"}),
    ("remote", {"remote"}),
    ("Saint-Denis", {"old", "reunion"}),  # homonyms: all of them
    ('"Saint-Denis (974)"', {"reunion"}),
])
def test_every_place_form(engine, ids, location, expected):
    assert set(found(engine, f"loc:{location}")) == expected


def test_several_locations_are_alternatives(engine, ids):
    assert set(found(engine, "dep:06 loc:Lyon")) == {"nice-sun", "nice-mon", "lyon"}


def test_france_is_every_french_listing(engine, ids):
    assert set(found(engine, "loc:France")) == set(found(engine, "")) - {"bruxelles", "remote"}


def test_closing_within_counts_local_calendar_days_across_the_dst_change(engine, ids):
    # Friday 10:00: "1 day" ends with Saturday, "2 days" with Sunday (23 hours long)
    assert found(engine, "deadline<0d") == []
    assert found(engine, "deadline<1d") == ["lyon"]
    assert found(engine, "deadline<2d") == ["lyon", "nice-sun"]
    assert found(engine, "deadline<3d") == ["lyon", "nice-sun", "nice-mon"]


def test_a_date_bound_means_the_whole_local_day(engine, ids):
    # nice-sun is due at the very midnight that starts Sunday 29 March (UTC+1)
    assert found(engine, "deadline<2026-03-29") == ["lyon"]
    assert found(engine, "deadline<=2026-03-29") == ["lyon", "nice-sun"]
    # nice-mon: at the midnight that starts Monday 30 March, summer time (UTC+2)
    assert found(engine, "deadline>2026-03-29") == [
        "nice-mon", "aix", "elec-13e", "bruxelles", "nettoyage-1er", "reunion", "old"]
    assert found(engine, "deadline>=2026-03-29 deadline<2026-03-31") == ["nice-sun",
                                                                           "nice-mon"]
    assert found(engine, "deadline>2026-03-29T00:00 deadline<2026-03-30T00:00") == []
    assert found(engine, "deadline>2026-03-28T23:59 deadline<2026-03-30T00:01") == [
        "nice-sun", "nice-mon"]


def test_closing_within_at_one_minute_to_midnight(engine, ids, clock):
    clock.move_to(datetime(2026, 3, 28, 23, 59, 30, tzinfo=PARIS))
    # lyon was due at 23:30: closed now; nice-sun is due in 30 seconds, on "tomorrow"
    assert found(engine, "deadline<0d") == []
    assert found(engine, "deadline<1d") == ["nice-sun"]
    clock.move_to(datetime(2026, 3, 29, 0, 0, 30, tzinfo=PARIS))
    assert found(engine, "deadline<1d") == ["nice-mon"]  # nice-sun has just closed


def test_cpv_prefixes(engine, ids):
    assert found(engine, "cpv:45") == ["elec-13e"]
    assert found(engine, "cpv:4531") == ["elec-13e"]
    assert found(engine, "cpv:45310000") == ["elec-13e"]
    assert set(found(engine, "cpv:9")) == {"nettoyage-1er", "bruxelles"}
    assert set(found(engine, "cpv:45,7154")) == {"elec-13e", "nice-mon"}
    assert found(engine, "cpv:46") == []


def test_contract_types_and_sources(engine, ids):
    assert found(engine, "contract:cdi") == ["paris11"]
    assert found(engine, "contract:cdi,freelance") == ["paris11", "remote"]
    assert found(engine, "contract:stage") == []
    assert found(engine, "source:lever") == ["lyon", "remote"]
    assert set(found(engine, "source:ted")) == {"bruxelles"}  # dup-ted shows as elec-13e


def test_published_and_first_seen_since(engine, ids):
    assert "old" not in found(engine, "since:7d")
    assert "old" in found(engine, "since:2026-01-10")
    assert "old" not in found(engine, "since:2026-01-11")
    assert found(engine, "since:1d") == ["aix"]  # since Thursday 00:00
    assert set(found(engine, "new:2026-03-27")) == set(found(engine, "")) - {"stale"}
    assert found(engine, "new:2026-03-27T10:00:01+01:00") == []


def test_starred_and_hidden(engine, ids):
    set_flags(engine, [ids["aix"], ids["lyon"]], starred=True)
    set_flags(engine, [ids["lyon"]], hidden=True)
    assert found(engine, "starred:yes") == ["aix"]
    assert "lyon" not in found(engine, "")
    assert found(engine, "hidden:yes") == ["lyon"]
    assert found(engine, "starred:yes hidden:any") == ["lyon", "aix"]
    assert "aix" not in found(engine, "starred:no")


def test_the_issue_example_combines_everything(engine, ids):
    assert found(engine, 'kind:tender dep:13 deadline<15d cpv:45 "électricité" -nettoyage') \
        == ["elec-13e"]
    assert found(engine, "kind:tender loc:Marseille électricité deadline<30d") == [
        "elec-13e", "nettoyage-1er"]
    assert found(engine, "kind:job loc:IDF contract:cdi électri*") == ["paris11"]


def test_sorts(engine, ids):
    assert found(engine, "kind:job sort:published") == ["paris11", "remote", "lyon"]
    assert found(engine, "kind:job sort:-published") == ["lyon", "remote", "paris11"]
    by_deadline_reversed = found(engine, "sort:-deadline")
    assert by_deadline_reversed[:4] == ["remote", "paris11", "old", "reunion"]
    assert by_deadline_reversed[-1] == "lyon"
    titles = [p.title for p in search(engine, Filter.parse("sort:title"))]
    assert titles == sorted(titles)
    assert found(engine, "kind:tender sort:place")[:2] == ["nice-sun", "nice-mon"]  # 06
    # an explicit order replaces relevance
    assert found(engine, "électricité sort:deadline") == ["aix", "elec-13e", "nettoyage-1er"]
    # relevance: title matches first; an exclusion applies to both groups
    assert found(engine, "électricité") == ["elec-13e", "nettoyage-1er", "aix"]
    assert found(engine, "électricité -nettoyage") == ["elec-13e", "aix"]


def test_pages_join_up_to_the_whole_result_in_every_order(engine, ids):
    for text in ["", "électricité", "électri*", "électricité -nettoyage", "sort:title",
                 "loc:PACA"]:
        whole = found(engine, text)
        pages = [found(engine, text, limit=2, offset=o) for o in range(0, len(whole) + 2, 2)]
        assert [s for page in pages for s in page] == whole, text
        assert count(engine, Filter.parse(text)) == len(whole)
    assert count(engine, Filter.parse(""), cap=3) == 3


def test_a_search_matching_many_rows_reads_in_index_order_with_the_same_results(engine, clock):
    many = [item(f"bulk-{n}", title=f"Électricité bâtiment {n}", location="Lyon 3e",
                 deadline_at=(NOW + timedelta(days=1 + n % 40)).isoformat())
            for n in range(INDEX_DRIVEN_ABOVE + 50)]
    many.append(item("other", title="Plomberie", description="électricité comprise",
                     location="Lyon 3e", deadline_at=NOW.replace(hour=12).isoformat()))
    write(engine, many)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert text_match(parse_terms("électricité"), "sqlite", conn).index_driven
            assert not text_match(parse_terms("plomberie"), "sqlite", conn).index_driven
    # title matches first, each group soonest deadline first; "other" (due today) comes last
    page = found(engine, "électricité", limit=5)
    assert page == ["bulk-0", "bulk-40", "bulk-80", "bulk-120", "bulk-160"]
    assert found(engine, "électricité", limit=3, offset=len(many) - 2) == ["bulk-4039", "other"]
    assert found(engine, "électricité sort:deadline", limit=2) == ["other", "bulk-0"]
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: statements.append(statement))
    assert count(engine, Filter.parse("électricité")) == len(many)
    # a count has no order to keep: it starts from the text matches, and probes nothing
    # (PostgreSQL builds the text query first)
    assert len(statements) == (1 if engine.dialect.name == "sqlite" else 2)
    assert "+listings.id" not in statements[-1]
    assert found(engine, "plomberie") == ["other"]


def test_newest_first_reads_the_published_index_instead_of_sorting_every_open_listing(
        engine, ids):
    # `aggregator list`: half a store may be open; the newest are found in the published_at
    # index, a page read and done, where the status index would fetch them all to sort them
    if engine.dialect.name != "sqlite":
        pytest.skip("a SQLite plan (PostgreSQL chooses from its statistics)")
    with sqlite_plans(engine, "SELECT listings.id, listings.kind") as plans:
        newest = found(engine, "sort:published")
    assert plans == ["SCAN listings USING INDEX ix_listings_published_at"]
    assert newest[:2] == ["aix", "paris11"]  # the only ones with a publication date here
    assert sorted(newest) == sorted(found(engine, ""))  # every open listing, none other


def test_unknown_place_is_an_error_when_the_filter_runs(engine, ids):
    with pytest.raises(FilterError, match="unknown place 'Atlantis'"):
        search(engine, Filter(locations=("Atlantis",)))
