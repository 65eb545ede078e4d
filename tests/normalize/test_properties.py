"""Property tests: nothing raises, unknown stays unknown, and what is written is read back."""

from __future__ import annotations

import os
import string
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from aggregator.normalize import (
    CONTRACT_TYPES,
    clean_text,
    normalize_listing,
    parse_contract,
    parse_datetime,
    parse_deadline,
    parse_remote,
    parse_salary,
    parse_working_time,
    resolve_location_filter,
    resolve_nuts,
    resolve_place,
)
from aggregator.normalize.countries import resolve_country, resolve_subdivision
from aggregator.normalize.folding import fold
from aggregator.normalize.geography import geography
from aggregator.normalize.listing import NormalizationError
from aggregator.normalize.places import WHOLE_FRANCE

# HYPOTHESIS_EXAMPLES=5000 for a longer hunt than the suite's default.
SETTINGS = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "300")),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARIS = ZoneInfo("Europe/Paris")
CRAWL = datetime(2026, 8, 13, 6, 0, tzinfo=UTC)

# Any JSON-like value a spider could put in a field.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=60),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
# Text that looks like what sources send: digits, separators, accents, place-ish words.
source_text = st.text(
    alphabet=st.sampled_from(list(string.ascii_letters + string.digits + " -,;/()'.:%+€$£")
                             + list("éèàçôÉÎœ’\u00a0")),
    max_size=60) | st.text(max_size=60)


@SETTINGS
@given(source_text)
def test_no_text_makes_any_normaliser_raise(text):
    resolve_place(text)
    resolve_place(text, postal_code=text, insee_code=text, department=text, country_hint=text)
    resolve_nuts(text)
    resolve_location_filter(text)
    resolve_country(text)
    parse_datetime(text, relative_base=CRAWL)
    parse_deadline(text, relative_base=CRAWL)
    parse_contract(text)
    parse_working_time(text)
    parse_salary(text)
    parse_remote(text)
    clean_text(text)


@SETTINGS
@given(json_values)
def test_no_structured_value_makes_any_normaliser_raise(value):
    parse_datetime(value)
    parse_deadline(value)
    parse_contract(value)
    parse_working_time(value)
    parse_salary(value)
    parse_remote(value)


@SETTINGS
@given(st.dictionaries(
    st.sampled_from(["location", "postal_code", "insee_code", "department", "nuts", "country",
                     "remote", "contract_type", "working_time", "salary", "latitude",
                     "deadline_at", "lots", "cpv", "estimated_value"]),
    json_values, max_size=8))
def test_normalize_listing_only_ever_raises_its_own_error(fields):
    item = {"kind": "job", "source": "t", "source_id": "1", "url": "https://e.org/1",
            "title": "T", **fields}
    try:
        record = normalize_listing(item, crawled_at=CRAWL)
    except NormalizationError:
        return
    assert record["country"] is None or len(record["country"]) == 2
    assert record["department"] is None or len(record["department"]) <= 3
    assert record["contract_type"] in (*CONTRACT_TYPES, None)


def _known(key: str) -> bool:
    geo = geography()
    return (key in WHOLE_FRANCE or key in geo.by_name or key in geo.department_by_name
            or key in geo.region_by_name
            or key in geo.area_by_name or key in geo.children_by_name
            or resolve_country(key) is not None or resolve_subdivision(key) is not None)


@SETTINGS
@given(st.text(alphabet=string.ascii_lowercase, min_size=4, max_size=14),
       st.text(alphabet=string.ascii_lowercase, min_size=4, max_size=14))
@example("metropole", "zzzz")  # "the whole of France" is a place: it is assumed away
def test_words_that_name_no_place_give_unknown(first, second):
    for text in (first, f"{first} {second}", f"{first}-{second}", first.upper()):
        assume(not _known(fold(text)))
        assume("remote" not in text and "anywhere" not in text)
        place = resolve_place(text)
        assert (place.kind, place.confidence, place.country) == ("unknown", 0.0, None)
        assert resolve_location_filter(text) is None


communes = st.sampled_from(sorted(geography().communes.values(), key=lambda c: c.code))


def _vary(name: str, flips: list[bool], strip_accents: bool) -> str:
    text = fold(name) if strip_accents else name
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips * len(text),
                                                               strict=False))


@SETTINGS
@given(communes, st.lists(st.booleans(), min_size=1, max_size=8), st.booleans(),
       st.sampled_from(["{d} - {n}", "{n} ({d})", "{n}, {d}"]))
def test_any_spelling_of_a_commune_with_its_department_finds_it(commune, flips, strip,
                                                                pattern):
    name = _vary(commune.name, flips, strip)
    text = pattern.format(d=commune.department, n=name)
    place = resolve_place(text)
    assert place.insee_code == commune.code
    assert (place.department, place.region, place.country) == \
        (commune.department, commune.region, "FR")


@SETTINGS
@given(communes)
def test_a_commune_name_alone_is_that_commune_or_says_it_is_ambiguous(commune):
    place = resolve_place(commune.name)
    if place.kind == "commune" and place.insee_code != commune.code:
        assert place.ambiguous or place.insee_code == geography().by_name[
            fold(commune.name)][0].code


instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31),
                        timezones=st.just(PARIS)).map(lambda d: d.replace(second=0,
                                                                          microsecond=0))
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"]


@SETTINGS
@given(instants, st.sampled_from(["iso", "utc", "dmy", "dmy_h", "fr", "ted"]))
def test_written_instants_are_read_back(dt, form):
    assume(dt.fold == 0 and dt.utcoffset() == dt.replace(fold=1).utcoffset())  # no DST gap
    text = {
        "iso": dt.isoformat(),
        "utc": dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "dmy": dt.strftime("%d/%m/%Y %H:%M"),
        "dmy_h": dt.strftime("%d/%m/%Y à %Hh%M"),
        "fr": f"{dt.day} {_MONTHS[dt.month - 1]} {dt.year} à {dt.hour}h{dt.minute:02d}",
        "ted": [dt.strftime("%Y-%m-%d") + dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:],
                dt.strftime("%H:%M:%S") + dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:]],
    }[form]
    assert parse_datetime(text) == dt
    assert parse_deadline(text) == (dt, True)


@SETTINGS
@given(st.dates(min_value=datetime(1990, 1, 1).date(), max_value=datetime(2100, 1, 1).date()),
       st.sampled_from(["iso", "dmy", "fr", "le"]))
def test_a_written_date_is_the_end_of_that_day_as_a_deadline(day, form):
    text = {"iso": day.isoformat(), "dmy": day.strftime("%d/%m/%Y"),
            "fr": f"{day.day} {_MONTHS[day.month - 1]} {day.year}",
            "le": f"le {day.day} {_MONTHS[day.month - 1]} {day.year}"}[form]
    start = parse_datetime(text)
    end, time_given = parse_deadline(text)
    assert (start.date(), end.date(), time_given) == (day, day, False)
    assert end - start == timedelta(hours=23, minutes=59, seconds=59)
    assert end.tzinfo is not None


@SETTINGS
@given(st.text(alphabet=string.ascii_letters + " ,.-'", max_size=40))
def test_text_without_digits_or_relative_words_is_no_date(text):
    lowered = text.lower()
    assume(not any(w in lowered for w in ("hier", "today", "yesterday", "aujourd", "demain",
                                          "tomorrow", "ago", "il y a", "depuis", "dans ", "in ",
                                          "just", "instant", "ce jour", "voici")))
    assert parse_datetime(text) is None


@SETTINGS
@given(st.text(alphabet=string.ascii_letters + " ,.-'€$£/", max_size=40))
def test_text_without_digits_is_no_salary(text):
    assert parse_salary(text) is None


@SETTINGS
@given(st.integers(min_value=1, max_value=9_999), st.integers(min_value=1, max_value=9_999),
       st.sampled_from(["De {a} € à {b} € par mois", "{a} - {b} EUR mensuel",
                        "Mensuel de {a}.0 Euros à {b}.0 Euros sur 12.0 mois"]))
def test_written_salaries_are_read_back(a, b, pattern):
    parsed = parse_salary(pattern.format(a=a, b=b))
    assert (parsed.min, parsed.max) == (min(a, b), max(a, b))
    assert (parsed.currency, parsed.period) == ("EUR", "month")


@SETTINGS
@given(source_text)
def test_contract_answers_stay_in_the_taxonomy(text):
    assert parse_contract(text) in (*CONTRACT_TYPES, None)
    assert parse_working_time(text) in ("full_time", "part_time", None)
