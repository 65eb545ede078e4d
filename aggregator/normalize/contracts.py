"""Contract types and working time. (Provisional; the Normalisation issue completes it.)"""

from __future__ import annotations

CONTRACT_TYPES = ("cdi", "cdd", "interim", "freelance", "internship", "apprenticeship", "other")


def parse_contract(value: object) -> str | None:
    text = str(value).strip().lower() if value else ""
    return text if text in CONTRACT_TYPES else None


def parse_working_time(value: object) -> str | None:
    return None
