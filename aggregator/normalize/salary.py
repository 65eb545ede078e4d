"""Salaries. (Provisional; the Normalisation issue completes it.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Salary:
    min: float | None = None
    max: float | None = None
    currency: str | None = None
    period: str | None = None  # "hour" | "day" | "week" | "month" | "year"
    basis: str | None = None  # "gross" | "net" when stated


def parse_salary(value: object, *, currency_hint: str | None = "EUR") -> Salary | None:
    return None
