"""Pure normalisers: text, dates, places (French geography), contract types, salaries."""

from aggregator.normalize.contracts import parse_contract, parse_working_time
from aggregator.normalize.dates import parse_datetime, parse_deadline
from aggregator.normalize.listing import NormalizationError, normalize_listing
from aggregator.normalize.places import Place, resolve_place
from aggregator.normalize.salary import Salary, parse_salary
from aggregator.normalize.text import clean_text

__all__ = [
    "NormalizationError",
    "Place",
    "Salary",
    "clean_text",
    "normalize_listing",
    "parse_contract",
    "parse_datetime",
    "parse_deadline",
    "parse_salary",
    "parse_working_time",
    "resolve_place",
]
