"""Contract types and working time.

One taxonomy (docs/listing-fields.md): ``cdi``, ``cdd``, ``interim``, ``freelance``, ``internship``,
``apprenticeship``, ``other``; working time (``full_time``/``part_time``) is a field of its own.
:func:`parse_contract` maps schema.org ``employmentType`` (``CONTRACTOR``, ``INTERN``, …),
France Travail ``typeContrat`` codes (``CDI``, ``CDD``, ``MIS``, ``SAI``, ``LIB``, …) and
labels (``CDD - 3 Mois``, ``Cont. professionnalisation``, ``alternance``), and ATS labels
(``Permanent``, ``Contract``, ``Stage``, ``fulltime_permanent``, …). A list is read as a
whole: ``["CDD", "alternance"]`` is an apprenticeship.

``Full-time`` alone says nothing about the contract (an internship can be full-time), so it
gives no contract type, only a working time. Nor does the word "contract" inside a longer label
("Permanent contract", "Part-time contract", "Contract type: Permanent"): only a label that
*is* "Contract" (Recruitee ``contract``, Workable "Contract"), or starts with it ("Contract -
6 months", "Contract role"), means a contractor's engagement.

A franchise (France Travail ``FRA``, "Franchise") is ``other``: the franchisee runs their own
business under a brand, which is neither employment nor freelancing (selling one's own services).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aggregator.normalize.folding import fold

CONTRACT_TYPES = ("cdi", "cdd", "interim", "freelance", "internship", "apprenticeship", "other")

# When several labels of one listing disagree, the most specific kind of contract wins: an
# apprenticeship is also a CDD, an internship is not a job in the CDI sense.
_PRIORITY = ("apprenticeship", "internship", "interim", "freelance", "cdd", "cdi", "other")

# Whole values (folded): source codes and labels.
_EXACT = {
    # France Travail typeContrat (referentiel "typesContrats")
    "cdi": "cdi", "cdd": "cdd", "mis": "interim", "sai": "cdd", "lib": "freelance",
    "cce": "freelance", "fra": "other", "rep": "other", "ddi": "cdd", "din": "cdi",
    "tti": "interim",
    # France Travail natureContrat codes
    "e2": "apprenticeship", "fs": "apprenticeship", "ns": "freelance",
    # schema.org employmentType
    "contractor": "freelance", "temporary": "cdd", "intern": "internship",
    "volunteer": "other", "per diem": "other", "other": "other",
    # Recruitee employment_type_code and friends
    "fulltime permanent": "cdi", "parttime permanent": "cdi", "fulltime fixed term": "cdd",
    "parttime fixed term": "cdd", "contract": "freelance", "contracts": "freelance",
    "freelance": "freelance",
    "internship": "internship", "traineeship": "internship", "apprenticeship": "apprenticeship",
    "temp": "interim", "seasonal": "cdd", "permanent": "cdi", "regular": "cdi",
    "autre": "other", "franchise": "other",
    # Workable employment_type, Google Talent CONTRACT_TO_HIRE, HAPI (vonq) EmploymentType
    "contract to hire": "freelance", "fixed term with option for permanent": "cdd",
    "fixedterm": "cdd", "fixedtermwithoptionforpermanent": "cdd",
}

# Phrases searched in a label, most specific first; the first that matches decides.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"cdi interimaire|cdi de chantier|cdi d operation|cdi interim", "cdi"),
    (r"fixed term(?: contract)?|temporary contract|contrat a duree determinee"
     r"|duree determinee", "cdd"),
    (r"contrat de professionnalisation|cont(?:rat)? professionnalisation|professionnalisation"
     r"|contrat d apprentissage|contrat apprentissage|alternance|alternant|apprentissage"
     r"|apprenti|apprentice\w*|work ?study|ausbildung|duales studium|dual study", "apprenticeship"),
    (r"stages?|stagiaire|internships?|interns?|praktikum|werkstudent|trainee(?:ship)?"
     r"|convention de stage", "internship"),
    (r"interim\w*|travail temporaire|mission interimaire|temp(?:orary)? agency|temp to perm"
     r"|leiharbeit|agency worker", "interim"),
    (r"freelance\w*|free lance|independant|independent contractor|auto entrepreneur"
     r"|micro entrepreneur|portage salarial|profession liberale|liberal|contractor"
     r"|emploi non salarie|non salarie|self employed|freiberuf\w*|consultant independant"
     r"|agent commercial|contract(?:or)? (?:role|position|job|basis|assignment|work)"
     r"|(?:on a |on )contract(?: basis)?", "freelance"),
    (r"fixed term|fixed-term|temporary|cdd|duree determinee|saisonnier|seasonal|contrat d usage"
     r"|befristet|maternity cover|remplacement", "cdd"),
    (r"cdi|duree indeterminee|permanent|open ended|unbefristet|festanstellung|regular", "cdi"),
    (r"volunteer\w*|benevol\w*|service civique|volontariat|v i e|vie|via|franchis\w*",
     "other"),
)
# A label that starts with the bare word ("Contract - 6 months", "Contract, Full-time"), but not
# one that names the contract's type after it ("Contract type: Permanent", "Contract of ...").
_CONTRACT_FIRST = r"contracts? (?!types?\b|of\b|de\b|duration\b|length\b)"
# Patterns as text: ``re`` compiles each on first use and keeps it (its own cache), so
# importing this module (the reading commands do, for CONTRACT_TYPES) compiles none.
_PHRASE_PATTERNS = tuple((rf"(?<![a-z0-9])(?:{p})(?![a-z0-9])", kind) for p, kind in _PHRASES)

_FULL = (r"(?<![a-z])(?:full ?time|temps (?:plein|complet)|vollzeit|fulltime\w*"
         r"|tiempo completo|tempo pieno)(?![a-z])")
_PART = (r"(?<![a-z])(?:part ?time|temps partiel|mi temps|teilzeit|parttime\w*"
         r"|half time|tiempo parcial|part time)(?![a-z])")
_HOURS = (r"(?<![0-9])(\d{1,2}(?: \d{1,2})?) ?h(?:eures?|ours?|rs?)?(?: ?\d{2})?"
          r"(?: par| per| a| /)? ?(?:semaine|sem|hebdo|week|wk)?(?![a-z])")


def _labels(value: object) -> list[str]:
    """Every label in a value: a string, a list of them, or a mapping with id/label/name."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, str):
        return [value[:200]]
    if isinstance(value, Mapping):
        out: list[str] = []
        for key in ("id", "code", "label", "libelle", "name", "value", "@value"):
            if key in value:
                out.extend(_labels(value[key]))
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        out = []
        for item in list(value)[:20]:
            out.extend(_labels(item))
        return out
    return []


def _classify(label: str) -> str | None:
    key = fold(label)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for pattern, kind in _PHRASE_PATTERNS:
        if re.search(pattern, key):
            return kind
    if re.match(_CONTRACT_FIRST, key):
        return "freelance"
    return None


def parse_contract(value: object) -> str | None:
    """The contract type of a listing (see CONTRACT_TYPES), or None when not stated."""
    found = {kind for label in _labels(value) if (kind := _classify(label))}
    for kind in _PRIORITY:
        if kind in found:
            return kind
    return None


def _working_time(label: str) -> str | None:
    key = fold(label)
    full, part = bool(re.search(_FULL, key)), bool(re.search(_PART, key))
    if full != part:
        return "full_time" if full else "part_time"
    if full:
        return None
    hours = re.search(_HOURS, key)
    if hours and ("sem" in key or "week" in key or "hebdo" in key
                  or key.strip() == hours.group(0).strip()):
        amount = float(hours.group(1).replace(" ", "."))
        if 0 < amount <= 80:
            # 35 hours is the French legal full-time week; below that is part time.
            return "full_time" if amount >= 35 else "part_time"
    return None


def parse_working_time(value: object) -> str | None:
    """``full_time`` or ``part_time`` from labels (``Temps plein``, ``PART_TIME``,
    ``Temps partiel - 18H/semaine``, ``35H/semaine``), or None when unknown or mixed."""
    found = {wt for label in _labels(value) if (wt := _working_time(label))}
    return found.pop() if len(found) == 1 else None
