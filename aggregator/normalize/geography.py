"""The official French geography, loaded once on first use from ``data/geography.json.gz``.

Communes (with arrondissements municipaux of Paris, Marseille and Lyon), departments,
regions, postal codes and NUTS codes, indexed by code and by folded name. Nothing is read at
import time: the file (~0.5 MB gzip) is loaded and indexed on the first call to
:func:`geography` (some 0.1 s), so the CLI starts fast. Where the data comes from is in
``data/README.md``; ``data/build_geography.py`` rebuilds it.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from aggregator.normalize.folding import fold

FORMAT = 1


@dataclass(frozen=True, slots=True)
class Commune:
    code: str  # INSEE code (COG), e.g. "13055"; arrondissements have their own ("13201")
    name: str
    department: str
    region: str
    population: int
    postal_codes: tuple[str, ...]
    parent: str | None = None  # for an arrondissement municipal: its commune ("13055")


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str
    region: str


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class NutsArea:
    code: str
    label: str
    departments: frozenset[str]  # INSEE department codes it covers (empty: extra-regio)


# Other names for regions (abbreviations, former regions are NUTS-2 labels and come from data).
REGION_ALIASES = {
    "paca": "93", "region sud": "93", "provence": "93", "sud paca": "93",
    "idf": "11", "region parisienne": "11", "ile de france": "11",
    "aura": "84", "ara": "84", "bfc": "27", "hdf": "32", "cvl": "24", "centre": "24",
    "pdl": "52", "naq": "75", "grand est": "44",
}
# Other names for departments (overseas ones are often written without the article).
DEPARTMENT_ALIASES = {
    "reunion": "974", "ile de la reunion": "974", "guyane francaise": "973",
    "french guiana": "973", "territoire de belfort": "90", "belfort territoire": "90",
    "corse du sud": "2A", "haute corse": "2B", "saint barthelemy": "977",
    "saint martin": "978", "nouvelle caledonie": "988", "new caledonia": "988",
    "polynesie": "987", "tahiti": "987",
}


@dataclass(slots=True)
class Geography:
    communes: dict[str, Commune] = field(default_factory=dict)
    by_name: dict[str, tuple[Commune, ...]] = field(default_factory=dict)  # most populous first
    by_postal: dict[str, tuple[Commune, ...]] = field(default_factory=dict)
    children_by_name: dict[str, tuple[Commune, ...]] = field(default_factory=dict)
    former_codes: dict[str, str] = field(default_factory=dict)
    arrondissements: dict[str, tuple[str, ...]] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    department_by_name: dict[str, Department] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    region_by_name: dict[str, Region] = field(default_factory=dict)
    region_departments: dict[str, frozenset[str]] = field(default_factory=dict)
    department_communes: dict[str, int] = field(default_factory=dict)  # without arrondissements
    nuts: dict[str, NutsArea] = field(default_factory=dict)
    # Former regions (NUTS-2 labels that are no region today): "alsace" -> FRF1.
    area_by_name: dict[str, NutsArea] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def commune(self, code: str) -> Commune | None:
        """A commune by INSEE code, following former codes to the current commune."""
        found = self.communes.get(code)
        if found is None and code in self.former_codes:
            found = self.communes.get(self.former_codes[code])
        return found


def _load_raw() -> dict:
    data = resources.files("aggregator.normalize.data").joinpath("geography.json.gz")
    raw = json.loads(gzip.decompress(data.read_bytes()))
    if raw.get("format") != FORMAT:
        raise RuntimeError(f"geography.json.gz has format {raw.get('format')}, expected {FORMAT}")
    return raw


@dataclass(frozen=True, slots=True)
class Areas:
    """Regions and departments by code, without the communes: naming them costs a few ms,
    not the ~0.1-0.3 s of :func:`geography` (a listing table or `aggregator show`)."""

    departments: dict[str, Department]
    regions: dict[str, Region]


@cache
def areas() -> Areas:
    """The regions and departments of ``data/areas.json`` (written with geography.json.gz)."""
    data = resources.files("aggregator.normalize.data").joinpath("areas.json")
    raw = json.loads(data.read_text(encoding="utf-8"))
    if raw.get("format") != FORMAT:
        raise RuntimeError(f"areas.json has format {raw.get('format')}, expected {FORMAT}")
    return Areas(departments={code: Department(code, name, region)
                              for code, name, region in raw["departments"]},
                 regions={code: Region(code, name) for code, name in raw["regions"]})


@cache
def geography() -> Geography:
    """The indexed geography (built once per process)."""
    raw = _load_raw()
    geo = Geography(sources=raw["sources"], former_codes=raw["former_codes"])
    for code, name in raw["regions"]:
        region = Region(code, name)
        geo.regions[code] = region
        geo.region_by_name[fold(name)] = region
    region_departments: dict[str, set[str]] = {}
    for code, name, region in raw["departments"]:
        dept = Department(code, name, region)
        geo.departments[code] = dept
        geo.department_by_name[fold(name)] = dept
        region_departments.setdefault(region, set()).add(code)
    geo.region_departments = {k: frozenset(v) for k, v in region_departments.items()}
    for alias, code in REGION_ALIASES.items():
        geo.region_by_name.setdefault(alias, geo.regions[code])
    for alias, code in DEPARTMENT_ALIASES.items():
        geo.department_by_name.setdefault(alias, geo.departments[code])

    by_name: dict[str, list[Commune]] = {}
    by_postal: dict[str, list[Commune]] = {}
    arrondissements: dict[str, list[str]] = {}
    departments = geo.departments
    for code, name, dept, population, postal, parent in raw["communes"]:
        commune = Commune(code, name, dept, departments[dept].region, population,
                          tuple(postal.split()), parent or None)
        geo.communes[code] = commune
        by_name.setdefault(fold(name), []).append(commune)
        for postal_code in commune.postal_codes:
            by_postal.setdefault(postal_code, []).append(commune)
        if parent:
            arrondissements.setdefault(parent, []).append(code)
        else:
            geo.department_communes[dept] = geo.department_communes.get(dept, 0) + 1
    # The file lists communes most populous first, so each list is already in that order.
    geo.by_name = {k: tuple(v) for k, v in by_name.items()}
    geo.by_postal = {k: tuple(v) for k, v in by_postal.items()}
    geo.arrondissements = {k: tuple(sorted(v)) for k, v in arrondissements.items()}

    children: dict[str, list[Commune]] = {}
    for _code, name, parent in raw["children"]:
        key = fold(name)
        commune = geo.communes[parent]
        if key != fold(commune.name) and commune not in children.get(key, ()):
            children.setdefault(key, []).append(commune)
    geo.children_by_name = {
        k: tuple(sorted(v, key=lambda c: (-c.population, c.code))) for k, v in children.items()}

    nuts_department = raw["nuts_department"]
    for code, label, _parent in raw["nuts"]:
        depts = frozenset(d for n, d in nuts_department.items() if n.startswith(code))
        area = NutsArea(code, label, depts)
        geo.nuts[code] = area
        key = fold(label)
        if len(code) == 4 and depts and key not in geo.region_by_name \
                and key not in geo.department_by_name:
            geo.area_by_name.setdefault(key, area)
    # "Nord-Pas de Calais" is also written "Nord-Pas-de-Calais": same key after folding.
    return geo
