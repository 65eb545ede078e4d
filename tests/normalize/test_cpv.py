"""The shipped CPV 2008 nomenclature: labels in both languages, the hierarchy derived from the
codes, and suggestions from a trade's words.

Expected codes and labels are read from the shipped data file (never typed here): the tests
say which labels must come out, the nomenclature says which codes those are.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from importlib import resources

import pytest
import snowballstemmer

from aggregator.normalize import cpv
from aggregator.normalize.folding import fold

RAW = json.loads(gzip.decompress(
    resources.files("aggregator.normalize.data").joinpath("cpv.json.gz").read_bytes()))
FR = {code: fr for code, fr, _ in RAW["codes"]}
EN = {code: en for code, _, en in RAW["codes"]}
STEMMERS = {"fr": snowballstemmer.stemmer("french"), "en": snowballstemmer.stemmer("english")}
TRADES = ["électricité", "nettoyage", "restauration scolaire", "voirie", "informatique"]


def labels(lang: str) -> dict[str, str]:
    return FR if lang == "fr" else EN


def with_phrase(words: str, lang: str = "fr") -> list[str]:
    """Codes whose label holds ``words`` as written (accents and case aside), whole words."""
    pattern = re.compile(rf"\b{re.escape(fold(words))}\b")
    return [code for code, text in labels(lang).items() if pattern.search(fold(text))]


def holds_every_word(code: str, words: str, lang: str = "fr") -> bool:
    """The label has, for each word, a word with the same Snowball stem."""
    stemmer = STEMMERS[lang]
    found = {fold(stemmer.stemWord(w)) for w in re.findall(r"\w+", labels(lang)[code].lower())}
    return all(fold(stemmer.stemWord(w)) in found for w in words.lower().split())


def codes(suggestions, *matches: str) -> list[str]:
    return [s.code.code for s in suggestions if not matches or s.match in matches]


# --- The data file ----------------------------------------------------------------------

def test_the_shipped_file_holds_every_cpv_2008_code_in_french_and_english():
    nomenclature = cpv.nomenclature()
    assert len(nomenclature.codes) == len(RAW["codes"]) == 9454
    assert RAW["format"] == cpv.FORMAT
    assert "eForms SDK" in nomenclature.source and "CC BY 4.0" in nomenclature.source
    assert all(re.fullmatch(r"\d{8}", code) for code in nomenclature.codes)
    assert all(FR[c] and EN[c] for c in FR)
    assert sum(FR[c] != EN[c] for c in FR) > 9000  # two languages, not one copied


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_label_reads_codes_as_people_write_them(lang):
    assert all(cpv.label(code, lang) == text for code, text in labels(lang).items())
    division = next(c for c in FR if c.endswith("000000"))
    a_class = next(c for c in FR if re.fullmatch(r"\d{4}0000", c) and not c.endswith("00000"))
    for code in (division, a_class):
        digits = cpv.significant_digits(code)
        assert cpv.label(digits, lang) == labels(lang)[code]  # "4531" → 45310000
        assert cpv.label(f"{code}-3", lang) == labels(lang)[code]  # with a check digit
        assert cpv.with_label(code, lang) == f"{code} {labels(lang)[code]}"


def test_unknown_or_malformed_codes_have_no_label():
    missing = next(f"{n:02d}000000" for n in range(10, 100) if f"{n:02d}000000" not in FR)
    for text in (missing, "4", "453100001", "45x1", "", "cpv"):
        assert cpv.label(text) is None and cpv.lookup(text) is None
    assert cpv.with_label(missing) == missing


# --- The hierarchy ----------------------------------------------------------------------

def test_every_code_hangs_under_the_nearest_existing_code_with_more_trailing_zeros():
    nomenclature = cpv.nomenclature()
    for code in nomenclature.codes.values():
        digits = code.prefix
        if len(digits) == 2:
            assert code.parent is None and code.level == "division"
            continue
        parent_digits = cpv.significant_digits(code.parent)
        assert digits.startswith(parent_digits) and len(parent_digits) < len(digits)
        # nearest: no existing code between the parent and the code
        for end in range(len(parent_digits) + 1, len(digits)):
            assert digits[:end].ljust(8, "0") not in nomenclature.codes
        assert code.code in nomenclature.children[code.parent]
    # a tree: every code is a division or a child of exactly one code
    listed = [c for kids in nomenclature.children.values() for c in kids]
    divisions = [c for c in nomenclature.codes if c.endswith("000000")]
    assert len(divisions) == 45
    assert sorted(listed + divisions) == sorted(nomenclature.codes)


def test_a_code_whose_next_level_is_missing_hangs_one_level_higher():
    skipping = [c for c in FR if len(cpv.significant_digits(c)) > 2
                and cpv.significant_digits(c)[:-1].ljust(8, "0") not in FR]
    assert skipping  # the nomenclature has such codes (e.g. below a missing category)
    for code in skipping:
        digits = cpv.significant_digits(code)
        expected = next(digits[:end].ljust(8, "0") for end in range(len(digits) - 2, 1, -1)
                        if digits[:end].ljust(8, "0") in FR)
        assert cpv.lookup(code).parent == expected


def test_parents_run_from_the_division_down_and_children_one_level_below():
    deep = max(FR, key=lambda c: len(cpv.significant_digits(c)))
    chain = cpv.parents(deep)
    assert chain[0].code == deep[:2] + "000000" and chain[0].level == "division"
    assert [c.parent for c in chain[1:]] == [c.code for c in chain[:-1]]
    assert chain[-1].code == cpv.lookup(deep).parent
    assert [c.level for c in chain[:4]] == ["division", "group", "class", "category"][
        :len(chain[:4])]
    division = chain[0].code
    assert cpv.parents(division) == [] and cpv.parents("99") == []
    kids = cpv.children(cpv.significant_digits(division))  # typed as a prefix: "45"
    assert kids and all(k.parent == division and k.code.startswith(division[:2]) for k in kids)
    assert [k.code for k in kids] == sorted(k.code for k in kids)
    assert cpv.children(deep) == [] and cpv.children("4") == []


# --- Suggestions ------------------------------------------------------------------------

@pytest.mark.parametrize("trade", TRADES)
def test_suggestions_hold_the_words_and_miss_no_label_that_has_them(trade):
    found = cpv.suggest(trade)
    matching = codes(found, "exact", "words")
    assert matching, trade
    assert all(holds_every_word(c, trade) for c in matching)
    assert set(with_phrase(trade)) <= set(matching)
    assert codes(found) == list(dict.fromkeys(codes(found)))  # each code once


@pytest.mark.parametrize("trade", TRADES)
def test_the_closest_labels_come_first(trade):
    top = codes(cpv.suggest(trade, limit=20))
    phrase = with_phrase(trade)
    shortest = min(len(FR[c].split()) for c in phrase)
    closest = [c for c in phrase if len(FR[c].split()) == shortest]
    assert set(top[:5]) & set(closest), (trade, closest)
    exact = [c for c in phrase if fold(FR[c]) == fold(trade)]
    assert top[:len(exact)] == exact  # "Électricité" for électricité


def test_electricite_brings_the_works_class_the_equipment_and_the_energy():
    top = codes(cpv.suggest("électricité", limit=20), "exact", "words")[:10]
    works = [c.code for c in cpv.children("453") if holds_every_word(c.code, "électrique")]
    assert works and works[0] in top  # 45310000
    assert any(c.startswith("31") for c in top)  # electrical equipment
    assert with_phrase("électricité")[0] in codes(cpv.suggest("électricité"))  # division 09


def test_restauration_scolaire_and_voirie_find_their_labels_first():
    assert codes(cpv.suggest("restauration scolaire"))[0] == with_phrase(
        "restauration scolaire")[0]
    voirie = with_phrase("voirie")
    assert sorted(codes(cpv.suggest("voirie"))[:len(voirie)]) == sorted(voirie)


def test_informatique_shows_the_division_that_holds_most_of_its_codes():
    phrase = with_phrase("informatique")
    divisions = {c[:2] for c in phrase}
    busiest = max(sorted(divisions), key=lambda d: sum(c.startswith(d) for c in phrase))
    found = cpv.suggest("informatique", limit=20)
    assert f"{busiest}000000" in codes(found)
    assert not holds_every_word(f"{busiest}000000", "informatique")  # found as broader code
    assert next(s for s in found if s.code.code == f"{busiest}000000").match == "parent"


def test_words_are_matched_without_accents_case_or_plural():
    expected = codes(cpv.suggest("électricité"))
    assert codes(cpv.suggest("electricite")) == expected
    assert codes(cpv.suggest("ÉLECTRICITÉ")) == expected
    assert codes(cpv.suggest(["services", "de", "nettoyages"])) == codes(
        cpv.suggest("service nettoyage"))
    assert set(codes(cpv.suggest("électri*"), "exact", "words")) >= set(
        codes(cpv.suggest("électricité"), "exact", "words"))


def test_english_labels_are_searched_in_english():
    phrase = with_phrase("school catering", "en")
    found = cpv.suggest("school catering", "en")
    assert phrase and codes(found)[0] == phrase[0]
    assert found[0].code.label("en") == EN[phrase[0]]
    cleaning = codes(cpv.suggest("cleaning", "en"), "exact", "words")
    assert set(with_phrase("cleaning", "en")) <= set(cleaning)
    with pytest.raises(ValueError, match="unknown language"):
        cpv.suggest("cleaning", "de")


def test_what_a_label_excludes_does_not_match():
    excluding = {code: text for code, text in FR.items() if ", excepté " in text}
    assert excluding
    for code, text in excluding.items():
        before, after = text.split(", excepté ", 1)
        word = next(w for w in re.findall(r"\w+", after) if len(w) > 3)
        if holds_every_word(code, word) and word.lower() not in before.lower():
            assert code not in codes(cpv.suggest(word), "exact", "words"), (code, word)


def test_tiers_come_in_order_and_a_limit_keeps_room_for_broader_codes():
    found = cpv.suggest("électricité")
    order = ["exact", "words", "parent", "some_words"]
    assert [order.index(s.match) for s in found] == sorted(order.index(s.match) for s in found)
    limited = cpv.suggest("électricité", limit=20)
    assert len(limited) == 20
    assert [s.match for s in limited].count("parent") == 5
    parents = [s for s in limited if s.match == "parent"]
    for parent in parents:  # each broader code holds matching codes, most first
        assert parent.below == sum(
            s.code.code.startswith(parent.code.prefix) for s in found
            if s.match in ("exact", "words"))
    assert [p.below for p in parents] == sorted((p.below for p in parents), reverse=True)
    assert codes(cpv.suggest("électricité", limit=1)) == codes(found)[:1]


def test_several_words_fall_back_to_labels_holding_some():
    found = cpv.suggest("restauration scolaire")
    some = [s for s in found if s.match == "some_words"]
    assert some and all(len(s.matched) == 1 for s in some)
    assert {s.matched[0] for s in some} == {"restauration", "scolaire"}


def test_function_words_alone_suggest_nothing():
    assert cpv.suggest("de la") == [] and cpv.suggest("") == [] and cpv.suggest("  ") == []


def test_nothing_is_loaded_at_import_nor_by_aggregator_help():
    script = (
        "import sys\n"
        "from aggregator.normalize import cpv\n"
        "assert cpv.nomenclature.cache_info().currsize == 0\n"
        "assert 'snowballstemmer' not in sys.modules\n"
        "cpv.label('4531')\n"
        "assert 'snowballstemmer' not in sys.modules  # labels need no stemmer\n"
        "del sys.modules['aggregator.normalize.cpv']\n"
        "from typer.testing import CliRunner\n"
        "from aggregator.cli import _register, app\n"
        "_register()\n"
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
        "assert 'aggregator.normalize.cpv' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", script], check=True)


def test_a_label_is_read_without_building_the_hierarchy():
    import subprocess
    import sys

    probe = ("from aggregator.normalize import cpv\n"
             "print(cpv.with_label('45310000-3'), '|', cpv.label('4531', 'en'), '|',"
             " cpv.label('99999999'), cpv.nomenclature.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ("45310000-3 Travaux d'équipement électrique | Electrical installation work"
                   " | None 0")
