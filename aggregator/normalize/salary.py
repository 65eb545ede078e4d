"""Salaries: min, max, currency, period and gross/net, from structured fields or phrases.

Structured shapes read: schema.org ``baseSalary``/``estimatedSalary`` (``MonetaryAmount``
whose ``value`` is a number or a ``QuantitativeValue`` with ``minValue``/``maxValue``/
``value``/``unitText``), Recruitee ``salary`` (``{min, max, currency, period}``, numbers as
strings), Lever ``salaryRange`` (``interval: "per-year-salary"``), Greenhouse
``pay_input_ranges`` (``min_cents``/``max_cents``/``currency_type``), France Travail
``salaire`` (``{"libelle": "Mensuel de 1801.80 Euros sur 12 mois", "commentaire": ...}``)
and plain ``{min, max, currency, period}`` mappings.

Phrases read: France Travail labels (``Mensuel de 2200.0 Euros à 4000.0 Euros sur 12.0 mois``,
``Annuel de …``, ``Horaire de …``, ``Cachet de …``), ``45 - 55 k€ brut annuel``,
``ENTRE 24 100 EUR ET 29 200 EUR``, ``De 35 000 à 40 000 € brut/an``, ``12€/h``,
``£28,000 - £32,000 per annum``, ``Jusqu'à 50k``. Text with no amount (``Selon profil``)
gives None. Without a stated period, an amount of 10,000 or more is taken as yearly (no one
states a monthly or daily pay that high in these sources); smaller ones keep no period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from aggregator.normalize.folding import fold, strip_accents

# "show": a performer's fee for one performance (France Travail's "cachet"), no year's pay
PERIODS = ("hour", "day", "week", "month", "year", "show")
_YEARLY_FROM = 10_000


@dataclass(frozen=True, slots=True)
class Salary:
    min: float | None = None
    max: float | None = None
    currency: str | None = None
    period: str | None = None  # "hour" | "day" | "week" | "month" | "year"
    basis: str | None = None  # "gross" | "net" when stated
    months: float | None = None  # monthly payments a year when stated ("sur 13 mois")


# --- numbers -------------------------------------------------------------------------------
# Grouped thousands ("24 100", "28,000", "1.800,50") before plain numbers ("2200.0", "12,50").
_NUMBER = re.compile(
    r"(?<![\w+.,])(\d{1,3}(?:[  ' .,’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)"
    r"(?:\s?(k|m)(?![a-z]))?")
# A number followed by one of these is no amount: "35h", "3 ans", "13e mois", "20%".
_NOT_AMOUNT = re.compile(
    r"\s*(?:%|(?:h|heures?|hours?|hrs?|ans?|years?|mois|months?|jours?|days?|semaines?|weeks?"
    r"|er|e|eme|nd|rd|th|st|x|salaries?|postes?|personnes?|people|employees?)(?![a-z]))")


# "1,234.56", "1.234,56", "1 234,56", "9'000": groups of three behind one grouping mark, then
# maybe a decimal part behind the other mark. Anything else is "digits[.,]digits".
_GROUPED = re.compile(r"(\d{1,3}(?:([ '.,])\d{3})(?:\2\d{3})*)(?:([.,])(\d+))?")
_PLAIN = re.compile(r"(\d+)(?:[.,](\d+))?")


def _to_float(text: str) -> float | None:
    """A number written either way: ``1,234.56``, ``1 234,56``, ``1.234.567``, ``24 100``,
    ``2200.0``, ``12,5``, ``1234.567``. A lone group of three (``1,234``) is thousands."""
    text = text.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    text = text.replace("’", "'")
    grouped = _GROUPED.fullmatch(text)
    if grouped and grouped.group(3) != grouped.group(2):
        whole = re.sub(r"[ '.,]", "", grouped.group(1))
        decimals = grouped.group(4) or ""
    else:
        plain = _PLAIN.fullmatch(text)
        if not plain:
            return None
        whole, decimals = plain.group(1), plain.group(2) or ""
    return float(f"{whole}.{decimals}" if decimals else whole)


_CURRENCY_AROUND = re.compile(r"^(?:€|\$|£|eur|euros?|usd|gbp|chf)\s*|\s*(?:€|\$|£|eur|euros?|usd"
                              r"|gbp|chf)?(?:\s*(?:ht|hors taxes?|ttc))?$", re.IGNORECASE)


def read_amount(value: object) -> float | None:
    """A non-negative amount from a number or a text in either convention ("1,234.56",
    "1 234,56 €", "2200.0"), or None. No range limit: a tender may be worth billions."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number: float | None = float(value)
    else:
        text = _CURRENCY_AROUND.sub("", str(value).strip()[:60]).strip()
        number = _to_float(text) if text else None
    if number is None or number != number or number in (float("inf"), -float("inf")) \
            or number < 0:
        return None
    return number


def _number(value: object) -> float | None:
    """A number from a structured field: 52000, "52000", "52,000", "52 000.50"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()[:40]
        found = _NUMBER.fullmatch(text.lower()) if text else None
        number = _to_float(found.group(1)) if found else None
        if number is not None and found and found.group(2) == "k":
            number *= 1000
    if number is None or not 0 < number < 1e9 or number != number:
        return None
    return number


# --- currency, period, basis -----------------------------------------------------------------
_CURRENCY_CODES = ("EUR", "GBP", "USD", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN",
                   "CZK", "HUF", "RON", "BGN", "JPY", "INR", "SGD", "HKD", "ZAR", "BRL", "MXN",
                   "MAD", "TND", "XOF", "XAF", "CNY", "AED", "ILS", "TRY", "IDR", "MYR", "PHP")
_CURRENCY = re.compile(
    r"(?P<CAD>c\$|ca\$|\$ ?ca(?:d|n)?\b)|(?P<AUD>a\$|au\$)|(?P<USD>us\$|\$|dollars?\b)"
    r"|(?P<EUR>€|euros?\b)|(?P<GBP>£|livres? sterling|pounds?\b)|(?P<CHF>\bfr\.|francs? suisses?)"
    r"|(?P<code>(?<![a-z])(?:" + "|".join(c.lower() for c in _CURRENCY_CODES) + r")(?![a-z]))")
_PERIOD_WORDS = (  # (pattern on accent-free lower text, period); the first match by position wins
    (r"(?:/|par|per|an|a|de l['’]?)\s*(?:h|hr|hour|heure)(?![a-z])|horaires?|hourly"
     r"|taux horaire",
     "hour"),
    (r"(?:/|par|per|a)\s*(?:j|jour|jr|day)(?![a-z])|journaliers?|daily|\btjm\b|day rate"
     r"|taux journalier|cachets?", "day"),
    (r"(?:/|par|per|a)\s*(?:semaine|sem|week|wk)(?![a-z])|hebdomadaires?|weekly", "week"),
    (r"(?:/|par|per|a)\s*(?:mois|month|mo)(?![a-z])|mensuel\w*|monthly|\bpcm\b", "month"),
    (r"(?:/|par|per|a)\s*(?:an|annee|year|yr)(?![a-z])|annuel\w*|annual\w*|yearly|per annum"
     r"|\bp\.?a\.?(?![a-z])|\bk€?\s*/\s*an\b|brut an\b|\bpar annee", "year"),
)
_PERIOD_RE = re.compile("|".join(f"(?P<{period}>{pattern})"
                                 for pattern, period in _PERIOD_WORDS))
_MONTHS = re.compile(r"\bsur\s+(\d{1,2}(?:[.,]\d+)?)\s*mois\b|\b(\d{1,2}(?:[.,]\d+)?)\s*"
                     r"(?:mois|months)\s*(?:de salaire|par an|a year|per year)")
_GROSS = re.compile(r"\bbrut(?:e|s|es)?\b|\bgross\b|before tax|avant impots?")
_NET = re.compile(r"\bnet(?:te|s|tes)?\b|after tax|apres impots?")
_UP_TO = re.compile(r"jusqu.?\s*a|up to|max(?:imum)?\b|au plus|plafond")
_FROM = re.compile(r"a partir de|\bdes\b|from|min(?:imum)?\b|starting at|au moins|plus de"
                   r"|at least|minimum de")
_SALARY_WORDS = re.compile(r"salaire|salary|remuneration|pay|wage|gross|brut|net\b|fixe"
                           r"|package|compensation|tjm|rate|taux")
_FT_LABEL = re.compile(
    r"\s*(mensuel|annuel|horaire|hebdomadaire|journalier|cachet)\s+de\s+(\d+(?:[.,]\d+)?)"
    r"\s*(?:euros?|eur|€)?(?:\s+a\s+(\d+(?:[.,]\d+)?)\s*(?:euros?|eur|€)?)?"
    r"(?:\s+sur\s+(\d+(?:[.,]\d+)?)\s*mois)?\s*(.*)", re.DOTALL)
_FT_PERIODS = {"mensuel": "month", "annuel": "year", "horaire": "hour", "hebdomadaire": "week",
               "journalier": "day", "cachet": "show"}


def _currency(text: str) -> str | None:
    found = _CURRENCY.search(text)
    if not found:
        return None
    if found.lastgroup == "code":
        return found.group().upper()
    return found.lastgroup


def _period(text: str) -> str | None:
    if not text:
        return None
    found = _PERIOD_RE.search(text)
    return found.lastgroup if found else None


def _period_label(value: object) -> str | None:
    """A period from a structured field: ``YEAR``, ``per-year-salary``, ``month``, ``H``."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = fold(value)
    short = {"h": "hour", "d": "day", "j": "day", "w": "week", "m": "month", "y": "year",
             "a": "year", "an": "year", "mois": "month", "yr": "year", "mo": "month"}
    if key in short:
        return short[key]
    for word, period in (("hour", "hour"), ("heure", "hour"), ("horaire", "hour"),
                         ("day", "day"), ("jour", "day"), ("daily", "day"), ("week", "week"),
                         ("semaine", "week"), ("hebdo", "week"), ("month", "month"),
                         ("mois", "month"), ("mensuel", "month"), ("year", "year"),
                         ("annual", "year"), ("annuel", "year"), ("annum", "year")):
        if word in key:
            return period
    return None


def _basis(text: str) -> str | None:
    gross, net = bool(_GROSS.search(text)), bool(_NET.search(text))
    if gross == net:
        return None
    return "gross" if gross else "net"


def _infer_period(low: float | None, high: float | None, period: str | None) -> str | None:
    if period:
        return period
    amount = low or high
    return "year" if amount is not None and amount >= _YEARLY_FROM else None


def _build(low: float | None, high: float | None, currency: str | None, period: str | None,
           basis: str | None = None, months: float | None = None) -> Salary | None:
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Salary(min=low, max=high, currency=currency, period=_infer_period(low, high, period),
                  basis=basis, months=months)


# --- text --------------------------------------------------------------------------------------
def _france_travail(text: str, currency_hint: str | None) -> Salary | None:
    found = _FT_LABEL.fullmatch(text)
    if not found:
        return None
    kind, low, high, months, rest = found.groups()
    values = sorted(v for v in (_to_float(low), _to_float(high) if high else None)
                    if v is not None)
    if not values or values[0] <= 0:
        return None
    return Salary(min=values[0], max=values[-1],
                  currency="EUR" if "euro" in text or "€" in text else currency_hint,
                  period=_FT_PERIODS[kind], basis=_basis(rest),
                  months=_to_float(months) if months else None)


def _amounts(text: str) -> list[tuple[float, bool, int]]:
    """(value, had a k, position) of each amount in the text."""
    out = []
    for found in _NUMBER.finditer(text):
        if _NOT_AMOUNT.match(text, found.end(1)) and not found.group(2):
            continue
        value = _to_float(found.group(1))
        if value is None:
            continue
        multiplier = {"k": 1e3, "m": 1e6}.get(found.group(2) or "", 1)
        out.append((value * multiplier, multiplier != 1, found.start()))
        if len(out) == 4:
            break
    return out


def _from_text(value: str, currency_hint: str | None) -> Salary | None:
    text = strip_accents(value[:300]).replace(" ", " ").replace(" ", " ")
    text = " ".join(text.split())
    if not text or not any(ch.isdigit() for ch in text):
        return None
    salary = _france_travail(text, currency_hint)
    if salary:
        return salary

    months_found = _MONTHS.search(text)
    months = _to_float(months_found.group(1) or months_found.group(2)) if months_found else None
    body = _MONTHS.sub(" ", text) if months_found else text
    amounts = _amounts(body)
    if not amounts:
        return None
    currency = _currency(body)
    period = _period(body)
    basis = _basis(body)
    with_k = any(k for _, k, _ in amounts)
    residue = re.sub(r"[\d\s.,'’\-–—/k€$£]|\b(?:a|de|entre|et|to|from|and|eur|euros?)\b",
                     "", body)
    if not (currency or with_k or period or basis or _SALARY_WORDS.search(body) or not residue):
        return None  # numbers, but nothing says they are pay
    values = [v * 1000 if with_k and not k and v < 1000 else v for v, k, _ in amounts]
    values = [v for v in values if 0 < v < 1e8][:2]
    if not values:
        return None
    first_at = amounts[0][2]
    if len(values) == 1:
        low = high = values[0]
        lead = body[:first_at]
        if _UP_TO.search(lead):
            low = None
        elif _FROM.search(lead):
            high = None
    else:
        low, high = values
    if period is None and months:
        period = "month"  # "2500 € brut sur 13 mois": thirteen monthly payments
    return _build(low, high, currency or currency_hint, period, basis, months)


# --- mappings --------------------------------------------------------------------------------
_MIN_KEYS = ("minValue", "min", "min_value", "minimum", "from", "salaryMin", "salary_min",
             "minAmount", "min_amount")
_MAX_KEYS = ("maxValue", "max", "max_value", "maximum", "to", "salaryMax", "salary_max",
             "maxAmount", "max_amount")
_VALUE_KEYS = ("value", "amount", "salary")
_CURRENCY_KEYS = ("currency", "currency_type", "currencyCode", "currency_code",
                  "salaryCurrency", "salary_currency")
_PERIOD_KEYS = ("unitText", "period", "interval", "unit", "frequency", "salaryFrequency",
                "salary_period", "payPeriod", "pay_period")


def _first(mapping: Mapping, keys: tuple[str, ...]) -> object:
    for key in keys:
        if key in mapping and mapping[key] not in (None, ""):
            return mapping[key]
    return None


def _currency_code(value: object, fallback: str | None) -> str | None:
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if len(text) == 3 and text.isalpha():
            return text.upper()
        return _currency(strip_accents(text)) or fallback
    return fallback


def _from_mapping(value: Mapping, currency_hint: str | None, depth: int) -> Salary | None:
    if "libelle" in value or "commentaire" in value:  # France Travail "salaire"
        for key in ("libelle", "commentaire"):
            text = value.get(key)
            if isinstance(text, str):
                salary = _from_text(text, currency_hint)
                if salary:
                    return salary
        return None
    currency = _currency_code(_first(value, _CURRENCY_KEYS), currency_hint)
    period = _period_label(_first(value, _PERIOD_KEYS))
    if "min_cents" in value or "max_cents" in value:  # Greenhouse pay ranges
        low, high = _number(value.get("min_cents")), _number(value.get("max_cents"))
        return _build(low / 100 if low else None, high / 100 if high else None,
                      currency, period)
    inner = value.get("value")
    if isinstance(inner, Mapping) and depth < 3:  # schema.org MonetaryAmount → QuantitativeValue
        salary = _from_mapping(inner, currency, depth + 1)
        if salary and salary.period is None and period:
            salary = _build(salary.min, salary.max, salary.currency, period, salary.basis)
        return salary
    low, high = _number(_first(value, _MIN_KEYS)), _number(_first(value, _MAX_KEYS))
    if low is None and high is None:
        single = _first(value, _VALUE_KEYS)
        if isinstance(single, str) and not _number(single):
            return _from_text(single, currency)
        low = high = _number(single)
    basis_text = " ".join(str(value[k]) for k in ("basis", "type", "salaryType", "description")
                          if isinstance(value.get(k), str))
    return _build(low, high, currency, period, _basis(strip_accents(basis_text)))


def parse_salary(value: object, *, currency_hint: str | None = "EUR") -> Salary | None:
    """A salary from a structured field or a phrase, or None when none is stated.

    ``currency_hint`` is the currency when the value names none (the source's own)."""
    return _parse(value, currency_hint, 0)


def _parse(value: object, currency_hint: str | None, depth: int) -> Salary | None:
    if value is None or isinstance(value, bool) or depth > 3:
        return None
    if isinstance(value, (int, float)):
        number = _number(value)
        return _build(number, number, currency_hint, None) if number else None
    if isinstance(value, str):
        return _from_text(value, currency_hint)
    if isinstance(value, Mapping):
        return _from_mapping(value, currency_hint, depth)
    if isinstance(value, (list, tuple)):
        for item in value[:10]:
            salary = _parse(item, currency_hint, depth + 1)
            if salary:
                return salary
    return None
