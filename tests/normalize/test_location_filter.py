"""A user's --location value → what to match (the search issue's entry point)."""

from __future__ import annotations

import pytest

from aggregator.normalize import LocationFilter, resolve_location_filter, resolve_place
from aggregator.normalize.geography import geography

MARSEILLE = {"13055", *(f"132{n:02d}" for n in range(1, 17))}
PARIS = {"75056", *(f"751{n:02d}" for n in range(1, 21))}
LYON = {"69123", *(f"6938{n}" for n in range(1, 10))}


@pytest.mark.parametrize("text, level, codes", [
    ("13", "department", {"13"}),
    ("2A", "department", {"2A"}),
    ("971", "department", {"971"}),
    ("93", "department", {"93"}),  # a bare code is the department (Seine-Saint-Denis)
    ("Bouches-du-Rhône", "department", {"13"}),
    ("bouches du rhone", "department", {"13"}),
    ("PACA", "region", {"93"}),
    ("Provence-Alpes-Côte d'Azur", "region", {"93"}),
    ("IDF", "region", {"11"}),
    ("Île-de-France", "region", {"11"}),
    ("Marseille", "commune", MARSEILLE),
    ("Paris", "commune", PARIS),
    ("Lyon", "commune", LYON),
    ("Lyon 3e", "commune", {"69383"}),
    ("Roissy-en-France", "commune", {"95527"}),
    ("Saint-Denis (93)", "commune", {"93066"}),
    ("75011", "commune", {"75111"}),
    ("13001", "commune", {"13201"}),
    ("Alsace", "department", {"67", "68"}),
    ("FRL05", "department", {"83"}),
    ("FRL", "region", {"93"}),
    ("FRY", "department", {"971", "972", "973", "974", "976"}),
    # the commune Fry (76) is no NUTS code: a NUTS code is in capitals or has a digit
    ("Fry", "commune", {"76292"}),
    ("fry", "commune", {"76292"}),
    ("frl05", "department", {"83"}),
    ("Frl", None, None),
    ("nuts:fry", "department", {"971", "972", "973", "974", "976"}),  # said so: NUTS
    ("France", "country", {"FR"}),
    ("Belgique", "country", {"BE"}),
    ("Germany", "country", {"DE"}),
    ("remote", "remote", set()),
    ("Télétravail", "remote", set()),
    ("region:93", "region", {"93"}),
    ("reg:11", "region", {"11"}),
    ("dep:13", "department", {"13"}),
    ("dep:Var", "department", {"83"}),
    ("cp:75011", "commune", {"75111"}),
    ("insee:75056", "commune", PARIS),
    ("nuts:FRL05", "department", {"83"}),
    ("pays:Belgique", "country", {"BE"}),
])
def test_location_values_resolve(text, level, codes):
    found = resolve_location_filter(text)
    if level is None:
        assert found is None
        return
    assert isinstance(found, LocationFilter)
    assert (found.level, set(found.codes)) == (level, codes)
    assert found.label


@pytest.mark.parametrize("text, kind, level, codes", [
    ("93", "region", "region", {"93"}),
    ("93", "department", "department", {"93"}),
    ("Provence-Alpes-Côte d'Azur", "region", "region", {"93"}),
    ("Var", "department", "department", {"83"}),
    ("75056", "insee", "commune", PARIS),
    ("75011", "postal", "commune", {"75111"}),
    ("FR", "country", "country", {"FR"}),
    ("anything", "remote", "remote", set()),
])
def test_kind_forces_the_reading(text, kind, level, codes):
    found = resolve_location_filter(text, kind=kind)
    assert (found.level, set(found.codes)) == (level, codes)


def test_labels_name_the_place():
    assert resolve_location_filter("13").label == "Bouches-du-Rhône (13)"
    assert resolve_location_filter("PACA").label == "Provence-Alpes-Côte d'Azur"
    assert resolve_location_filter("Marseille").label == "Marseille (13)"
    assert resolve_location_filter("Belgique").label == "Belgique"


def test_homonyms_match_all_and_say_so():
    found = resolve_location_filter("Saint-Denis")
    geo = geography()
    assert set(found.codes) == {c.code for c in geo.by_name["saint denis"]}
    assert found.ambiguous
    assert "93" in found.label and "974" in found.label


def test_a_postal_code_also_matches_the_postal_code_column():
    shared = resolve_location_filter("01200")  # nine communes, one of them in Haute-Savoie
    assert shared.postal_code == "01200"
    assert set(shared.codes) == {c.code for c in geography().by_postal["01200"]}
    assert {geography().communes[c].department for c in shared.codes} == {"01", "74"}
    cedex = resolve_location_filter("13272")  # no commune has this CEDEX code
    assert (cedex.level, cedex.codes, cedex.postal_code) == ("commune", frozenset(), "13272")


def test_every_place_a_listing_resolves_to_is_matched_by_the_same_words():
    """Whatever a listing's location resolves to, a user typing the same words finds it."""
    for text in ("95 - Roissy-en-France", "Marseille 13e", "Lyon 3e Arrondissement",
                 "Paris (75)", "Bouches-du-Rhône", "PACA", "13", "2A"):
        place = resolve_place(text)
        found = resolve_location_filter(text)
        column = {"commune": place.insee_code, "department": place.department,
                  "region": place.region}[found.level]
        assert column in found.codes, text


def test_an_arrondissement_listing_matches_the_city_filter():
    listing = resolve_place("13 - MARSEILLE 14")
    assert listing.insee_code in resolve_location_filter("Marseille").codes


@pytest.mark.parametrize("text", ["", "   ", None, "xyzzy", "region:", "region:999", "dep:00",
                                  "cp:1234", "insee:00000"])
def test_unknown_values_give_none(text):
    assert resolve_location_filter(text) is None


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown location kind"):
        resolve_location_filter("13", kind="planet")
