"""salary>= / salary<= (a job's pay as a year's) and value>= / value<= (a tender's estimated
value, an award's amount), on SQLite and PostgreSQL: parsed, written back, and searched."""

from __future__ import annotations

import pytest

from aggregator.query import Filter, FilterError, search
from tests.factories import item, write

JOBS = [
    # 2,800 a month: 33,600 a year
    item("monthly", kind="job", source="francetravail", salary="Mensuel de 2800 Euros sur 12 mois"),
    item("yearly", kind="job", source="lever", salary="40 000 - 45 000 € par an"),
    # 12 an hour: 19,284 a year (1,607 hours)
    item("hourly", kind="job", source="francetravail", salary="12 € de l'heure"),
    item("dollars", kind="job", source="greenhouse",
         salary={"min": 90000, "max": 120000, "currency": "USD", "period": "year"}),
    item("no-period", kind="job", source="lever", salary="3000"),  # a month? a year? unknown
    # a fee per performance: no year's pay to compare
    item("fee", kind="job", source="francetravail", salary="Cachet de 138.85 Euros"),
    item("unpaid", kind="job", source="lever"),
]
TENDERS = [
    item("small", estimated_value=25000, currency="EUR", deadline_at="2026-04-30T12:00:00+02:00"),
    item("large", estimated_value=2_500_000, currency="EUR",
         deadline_at="2026-04-30T12:00:00+02:00"),
    item("unvalued", deadline_at="2026-04-30T12:00:00+02:00"),
    item("award", kind="award", source="decp", amount=150000, status="awarded",
         awarded_at="2026-02-01"),
]


@pytest.fixture
def ids(engine, clock):
    return write(engine, JOBS + TENDERS)


def found(engine, text: str) -> set[str]:
    return {listing.source_id for listing in search(engine, Filter.parse(text))}


@pytest.mark.parametrize(("query", "expected"), [
    ("salary>=40k", {"yearly"}),  # the top of its range reaches 40k; dollars not compared
    ("salary>=33600", {"monthly", "yearly"}),
    ("salary>=30k", {"monthly", "yearly"}),
    ("salary<=34k", {"monthly", "hourly"}),  # where the range starts
    ("salary<=42k salary>=20k", {"monthly", "yearly"}),
    ("salaire>=19284", {"monthly", "yearly", "hourly"}),
])
def test_salary_compares_a_jobs_pay_as_a_years_in_euros(engine, ids, query, expected):
    assert found(engine, query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("value>=100k", {"large"}),
    ("value<=100k", {"small"}),
    ("value>=1M", {"large"}),
    ("montant>=1,5M", {"large"}),
    ("value>=100k status:all", {"large", "award"}),  # an award's amount too
])
def test_value_compares_a_tenders_estimate_or_an_awards_amount(engine, ids, query, expected):
    assert found(engine, query) == expected


@pytest.mark.parametrize(("typed", "written"), [
    ("salary>40000", "salary>=40k"), ("pay<35k", "salary<=35k"), ("value<=1.5M", "value<=1.5M"),
    ("montant>=1,5M", "value>=1.5M"), ("value>=1234567", "value>=1234567"),
    ("salary>=2500.5", "salary>=2500.5"),
])
def test_amounts_are_written_back_as_they_read(typed, written):
    parsed = Filter.parse(typed)
    assert parsed.to_text() == written and Filter.parse(written) == parsed


@pytest.mark.parametrize(("typed", "said"), [
    ("salary:40k", "'salary:40k': write salary>=40k (at least) or salary<=60k (at most)"),
    ("salary>=quarante", "bad salary 'quarante': expected an amount in euros such as 40000, "
                         "40k or 1.5M"),
    ("value>=1e6", "bad amount '1e6': expected an amount in euros such as 40000, 40k or 1.5M"),
])
def test_a_bad_amount_is_refused_in_words(typed, said):
    with pytest.raises(FilterError) as refused:
        Filter.parse(typed)
    assert str(refused.value) == said


def test_a_bad_amount_is_refused_in_french(default_language):
    with pytest.raises(FilterError) as refused:
        Filter.parse("salary>=quarante")
    assert str(refused.value) == ("salaire incorrect 'quarante' : un montant en euros "
                                  "attendu, par ex. 40000, 40k ou 1,5M")


@pytest.mark.parametrize(("query", "expected"), [
    # largest first, those without one last
    ("kind:tender sort:value status:all", ["large", "small", "unvalued"]),
    ("status:all sort:-value kind:tender", ["small", "large", "unvalued"]),
    # a pay in dollars is no pay in euros: with those that have none
    ("kind:job sort:salary",
     ["yearly", "monthly", "hourly", "dollars", "no-period", "fee", "unpaid"]),
])
def test_sorting_by_value_and_salary(engine, ids, query, expected):
    shown = [listing.source_id for listing in search(engine, Filter.parse(query))]
    ranked = [e for e in expected
              if e not in ("unvalued", "dollars", "no-period", "fee", "unpaid")]
    assert shown[:len(ranked)] == ranked
    assert set(shown[len(ranked):]) == set(expected[len(ranked):])  # none: last, any order
