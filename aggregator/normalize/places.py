"""Places: from what a source writes to commune, department, region, country and remote.

``resolve_place`` reads France Travail labels (``95 - Roissy-en-France``, ``75 - PARIS 16``),
``Paris (75)``, ``Marseille 13e``, ``Lyon 3e Arrondissement``, postal and INSEE codes,
department and region codes and names (``13``, ``2A``, ``971 - Guadeloupe``,
``Bouches-du-Rhône``, ``PACA``), NUTS codes (``FRL05``), foreign places
(``Bruxelles, Belgique``, ``London, Greater London, United Kingdom``, ``Chicago, IL``) and
remote-work words (``Télétravail``, ``100% remote``). Names are compared folded (case,
accents, ``St``/``Saint``), against the official geography shipped in ``data/``.

Rules that decide between several answers:

- A hint (postal code, department) given with the text narrows homonyms. Without one, the
  most populous commune wins and the result says so: ``ambiguous=True``, confidence 0.6.
- A name that is both a department or region and a commune elsewhere (``Vienne``,
  ``Mayenne``, ``Bretagne``) is the department or region, flagged ambiguous; when the area is
  that very commune (``Paris``, ``Saint-Martin``) it is the commune.
- Nothing is guessed: text that matches nothing gives ``kind="unknown"``, confidence 0, and
  no country unless the text or ``country_hint`` names one that is not France.
- With no country at all (``country_hint=None``: a Greenhouse board's "Montreal"), France is
  not assumed. French evidence still counts as before: a department, postal or INSEE code
  (given, or in the text: "Paris (75)", "75 - Paris", "75008 Paris"), "France", or a French
  department or region beside the name. A bare name is then the French commune of that name
  unless a foreign city of the same name (GeoNames, 15,000 people or more; see
  ``data/foreign_homonyms.json``) is at least ``FOREIGN_FACTOR`` (10) times as populous as
  the largest such commune: "Montreal" is Montréal, Canada (kind ``city``, confidence 0.5,
  ``ambiguous``), "Brest" or "Orléans" stay French but are flagged ``ambiguous`` (a foreign
  city as large exists), "Paris" stays Paris. A postal code beside a name that is no commune
  of that code ("10115 Berlin", a US ZIP) is not taken for a French one either.
  ``resolve_place``'s own default hint stays ``"FR"`` (a user's ``--location`` is French).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources

from aggregator.normalize.countries import (
    FRENCH_OVERSEAS,
    NUTS_COUNTRIES,
    NUTS_COUNTRY,
    resolve_country,
    resolve_subdivision,
)
from aggregator.normalize.folding import fold
from aggregator.normalize.geography import Commune, areas, geography


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
    # What was recognised: commune | department | region | country | city (a foreign city,
    # not checked against any list) | remote (only remote-work words) | unknown
    kind: str = "unknown"


UNKNOWN = Place()

# --- remote work -------------------------------------------------------------------------
# Matched on folded text. Partial remote ("hybride", "télétravail partiel") is not remote,
# but the words are removed so the rest of the string can still be resolved.
_PARTIAL_REMOTE = (
    r"hybrid\w*|teletravail (?:partiel|possible|occasionnel)|remote (?:possible|partiel)"
    r"|partial(?:ly)? remote|partiellement (?:en )?teletravail|\d+ ?j(?:ours?)? de teletravail"
    r"(?: par semaine)?|\d+ days? remote"
)
_FULL_REMOTE = (
    r"(?:100 ?)?(?:full(?:y)? ?)?(?:remote|teletravail|telework\w*|telecommut\w*)"
    r"(?: (?:total|complet|integral|only|first|friendly|job|work|position|based|ok))*"
    r"|(?:en )?travail a distance|a distance|en distanciel|distanciel|work from home|wfh"
    r"|home ?office|anywhere|remote(?:ly)?|off ?site"
)
_REMOTE_RE = re.compile(rf"\b(?:(?P<partial>{_PARTIAL_REMOTE})|(?P<full>{_FULL_REMOTE}))\b")
_REMOTE_HINT = re.compile(r"remote|t[eé]l[eé]|distan|hybrid|home|anywhere|wfh|telecommut|off.?site",
                          re.IGNORECASE)


def parse_remote(value: object) -> bool | None:
    """True for a remote-work flag or word (``TELECOMMUTE``, ``Télétravail``, ``Remote``),
    False for on-site or hybrid words and false flags, None when it says nothing."""
    if isinstance(value, bool):
        return value
    if value is None or isinstance(value, (int, float)):
        return None if value is None else bool(value)
    text = fold(str(value)[:200])
    if not text:
        return None
    found = _REMOTE_RE.search(text)
    if found:
        return found.group("full") is not None
    # Flags as boards write them (Lever workplaceType, Teamtailor remoteStatus, booleans
    # serialised as text).
    if text in ("on site", "onsite", "sur site", "presentiel", "office", "in office", "false",
                "no", "non", "none", "no remote"):
        return False
    if text in ("true", "yes", "oui", "fully", "full", "total"):
        return True
    return None


def _drop_remote_words(piece: str) -> tuple[bool | None, str]:
    """(remote flag or None, the piece without its remote-work words, original spelling)."""
    tokens = piece.split()
    folded = [fold(t) for t in tokens]
    key = " ".join(folded)
    matches = list(_REMOTE_RE.finditer(key))
    if not matches:
        return None, piece
    remote = any(m.group("full") is not None for m in matches)
    dropped, start = set(), 0
    for index, word in enumerate(folded):
        end = start + len(word)
        if word and any(m.start() < end and start < m.end() for m in matches):
            dropped.add(index)
        start = end + 1
    return remote, " ".join(t for i, t in enumerate(tokens) if i not in dropped)


# --- codes -------------------------------------------------------------------------------
_DEPT_CODE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-5]|2[AaBb]|97[1-8]|98[4-9])")
_POSTAL = re.compile(r"\d{5}|\d{2} \d{3}")
_NUTS = re.compile(r"([A-Za-z]{2})([A-Za-z0-9]{1,3})")


def department_code(value: str | None) -> str | None:
    """A department code as INSEE writes it (``"1"`` → ``"01"``, ``"2a"`` → ``"2A"``), or None."""
    if not value:
        return None
    text = value.strip().upper()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if not _DEPT_CODE.fullmatch(text):
        return None
    return text if text in areas().departments else None


def department_of_postal_code(postal: str) -> str | None:
    """The department of a postal code, by the commune that has it, else by La Poste's rule
    (two first digits; Corsica 200xx-201xx → 2A, 202xx-206xx → 2B; overseas three digits)."""
    geo = geography()
    communes = geo.by_postal.get(postal)
    if communes and len({c.department for c in communes}) == 1:
        return communes[0].department
    if postal.startswith("20"):
        return "2A" if postal < "20200" else "2B"
    prefix = postal[:3] if postal[:2] in ("97", "98") else postal[:2]
    return prefix if prefix in geo.departments else None


def _postal(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip()
    if text[:2].upper() == "F-":  # "F-75001", an old international form
        text = text[2:]
    if _POSTAL.fullmatch(text):
        return text.replace(" ", "")
    return None


# --- building a Place ----------------------------------------------------------------------
def _commune_place(c: Commune, postal: str | None, *, confidence: float = 1.0,
                   ambiguous: bool = False) -> Place:
    geo = geography()
    if postal and c.code in geo.arrondissements:
        # "Paris 75011": the arrondissement that has this postal code.
        for code in geo.arrondissements[c.code]:
            if postal in geo.communes[code].postal_codes:
                c = geo.communes[code]
                break
    if postal and (postal in c.postal_codes or department_of_postal_code(postal) == c.department):
        postal_code: str | None = postal  # also keeps a CEDEX code of the commune's department
    else:
        postal_code = c.postal_codes[0] if len(c.postal_codes) == 1 else None
    return Place(city=c.name, insee_code=c.code, postal_code=postal_code,
                 department=c.department, region=c.region, country="FR",
                 confidence=confidence, ambiguous=ambiguous, kind="commune")


def _department_place(code: str, *, postal: str | None = None, confidence: float = 1.0,
                       ambiguous: bool = False) -> Place:
    dept = geography().departments[code]
    return Place(postal_code=postal, department=code, region=dept.region, country="FR",
                 confidence=confidence, ambiguous=ambiguous, kind="department")


def _region_place(code: str, *, confidence: float = 1.0, ambiguous: bool = False) -> Place:
    return Place(region=code, country="FR", confidence=confidence, ambiguous=ambiguous,
                 kind="region")


def _area_place(departments: frozenset[str], *, confidence: float = 1.0,
                ambiguous: bool = False) -> Place | None:
    """The narrowest place covering a set of departments (one department, a region, France)."""
    geo = geography()
    if len(departments) == 1:
        (code,) = departments
        return _department_place(code, confidence=confidence, ambiguous=ambiguous)
    regions = {geo.departments[d].region for d in departments}
    if len(regions) == 1:
        return _region_place(regions.pop(), confidence=confidence, ambiguous=ambiguous)
    if departments:
        return Place(country="FR", confidence=confidence, kind="country")
    return None


def _from_postal(postal: str) -> Place | None:
    geo = geography()
    communes = geo.by_postal.get(postal, ())
    arrondissements = tuple(c for c in communes if c.parent)
    if arrondissements:
        communes = arrondissements
    if len(communes) == 1:
        return _commune_place(communes[0], postal)
    dept = department_of_postal_code(postal)
    if dept is None:
        return None
    # Several communes share it (or a CEDEX code): only the department is certain.
    return _department_place(dept, postal=postal, confidence=0.9 if communes else 0.8)


# --- names -------------------------------------------------------------------------------
_ARRONDISSEMENT = re.compile(
    r"(paris|marseille|lyon) (\d{1,2}) ?(?:er|e|eme|em|me|ieme)?(?: arr(?:ondissement|t)?)?")
_ARR_BASE = {"paris": ("751", 20), "marseille": ("132", 16), "lyon": ("6938", 9)}
_PREFIX = re.compile(
    r"^(?:(?:ville|commune|mairie|agglomeration|metropole) (?:de |d |du |des )?"
    r"|(?P<dept>departement|dept|dpt|dep) (?:de la |de l |des |de |du |d )?"
    r"|(?P<region>region) (?:de la |de l |des |de |du |d )?)")
# what a notice writes for "the whole of France"
WHOLE_FRANCE = frozenset(("france", "metropole", "france metropolitaine", "france entiere",
                          "toute la france", "national"))
_CEDEX = re.compile(r" cedex(?: \d{1,2})?$| cedex \d{1,2} ")


@dataclass(frozen=True, slots=True)
class _Hints:
    postal: str | None = None
    department: str | None = None
    region: str | None = None
    # No country was given: a postal code is French evidence only for a commune that has it.
    strict: bool = False

    def accepts(self, c: Commune) -> bool:
        if self.department and c.department != self.department:
            return False
        if self.region and c.region != self.region:
            return False
        return not (self.postal and self.postal not in c.postal_codes
                    and department_of_postal_code(self.postal) != c.department)

    @property
    def any(self) -> bool:
        return bool(self.postal or self.department or self.region)


def _area_is_commune(departments: frozenset[str], c: Commune) -> bool:
    """Whether an area is that one commune (Paris, Saint-Martin): then the commune is meant."""
    return departments == {c.department} and \
        geography().department_communes.get(c.department) == 1


def _pick(communes: tuple[Commune, ...], hints: _Hints, *,
          confidence: float = 1.0) -> Place | None:
    matching = [c for c in communes if hints.accepts(c)] if hints.any else list(communes)
    if not matching:
        return None
    ambiguous = len(matching) > 1
    return _commune_place(matching[0], hints.postal,
                          confidence=0.6 if ambiguous else confidence, ambiguous=ambiguous)


FOREIGN_FACTOR = 10  # how much larger a foreign homonym must be to win over a French commune


@cache
def _foreign_homonyms() -> dict[str, tuple[str, int, str]]:
    """Folded name → (country, population, name) of the largest foreign city bearing the name
    of a French commune (built by ``data/build_foreign_homonyms.py`` from GeoNames)."""
    data = resources.files("aggregator.normalize.data").joinpath("foreign_homonyms.json")
    rows = json.loads(data.read_text(encoding="utf-8"))["cities"]
    return {key: (country, population, name) for key, country, population, name in rows}


def _weigh_foreign(place: Place, key: str) -> Place:
    """A commune found by its bare name, no country or French code anywhere: the foreign city
    of that name when it is FOREIGN_FACTOR times as populous as the largest commune; still the
    commune, flagged ambiguous, when a foreign city at least as large exists."""
    foreign = _foreign_homonyms().get(key)
    communes = geography().by_name.get(key)
    if foreign is None or not communes:
        return place
    country, population, name = foreign
    french = communes[0].population  # most populous first
    if population >= FOREIGN_FACTOR * max(french, 1):
        return Place(city=name, country=country, confidence=0.5, ambiguous=True, kind="city")
    if population >= french:
        return replace(place, ambiguous=True, confidence=min(place.confidence, 0.6))
    return place


def _resolve_key(key: str, hints: _Hints) -> Place | None:
    """A folded name (no codes, no parentheses) to a place, using the hints for homonyms."""
    geo = geography()
    # "Ville de Paris", "Département du Var"; but "Ville-d'Avray" is a commune's own name.
    prefix = _PREFIX.match(key) if key not in geo.by_name else None
    want_area = None
    if prefix:
        want_area = "department" if prefix.group("dept") else (
            "region" if prefix.group("region") else None)
        key = key[prefix.end():]
    key = _CEDEX.sub(" ", key).strip()
    if not key:
        return None
    if key in WHOLE_FRANCE:
        return Place(country="FR", confidence=1.0, kind="country")

    found = _ARRONDISSEMENT.fullmatch(key)
    if found:
        base, count = _ARR_BASE[found.group(1)]
        number = int(found.group(2))
        if 1 <= number <= count:
            commune = geo.communes.get(f"{base}{number:02d}" if len(base) == 3
                                       else f"{base}{number}")
            if commune and hints.accepts(commune):
                return _commune_place(commune, hints.postal)

    communes = geo.by_name.get(key, ())
    dept = geo.department_by_name.get(key)
    region = geo.region_by_name.get(key)
    area = geo.area_by_name.get(key)

    if want_area == "department":
        code = department_code(key) if _DEPT_CODE.fullmatch(key.upper()) else None
        if dept or code:
            return _department_place(dept.code if dept else code, postal=hints.postal)
    if want_area == "region":
        if key.upper() in geo.regions:  # "Région 93"
            return _region_place(key.upper())
        if region or area:
            return _region_place(region.code) if region else _area_place(area.departments)

    if hints.any and communes:
        place = _pick(communes, hints)
        if place:
            return place
    # Departments and regions by name, unless the name is also a commune and the area is
    # just that commune (Paris). Hints must agree with the area.
    area_depts: frozenset[str] | None = None
    if dept and (not hints.department or hints.department == dept.code):
        area_depts = frozenset({dept.code})
    elif region and (not hints.region or hints.region == region.code) and (
            not hints.department or geo.departments[hints.department].region == region.code):
        area_depts = geo.region_departments.get(region.code, frozenset())
    elif area and (not hints.department or hints.department in area.departments):
        area_depts = area.departments
    if area_depts is not None:
        if communes and not hints.any and _area_is_commune(area_depts, communes[0]):
            return _pick(communes, hints)  # Paris; Saint-Martin (with homonyms elsewhere)
        homonym = bool(communes)
        if dept and area_depts == frozenset({dept.code}):
            return _department_place(dept.code, postal=hints.postal,
                                     confidence=0.8 if homonym else 1.0, ambiguous=homonym)
        if region:
            return _region_place(region.code, confidence=0.8 if homonym else 1.0,
                                 ambiguous=homonym)
        return _area_place(area_depts, confidence=0.8 if homonym else 0.9, ambiguous=homonym)
    if communes and not hints.any:
        place = _pick(communes, hints)
        return _weigh_foreign(place, key) if place and hints.strict else place
    # Former names (communes déléguées/associées) point to today's commune.
    children = geo.children_by_name.get(key)
    if children:
        return _pick(children, hints, confidence=0.9)
    return None


_DEPT_NAME = re.compile(r"(\d{2,3}|2[AaBb])\s*[-–—:/]\s*(.+)")
_NAME_DEPT = re.compile(r"(.+?)\s*[-–—]\s*(\d{2,3}|2[AaBb])")
_PARENS = re.compile(r"(.*)\(\s*([^()]*?)\s*\)\s*(.*)")  # the last parentheses
_POSTAL_NAME = re.compile(r"(\d{5}|\d{2} \d{3})\s+(.+)")
_NAME_POSTAL = re.compile(r"(.+?)\s+(\d{5}|\d{2} \d{3})")
_ARTICLE = {"le": "le", "la": "la", "les": "les", "l": "l"}


def _resolve_part(part: str, hints: _Hints) -> Place | None:
    """One comma-separated part of a place string."""
    text = part.strip()
    if not text:
        return None
    if _DEPT_CODE.fullmatch(text):
        code = department_code(text)
        return _department_place(code) if code else None
    postal = _postal(text)
    if postal:
        place = _from_postal(postal)
        if place:
            return place
        commune = geography().communes.get(postal)  # maybe an INSEE code after all
        return _commune_place(commune, None) if commune else None
    geo = geography()
    # "FRL05", "FRL" (but "Fry" or "76 - FRY" is the commune of that name).
    if not hints.any and _NUTS.fullmatch(text) and (
            any(ch.isdigit() for ch in text) or (text.isupper() and text in geo.nuts)):
        place = resolve_nuts(text)
        if place:
            return place
    key = fold(text)
    if key in geo.by_name:  # the common case, and names with parentheses ("Bors (Canton…)")
        return _resolve_key(key, hints)

    found = _DEPT_NAME.fullmatch(text) or _NAME_DEPT.fullmatch(text)
    if found:
        first, second = found.groups()
        code_text, name = (first, second) if found.re is _DEPT_NAME else (second, first)
        code = department_code(code_text)
        if code and (not hints.department or hints.department == code):
            place = _resolve_part(name, replace(hints, department=code))
            if place and place.department == code:
                return place
            return _department_place(code, confidence=0.9)
    found = _PARENS.fullmatch(text)
    if found:
        before, inner, after = found.groups()
        name = f"{before} {after}".strip()
        inner_key = fold(inner)
        if inner_key in _ARTICLE:
            return _resolve_part(f"{inner} {name}", hints)
        code = department_code(inner) if _DEPT_CODE.fullmatch(inner.strip()) else None
        inner_postal = _postal(inner)
        if code or inner_postal:
            new_hints = replace(hints, department=code or hints.department,
                                postal=inner_postal or hints.postal)
            place = _resolve_part(name, new_hints) if name else None
            if place:
                return place
            return _department_place(code, confidence=0.9) if code else _from_postal(
                inner_postal)  # type: ignore[arg-type]
        inner_place = _resolve_part(inner, _Hints()) if inner_key else None
        if inner_place and inner_place.kind in ("department", "region") and name:
            new_hints = replace(hints, department=inner_place.department or hints.department,
                                region=inner_place.region or hints.region)
            place = _resolve_part(name, new_hints)
            if place:
                return place
        if name:
            return _resolve_part(name, hints) or inner_place
        return inner_place
    found = _POSTAL_NAME.fullmatch(text) or _NAME_POSTAL.fullmatch(text)
    if found:
        first, second = found.groups()
        postal_text, name = (first, second) if found.re is _POSTAL_NAME else (second, first)
        postal = _postal(postal_text)
        place = _resolve_part(name, replace(hints, postal=postal))
        if place and place.kind == "commune":
            return place
        if hints.strict and place is None:
            return None  # "10115 Berlin": the code is no French one for this name
        return _from_postal(postal) if postal else place  # type: ignore[arg-type]
    return _resolve_key(key, hints)


# --- the whole string -------------------------------------------------------------------
_SPLIT = re.compile(r"\s*[,;|]\s*|\s+/\s+")
# Workday's site code: "Uxbridge, UK (ZUK131)"; spaces inside once remote words are removed.
_TRAILING_CODE = re.compile(
    r"\s*\(\s*(?=[^)]*\d)(?=[^)]*[A-Za-z])[A-Za-z0-9_-]{4,}\s*\)\s*$")
_NOISE_KEYS = {"more", "etc", "and more", "plusieurs lieux", "multiple locations",
               "various locations", "various", "n a", "na", "none", "null", "non renseigne",
               "inconnu", "unknown", "not specified"}



def _foreign(parts: list[str], country: str, confidence: float) -> Place:
    city = parts[0].strip()[:120] if parts else None
    if city and (not any(ch.isalpha() for ch in city) or resolve_subdivision(city)):
        city = None  # "Illinois, US": a state, not a city
    if city:
        return Place(city=city, country=country, confidence=confidence, kind="city")
    return Place(country=country, confidence=1.0, kind="country")


def _resolve_text(text: str, hints: _Hints, hint_country: str | None, *,
                  had_remote: bool = False) -> Place | None:
    text = _TRAILING_CODE.sub("", text)
    parts = [p for p in _SPLIT.split(text) if p and fold(p) not in _NOISE_KEYS]
    if not parts:
        return None
    # An explicit country, last: "Bruxelles, Belgique", "Paris, France", "Krakow, Poland".
    country = resolve_country(parts[-1], codes=len(parts) == 1 or len(parts[-1]) == 3,
                              upper_codes=True)
    if country is None and len(parts) >= 2 and not resolve_subdivision(parts[-1]):
        # "Montreal, FR", "London, GB": a country code that no US state or Canadian province
        # has ("Berlin, DE" stays Delaware, "Toronto, CA" California, as before).
        country = resolve_country(parts[-1], upper_codes=True)
    if country == "FR" and parts[-1].strip().upper() in FRENCH_OVERSEAS:
        # "GP", "REU": the department is meant, not just France.
        code = FRENCH_OVERSEAS[parts[-1].strip().upper()]
        if code in geography().departments:
            if len(parts) == 1:
                return _department_place(code)
            hints = replace(hints, department=hints.department or code)
        country = "FR"
    if country:
        parts = parts[:-1]
    elif len(parts) >= 2:
        country = resolve_subdivision(parts[-1])  # "Chicago, IL", "Arlington, Virginia"
    if country and country != "FR":
        return _foreign(parts, country, 0.9)
    if country is None and hint_country and hint_country != "FR":
        if len(parts) == 1 and resolve_subdivision(parts[0]):
            return Place(country=resolve_subdivision(parts[0]), confidence=0.9, kind="country")
        return _foreign(parts, hint_country, 0.5)
    if not parts:
        return Place(country="FR", confidence=1.0, kind="country")
    if country == "FR":
        hints = replace(hints, strict=False)  # "Montreal, France": France is said

    # French: later parts narrow the first ("Saint-Denis, La Réunion", "Paris, 75011").
    for part in parts[1:]:
        postal = _postal(part)
        if postal:
            hints = replace(hints, postal=hints.postal or postal)
            continue
        area = _resolve_part(part, _Hints())
        if area and area.kind in ("department", "region"):
            hints = replace(hints, department=hints.department or area.department,
                            region=hints.region or area.region)
    for part in parts:
        if hints.strict and len(parts) > 1 and _postal(part):
            continue  # "Berlin, 10115": a postal code beside a name that is no commune of it
        place = _resolve_part(part, hints)
        if place:
            return place
    if country == "FR":
        return Place(country="FR", confidence=1.0, kind="country")
    if had_remote and len(parts) == 1 and len(parts[0]) > 2 and resolve_subdivision(parts[0]):
        # "Texas Remote Work" (Workday): a US state or Canadian province. Not for a bare
        # "Maine", which a French listing may well mean.
        return Place(country=resolve_subdivision(parts[0]), confidence=0.7, kind="country")
    return None


@lru_cache(maxsize=1 << 14)  # ~5 MB when full; sources repeat their places a lot
def _resolve(text: str | None, postal_code: str | None, country_hint: str | None,
             insee_code: str | None, department: str | None) -> Place:
    geo = geography()
    hint_country = resolve_country(country_hint) if country_hint else None
    postal = _postal(postal_code)
    dept = department_code(department)
    if dept is None and hint_country == "FR" and country_hint \
            and country_hint.strip().upper() in FRENCH_OVERSEAS:
        dept = FRENCH_OVERSEAS[country_hint.strip().upper()]
        dept = dept if dept in geo.departments else None
    hints = _Hints(postal=postal, department=dept, strict=hint_country is None)

    remote: bool | None = None
    if text:
        if _REMOTE_HINT.search(text):
            remote, rest = _strip_remote_text(text)
        else:
            rest = text
    else:
        rest = ""

    if insee_code:
        commune = geo.commune(insee_code.strip())
        if commune:
            return _commune_place(commune, postal, confidence=1.0) if not remote else replace(
                _commune_place(commune, postal), remote=True)

    place = _resolve_text(rest, hints, hint_country, had_remote=remote is not None) \
        if rest else None
    if place is None and (postal or dept) and hint_country in (None, "FR"):
        # With no country, a postal code beside a text that names no French place ("San
        # Francisco", 94105) is no French one.
        place = _from_postal(postal) if postal and not (hints.strict and rest) else None
        if place is None and dept:
            place = _department_place(dept)
    if place is None:
        if remote:
            # "Remote job" at a board that says Brazil: remote, in Brazil. France is only the
            # default hint, not a claim, so it is not copied.
            country = hint_country if hint_country != "FR" else None
            return Place(remote=True, country=country, confidence=1.0, kind="remote")
        return UNKNOWN
    return replace(place, remote=True) if remote else place


def _strip_remote_text(text: str) -> tuple[bool | None, str]:
    """Remove remote-work words from a place string, keeping its structure (commas, codes)."""
    pieces = []
    remote: bool | None = None
    for piece in re.split(r"([,;|()/])", text):
        if piece and piece in ",;|()/":
            pieces.append(piece)
            continue
        flag, rest = _drop_remote_words(piece)
        if flag is not None:
            remote = flag if remote is None else (remote or flag)
        pieces.append(f" {rest} " if rest else " ")
    joined = "".join(pieces)
    joined = re.sub(r"\(\s*\)", " ", joined)
    joined = re.sub(r"\s*([,;|])\s*(?=[,;|]|$)", "", joined)
    joined = re.sub(r"^\s*[,;|/-]+\s*|\s*[,;|/-]+\s*$", "", joined.strip())
    return remote, " ".join(joined.split())


def _arg(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    return text[:300] or None


def resolve_place(text: str | None, *, postal_code: str | None = None,
                  country_hint: str | None = "FR", insee_code: str | None = None,
                  department: str | None = None) -> Place:
    """Where a listing is: commune, postal code, department, region, country, remote.

    ``text`` is whatever the source writes; ``postal_code``, ``insee_code`` and
    ``department`` are the source's own fields when it has them (they win over the text and
    pick among homonyms). ``country_hint`` is the source's country (a code or a name): with
    a country other than France the text is taken as a city there; with None (the source
    says no country) France is not assumed, see the module's rules.
    """
    return _resolve(_arg(text), _arg(postal_code), _arg(country_hint), _arg(insee_code),
                    _arg(department))


def resolve_nuts(code: str | None) -> Place | None:
    """The place of a NUTS code (``FRL05`` → Var, ``FRL0``/``FRL`` → PACA, ``FR`` → France,
    ``BE100`` → Belgium) or of an ISO alpha-3 country code as TED mixes in (``FRA``)."""
    if not code:
        return None
    text = str(code).strip().upper()
    geo = geography()
    area = geo.nuts.get(text)
    if area is not None:
        if not area.departments:
            return Place(country="FR", confidence=1.0, kind="country")
        return _area_place(area.departments)
    if len(text) == 3 and text.isalpha():  # ISO alpha-3 first: "EST" is Estonia, not ES
        country = resolve_country(text)
        if country:
            return Place(country=country, confidence=1.0, kind="country")
    if 2 <= len(text) <= 5 and text.isalnum() and text[:2] in NUTS_COUNTRIES and (
            text[:2] != "FR" or any(ch.isdigit() for ch in text)):
        # Another country's NUTS code, or a French one from an older NUTS version (FR715,
        # NUTS 2013): the country is certain, the region is not ours to guess.
        return Place(country=NUTS_COUNTRY.get(text[:2], text[:2]), confidence=1.0,
                     kind="country")
    return None


def _contains(outer: Place, inner: Place) -> bool:
    """Whether ``outer`` is a strictly larger area that contains ``inner`` (France ⊃ Var)."""
    if outer == inner or outer.country != inner.country:
        return False
    if outer.kind == "country":
        return inner.kind != "country"
    if outer.kind == "region":
        return inner.region == outer.region and inner.kind in ("department", "commune")
    if outer.kind == "department":
        return inner.department == outer.department and inner.kind == "commune"
    return False


def combine_places(places: list[Place]) -> Place | None:
    """One place for several: TED lists ``["FRL05", "FRA"]`` (Var, said twice at two levels)
    or one NUTS code per lot. Areas that contain another of the places are dropped (they
    add nothing); what is left is combined into the narrowest area covering it all. Places
    in several countries are their French part, if any (a cross-border tender in
    Haute-Savoie and Geneva is found by ``dep:74``): a listing has one place."""
    places = [p for p in places if p.kind != "unknown"]
    if not places:
        return None
    countries = {p.country for p in places if p.country}
    if len(countries) > 1:
        if "FR" not in countries:
            return None
        places, countries = [p for p in places if p.country == "FR"], {"FR"}
    places = [p for p in places if not any(_contains(p, q) for q in places)]
    if all(p == places[0] for p in places):
        return places[0]
    depts = {p.department for p in places}
    if None not in depts:
        return _area_place(frozenset(d for d in depts if d))
    regions = {p.region for p in places}
    if None not in regions and len(regions) == 1:
        return _region_place(regions.pop())
    return Place(country=countries.pop(), confidence=1.0, kind="country") if countries else None


def clear_cache() -> None:
    """Forget cached resolutions (for benchmarks and tests)."""
    _resolve.cache_clear()
