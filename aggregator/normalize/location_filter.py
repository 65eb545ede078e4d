"""A user's ``--location`` value → what listings to match.

``resolve_location_filter`` reads the same forms as the place resolver (``13``,
``Bouches-du-Rhône``, ``PACA``, ``IDF``, ``Marseille``, ``75011``, ``FRL05``, ``France``,
``Belgique``, ``remote``) and answers with a :class:`LocationFilter`: the level to compare
at and the codes a listing's column must be one of.

=============  ==========================  =============================================
level          compare ``codes`` with       example
=============  ==========================  =============================================
``commune``    ``insee_code``               ``Marseille`` → 13055 and its 16 arrondissements
``department`` ``department``               ``13``, ``Bouches-du-Rhône``, ``Alsace`` (67, 68)
``region``     ``region``                   ``PACA``, ``Provence-Alpes-Côte d'Azur`` → 93
``country``    ``country``                  ``France`` → FR, ``Belgique`` → BE
``remote``     ``remote`` is true           ``remote``, ``télétravail``
=============  ==========================  =============================================

A postal code (``75011``) gives the communes that have it and ``postal_code`` so that a
listing that only knows its postal code matches too. A bare two- or three-digit code is a
department (``93`` is Seine-Saint-Denis); ``kind="region"`` (or the text ``region:93``) makes
it a region. Homonym communes (``Saint-Denis``) match all of them, with ``ambiguous=True``
so the caller can tell the user; a department or postal code narrows them
(``Saint-Denis (93)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from aggregator.normalize.countries import country_name, resolve_country
from aggregator.normalize.folding import fold
from aggregator.normalize.geography import areas, geography
from aggregator.normalize.places import (
    department_code,
    department_of_postal_code,
    parse_remote,
    resolve_place,
)

LEVELS = ("commune", "department", "region", "country", "remote")
KINDS = ("commune", "insee", "postal", "department", "region", "country", "nuts", "remote")

# "region:93", "dep:13", "cp:75011": a kind written in the value itself.
_PREFIXES = {
    "commune": "commune", "ville": "commune", "city": "commune", "insee": "insee",
    "cp": "postal", "postal": "postal", "code postal": "postal",
    "dep": "department", "dept": "department", "departement": "department",
    "department": "department", "d": "department",
    "reg": "region", "region": "region", "r": "region",
    "pays": "country", "country": "country", "nuts": "nuts",
}


@dataclass(frozen=True, slots=True)
class LocationFilter:
    level: str  # one of LEVELS
    codes: frozenset[str]  # INSEE commune, department, region or ISO country codes
    label: str  # what to show the user: "Bouches-du-Rhône (13)"
    postal_code: str | None = None  # for a postal-code filter: also match this postal code
    ambiguous: bool = False  # several places have this name; all are matched


def _commune_codes(code: str) -> set[str]:
    """A commune and, for Paris, Marseille and Lyon, its arrondissements."""
    return {code, *geography().arrondissements.get(code, ())}


def _department_filter(codes: frozenset[str], label: str | None = None,
                       ambiguous: bool = False) -> LocationFilter:
    if label is None:
        (code,) = codes
        label = f"{areas().departments[code].name} ({code})"
    return LocationFilter("department", codes, label, ambiguous=ambiguous)


def _region_filter(code: str, ambiguous: bool = False) -> LocationFilter:
    return LocationFilter("region", frozenset({code}), areas().regions[code].name,
                          ambiguous=ambiguous)


def _area_filter(departments: frozenset[str], label: str) -> LocationFilter | None:
    """A set of departments: a region when it is exactly one, else the departments."""
    geo = geography()
    if not departments:
        return None
    if len(departments) == 1:
        return _department_filter(departments)
    for region, depts in geo.region_departments.items():
        if depts == departments:
            return _region_filter(region)
    return _department_filter(departments, label)


def _postal_filter(postal: str) -> LocationFilter | None:
    geo = geography()
    communes = geo.by_postal.get(postal, ())
    arrondissements = [c for c in communes if c.parent]
    communes = arrondissements or list(communes)
    if not communes:
        dept = department_of_postal_code(postal)
        if dept is None:
            return None
        # A CEDEX code: no commune has it, the postal code itself still matches.
        label = f"{postal} ({geo.departments[dept].name})"
        return LocationFilter("commune", frozenset(), label, postal_code=postal)
    codes = frozenset(c.code for c in communes)
    names = ", ".join(c.name for c in communes[:3]) + (" …" if len(communes) > 3 else "")
    return LocationFilter("commune", codes, f"{postal} {names}", postal_code=postal)


def _commune_filter(text: str) -> LocationFilter | None:
    place = resolve_place(text)
    if place.kind != "commune" or not place.insee_code:
        return None
    return _from_place_commune(place)


def _from_place_commune(place: object) -> LocationFilter:
    geo = geography()
    code = place.insee_code  # type: ignore[attr-defined]
    commune = geo.communes[code]
    if place.ambiguous:  # type: ignore[attr-defined]
        homonyms = geo.by_name.get(fold(commune.name), (commune,))
        codes: set[str] = set()
        for c in homonyms:
            codes |= _commune_codes(c.code)
        depts = ", ".join(sorted({c.department for c in homonyms}))
        return LocationFilter("commune", frozenset(codes),
                              f"{commune.name} ({len(homonyms)} communes: {depts})",
                              ambiguous=True)
    return LocationFilter("commune", frozenset(_commune_codes(code)),
                          f"{commune.name} ({commune.department})")


def _by_kind(value: str, kind: str) -> LocationFilter | None:
    # a code (dep:13, region:93) is read without loading the communes (areas(): a few ms)
    upper = value.strip().upper()
    if kind == "remote":
        return LocationFilter("remote", frozenset(), "Télétravail")
    if kind == "region":
        if upper in areas().regions:
            return _region_filter(upper)
        place = resolve_place(f"Région {value}")
        return _region_filter(place.region) if place.kind == "region" and place.region else None
    if kind == "department":
        code = department_code(upper)
        if code:
            return _department_filter(frozenset({code}))
        dept = geography().department_by_name.get(fold(value))
        return _department_filter(frozenset({dept.code})) if dept else None
    if kind == "country":
        country = resolve_country(value)
        return LocationFilter("country", frozenset({country}),
                              country_name(country) or country) if country else None
    if kind == "postal":
        postal = value.strip().replace(" ", "")
        return _postal_filter(postal) if postal.isdigit() and len(postal) == 5 else None
    if kind == "insee":
        commune = geography().commune(upper)
        if commune is None:
            return None
        return LocationFilter("commune", frozenset(_commune_codes(commune.code)),
                              f"{commune.name} ({commune.department})")
    if kind == "nuts":
        geo = geography()
        area = geo.nuts.get(upper)
        if area is None:
            country = resolve_country(upper[:2]) if len(upper) >= 2 else None
            return LocationFilter("country", frozenset({country}), upper) if country else None
        if not area.departments:
            return LocationFilter("country", frozenset({"FR"}), "France")
        if area.departments == frozenset(geo.departments) or upper == "FR":
            return LocationFilter("country", frozenset({"FR"}), "France")
        return _area_filter(area.departments, f"{area.label} ({upper})")
    if kind == "commune":
        return _commune_filter(value)
    return None


def resolve_location_filter(text: str | None, *, kind: str | None = None) -> LocationFilter | None:
    """What a ``--location`` value means, or None when it names no known place.

    ``kind`` forces how to read it: ``commune``, ``insee``, ``postal``, ``department``,
    ``region``, ``country``, ``nuts`` or ``remote``; a ``kind:`` prefix in the text
    (``region:93``, ``dep:13``, ``cp:75011``) does the same.
    """
    if not text or not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()[:200]
    if kind is None and ":" in value:
        prefix, _, rest = value.partition(":")
        mapped = _PREFIXES.get(fold(prefix))
        if mapped and rest.strip():
            kind, value = mapped, rest.strip()
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"unknown location kind {kind!r}; expected one of {KINDS}")
        return _by_kind(value, kind)

    geo = geography()
    if parse_remote(value) and resolve_place(value).kind == "remote":
        return _by_kind(value, "remote")
    compact = value.replace(" ", "")
    if compact.isdigit() and len(compact) == 5:
        return _postal_filter(compact)
    upper = value.upper()
    # A NUTS code as places.py reads one: with a digit ("frl05") or in capitals ("FRY"); the
    # commune Fry stays a commune.
    if upper in geo.nuts and upper != "FR" and (
            value.isupper() or any(ch.isdigit() for ch in value)):
        return _by_kind(upper, "nuts")
    area = geo.area_by_name.get(fold(value))
    if area is not None:  # a former region: "Alsace" is Bas-Rhin and Haut-Rhin
        return _area_filter(area.departments, area.label)

    place = resolve_place(value)
    if place.kind == "commune":
        return _from_place_commune(place)
    if place.kind == "department" and place.department:
        if place.postal_code:  # a postal code several communes share
            return _postal_filter(place.postal_code)
        return _department_filter(frozenset({place.department}), ambiguous=place.ambiguous)
    if place.kind == "region" and place.region:
        return _region_filter(place.region, ambiguous=place.ambiguous)
    if place.kind == "country" and place.country and not place.remote:
        return LocationFilter("country", frozenset({place.country}),
                              country_name(place.country) or place.country)
    return None
