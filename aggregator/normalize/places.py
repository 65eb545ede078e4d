"""Places. (Provisional: pass-through; the Normalisation issue completes it.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    city: str | None = None
    insee_code: str | None = None
    postal_code: str | None = None
    department: str | None = None
    region: str | None = None
    country: str | None = None
    remote: bool = False
    confidence: float = 0.0  # 1.0 exact, lower when guessed (homonyms, partial matches)
    ambiguous: bool = False


def resolve_place(text: str | None, *, postal_code: str | None = None,
                  country_hint: str | None = "FR") -> Place:
    return Place(postal_code=postal_code, country=country_hint if text else None)
