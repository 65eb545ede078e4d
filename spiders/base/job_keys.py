"""Match keys that link one job offer relayed by several sources (``Listing.match_keys``).

The same offer reaches us from France Travail (partner offers), APEC, the employer's career
page and its ATS board. The store links listings of *different* sources that share a key
and that aggregator.normalize.job_match finds to be one offer (close publication dates,
alike descriptions: ``ListingWriter._link_duplicates``), so a key must be equal for the same
offer whatever the source's spelling:

- ``job:{organisation}|{title}|{city}`` — the organisation without its legal form
  ("BONOR SAS" = "Bonor"), the title without its gender marker ("Cariste F/H" =
  "Cariste (H/F)"), the city read from the raw location text;
- ``job-ref:{reference}|{title}`` — the ATS reference where the source carries one
  (Talentsoft's ``reference``, a career page's JobPosting ``identifier``);
- ``job-text:{title}|{city}|{fingerprint}`` — for relayed offers whose employer name is
  missing or replaced by an agency's: the fingerprint is a hash of the first words of the
  plain-text description, which survive HTML vs text, bullets, entities and truncation.

Why the city comes from the raw location text here, not from the place resolver: keys are
part of the raw item (spiders fill them, the writer stores them) and spiders do not resolve
places. ``location_city_key`` only *cuts* the text down to its city words, the same way for
every source ("75 - Paris 8e Arrondissement", "Paris, Île-de-France, France", "Paris (75)",
"PARIS 08" all give "paris"); it never looks a name up, so it cannot resolve wrongly — at
worst a key is missing or does not match, and the listings simply stay separate.
"""

from __future__ import annotations

import hashlib
import re

from aggregator.normalize.folding import fold
from aggregator.normalize.text import clean_text

# Gender markers of job titles: "H/F", "(F/H)", "F/H/X", "M/F/D", "(m/w/d)", "H-F".
_GENDER = re.compile(r"[(\[]?\s*\b[hfmwdx]\s*[/\\-]\s*[hfmwdx](?:\s*[/\\-]\s*[hfmwdx])*\b"
                     r"\s*[)\]]?", re.IGNORECASE)
# Legal forms and filler words that sources add or drop around an employer's name.
_LEGAL_WORDS = frozenset((
    "sa", "sas", "sasu", "sarl", "eurl", "sci", "scop", "sc", "snc", "selarl", "gie", "eirl",
    "ei", "association", "gmbh", "ag", "kg", "ug", "se", "bv", "nv", "srl", "spa", "sl", "slu",
    "ab", "oy", "as", "aps", "inc", "incorporated", "llc", "llp", "ltd", "limited", "plc",
    "corp", "corporation", "co", "company",
))
# A French department code before the city, as France Travail writes it: "13 - Marseille".
_DEPARTMENT_PREFIX = re.compile(r"^\s*(?:\d{2,3}|2[ABab])\s+-\s+")
# Where a location text's first place ends: "Paris, France", "Paris (75)", "Paris / Lyon".
_PLACE_END = re.compile(r"[,;(\[/|•]| - | – | or | ou ")
# Words that are not a city: arrondissement numbers and words, postal codes, CEDEX.
_NOT_CITY = re.compile(r"^(?:\d+(?:e|er|eme|ème)?|arrondissement|arr|cedex)$")
# Locations that name no city (the whole country, remote work): no city key for them.
_NO_CITY = frozenset({"", "france", "remote", "teletravail", "full remote", "anywhere",
                      "worldwide", "europe", "multiple locations", "plusieurs lieux"})

FINGERPRINT_WORDS = 60  # how many leading description words the fingerprint covers
MIN_FINGERPRINT_WORDS = 25  # shorter descriptions are too generic to identify an offer


def _plain(value: object) -> str:
    """Plain one-line text of a raw field (HTML, entities and odd spaces removed)."""
    if value is None:
        return ""
    return clean_text(str(value), multiline=False) or ""


def organization_key(organization: object) -> str:
    """'BONOR SAS' → 'bonor'; 'ELIOR SUPPORT' → 'elior support'."""
    words = fold(_plain(organization)).split()
    kept = [w for w in words if w not in _LEGAL_WORDS]
    return " ".join(kept or words)


def title_key(title: object) -> str:
    """'Cariste F/H' and 'Cariste (H/F)' → 'cariste'."""
    return fold(_GENDER.sub(" ", _plain(title)))


def location_city_key(location: object) -> str:
    """The city words of a raw location text, folded; '' when it names no city.

    '75 - Paris 8e Arrondissement' → 'paris'; 'Saint-Laurent-du-Maroni' → 'saint laurent du
    maroni'; 'Paris, Île-de-France, France' → 'paris'; 'France' → ''.
    """
    text = _DEPARTMENT_PREFIX.sub("", _plain(location))
    text = _PLACE_END.split(text, maxsplit=1)[0]
    words = [w for w in fold(text).split() if not _NOT_CITY.match(w)]
    city = " ".join(words)
    return "" if city in _NO_CITY else city


def description_fingerprint(description: object) -> str | None:
    """A short hash of the description's first words; None when it is too short to tell."""
    words = fold(clean_text(str(description)) or "" if description else "").split()
    if len(words) < MIN_FINGERPRINT_WORDS:
        return None
    digest = hashlib.sha1(" ".join(words[:FINGERPRINT_WORDS]).encode(), usedforsecurity=False)
    return digest.hexdigest()[:16]


def _cut(text: str, size: int) -> str:
    return text[:size].strip()


def reference_key(reference: object, title: object) -> str | None:
    """``job-ref:{reference}|{title}``: an ATS reference ("2025-82802") is the same offer
    wherever it is relayed; with the title, two sites' equal numbers stay apart. None for a
    reference too plain to tell (under 6 characters, or no digit)."""
    ref = fold(_plain(reference)).replace(" ", "")
    title_part = _cut(title_key(title), 150)
    if len(ref) < 6 or not any(c.isdigit() for c in ref) or not title_part:
        return None
    return f"job-ref:{_cut(ref, 60)}|{title_part}"


def job_match_keys(organization: object, title: object, city_or_location: object,
                   description: object = None, reference: object = None) -> list[str]:
    """The duplicate-matching keys of a job offer (see the module docstring).

    ``city_or_location`` is the source's raw location text or its city field; both give the
    same key. ``reference`` is the offer's ATS reference where the source carries one.
    Returns only the reference key when the offer has no city, [] without a title.
    """
    ref = reference_key(reference, title) if reference not in (None, "") else None
    title_part = _cut(title_key(title), 150)
    city = _cut(location_city_key(city_or_location), 60)
    if not title_part or not city:
        return [ref] if ref else []
    keys = [ref] if ref else []
    org = _cut(organization_key(organization), 80)
    if org:
        keys.append(f"job:{org}|{title_part}|{city}")
    fingerprint = description_fingerprint(description)
    if fingerprint:
        keys.append(f"job-text:{title_part}|{city}|{fingerprint}")
    return keys
