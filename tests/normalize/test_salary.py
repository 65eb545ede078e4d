"""Salaries from phrases and structured fields, and the recorded samples."""

from __future__ import annotations

import json
import re

import pytest

from aggregator.normalize import Salary, parse_salary
from tests.sites import fixture


def salary(min_: float | None, max_: float | None, currency: str | None, period: str | None,
           basis: str | None = None, months: float | None = None) -> Salary:
    return Salary(min=min_, max=max_, currency=currency, period=period, basis=basis,
                  months=months)


@pytest.mark.parametrize("text, expected", [
    # France Travail salaire.libelle
    ("Mensuel de 2200.0 Euros à 4000.0 Euros sur 12.0 mois",
     salary(2200, 4000, "EUR", "month", months=12)),
    ("Mensuel de 1801.80 Euros sur 12 mois", salary(1801.8, 1801.8, "EUR", "month", months=12)),
    ("Annuel de 60000.0 Euros à 65000.0 Euros sur 12.0 mois",
     salary(60000, 65000, "EUR", "year", months=12)),
    ("Horaire de 13.0 Euros sur 12.0 mois", salary(13, 13, "EUR", "hour", months=12)),
    ("Horaire de 11.88 Euros", salary(11.88, 11.88, "EUR", "hour")),
    ("Cachet de 138.85 Euros", salary(138.85, 138.85, "EUR", "show")),  # per performance
    ("Mensuel de 2200.0 Euros à 2500.0 Euros sur 13.0 mois",
     salary(2200, 2500, "EUR", "month", months=13)),
    # French phrases
    ("45 - 55 k€ brut annuel", salary(45000, 55000, "EUR", "year", "gross")),
    ("ENTRE 24 100 EUR ET 29 200 EUR", salary(24100, 29200, "EUR", "year")),
    ("De 35 000 à 40 000 € brut/an", salary(35000, 40000, "EUR", "year", "gross")),
    ("1 800,50 € brut mensuel", salary(1800.5, 1800.5, "EUR", "month", "gross")),
    ("2 500 € - 3 000 € par mois", salary(2500, 3000, "EUR", "month")),
    ("À partir de 2 000 € net par mois", salary(2000, None, "EUR", "month", "net")),
    ("Jusqu'à 50k", salary(None, 50000, "EUR", "year")),
    ("Entre 30 et 35k€", salary(30000, 35000, "EUR", "year")),
    ("30K€ - 35K€ / an", salary(30000, 35000, "EUR", "year")),
    ("45k-55k€", salary(45000, 55000, "EUR", "year")),
    ("12€/h", salary(12, 12, "EUR", "hour")),
    ("11,65 à 12 € brut de l'heure", salary(11.65, 12, "EUR", "hour", "gross")),
    ("12 € de l’heure", salary(12, 12, "EUR", "hour")),
    ("TJM 500€", salary(500, 500, "EUR", "day")),
    ("500 €/jour", salary(500, 500, "EUR", "day")),
    ("Salaire : 2500€ brut sur 13 mois", salary(2500, 2500, "EUR", "month", "gross", 13)),
    ("€ 3.500 - 4.000 per month", salary(3500, 4000, "EUR", "month")),
    # English
    ("£28,000 - £32,000 per annum", salary(28000, 32000, "GBP", "year")),
    ("$120,000 - $160,000 a year", salary(120000, 160000, "USD", "year")),
    ("Up to £45k", salary(None, 45000, "GBP", "year")),
    ("95000 GBP", salary(95000, 95000, "GBP", "year")),
    ("CHF 9'000 monthly", salary(9000, 9000, "CHF", "month")),
    # a bare amount (France Travail's "commentaire": "12.13")
    ("12.13", salary(12.13, 12.13, "EUR", None)),
])
def test_salary_phrases(text, expected):
    assert parse_salary(text) == expected


@pytest.mark.parametrize("text", [
    "Selon profil", "A négocier", "N/A", "REPAS", "", "   ", "Bac+5, 3 ans d'expérience",
    "35h/semaine", "Poste à pourvoir au 1er janvier", "13e mois, tickets restaurant",
])
def test_text_without_pay_gives_none(text):
    assert parse_salary(text) is None


@pytest.mark.parametrize("value, expected", [
    ({"@type": "MonetaryAmount", "currency": "EUR",
      "value": {"@type": "QuantitativeValue", "minValue": 40000, "maxValue": 50000,
                "unitText": "YEAR"}}, salary(40000, 50000, "EUR", "year")),
    ({"@type": "MonetaryAmount", "currency": "USD",
      "value": {"@type": "QuantitativeValue", "value": 25, "unitText": "HOUR"}},
     salary(25, 25, "USD", "hour")),
    ({"@type": "MonetaryAmount", "currency": "EUR", "value": 3000, "unitText": "MONTH"},
     salary(3000, 3000, "EUR", "month")),
    ({"@type": "MonetaryAmount", "currency": "EUR", "unitText": "WEEK",
      "value": {"@type": "QuantitativeValue", "minValue": "800", "maxValue": "900"}},
     salary(800, 900, "EUR", "week")),
    ({"max": "28000", "min": "28000", "period": "year", "currency": "GBP"},  # Recruitee
     salary(28000, 28000, "GBP", "year")),
    ({"min": "52,000", "max": "68,000", "currency": "USD", "period": "year"},
     salary(52000, 68000, "USD", "year")),
    ({"min": 50000, "max": 70000, "currency": "EUR", "interval": "per-year-salary"},  # Lever
     salary(50000, 70000, "EUR", "year")),
    ({"min": 20, "max": 25, "currency": "GBP", "interval": "per-hour-wage"},
     salary(20, 25, "GBP", "hour")),
    ([{"min_cents": 12000000, "max_cents": 16000000, "currency_type": "USD"}],  # Greenhouse
     salary(120000, 160000, "USD", "year")),
    ({"libelle": "Mensuel de 1814.0 Euros sur 12.0 mois", "complement1": "Primes"},
     salary(1814, 1814, "EUR", "month", months=12)),
    ({"min": 70000, "max": 50000, "currency": "EUR", "period": "YEAR"},  # swapped
     salary(50000, 70000, "EUR", "year")),
    (40000, salary(40000, 40000, "EUR", "year")),
])
def test_structured_salaries(value, expected):
    assert parse_salary(value) == expected


@pytest.mark.parametrize("value", [
    None, True, {}, [], {"max": None, "min": None, "period": None, "currency": None},
    {"commentaire": "REPAS", "complement1": "CSE"}, {"commentaire": "N/A"}, 0, -5,
    {"min": "abc", "max": "def"}, [None, {}],
])
def test_structured_values_without_pay_give_none(value):
    assert parse_salary(value) is None


def test_the_currency_hint_applies_only_when_none_is_stated():
    assert parse_salary("28000 per year", currency_hint="GBP").currency == "GBP"
    assert parse_salary("28000 € per year", currency_hint="GBP").currency == "EUR"
    assert parse_salary({"min": 10, "max": 12}, currency_hint=None).currency is None


def france_travail_salaries() -> list[dict]:
    search = json.loads(fixture(
        "jobs/francetravail_offres_search_2025-11-13_range0-149_first20.json"))["resultats"]
    edge = json.loads(fixture("jobs/francetravail_offres_selected_edgecases_2025-11.json"))
    return [offer["salaire"] for offer in search + edge]


@pytest.mark.parametrize("raw", france_travail_salaries())
def test_every_france_travail_salary(raw):
    parsed = parse_salary(raw)
    label = raw.get("libelle")
    if label is None:
        # Only a comment: an amount when it is one ("12.13"), nothing for "REPAS" or "N/A".
        comment = raw.get("commentaire", "")
        assert (parsed is not None) == bool(re.fullmatch(r"\d+(?:\.\d+)?", comment))
        return
    amounts = [float(a) for a in re.findall(r"(\d+(?:\.\d+)?) Euros", label)]
    assert (parsed.min, parsed.max) == (amounts[0], amounts[-1])
    assert parsed.currency == "EUR"
    kind = label.split()[0]
    assert parsed.period == {"Mensuel": "month", "Annuel": "year", "Horaire": "hour",
                             "Cachet": "show"}[kind]
    months = re.search(r"sur (\d+(?:\.\d+)?) mois", label)
    assert parsed.months == (float(months.group(1)) if months else None)


def test_recruitee_and_greenhouse_samples():
    offers = json.loads(fixture("jobs/recruitee_manual_offers_2024-08-08_first6.json"))["offers"]
    parsed = [parse_salary(o["salary"]) for o in offers]
    assert parsed[3] == salary(28000, 28000, "GBP", "year")
    assert [p for i, p in enumerate(parsed) if i != 3] == [None] * 5
    detail = json.loads(fixture("jobs/greenhouse_codepath_job_4426707007_detail_2024-08-05.json"))
    assert parse_salary(detail["pay_input_ranges"]) == salary(120000, 160000, "USD", "year")
