"""How a listing reads wherever it is shown — CLI tables, the TUI, e-mail digests: place,
contract or CPV codes, local times, deadline with days left, closing soon.

Plain strings, no markup: each caller makes them safe for its medium (``safe()`` for the
terminal, autoescaped templates for mail). Times are shown in ``LOCAL_TZ``; "days left" and
"closing soon" count local calendar days and agree with the filter's ``deadline<7d``
(aggregator.query): a deadline still ahead whose local day is at most 7 days away.

"Now" is the instant the process reads listings at: the present, or the instant a reading
command was given (``--as-of``, or the date of the recorded listings a replay stored), set
once with :func:`read_as_of`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from aggregator.config import LOCAL_TZ
from aggregator.i18n import BABEL_LOCALES, N_, _, language, ngettext, number, pgettext

CLOSING_SOON_DAYS = 7
DATE_TIME = "%d/%m/%Y %H:%M"
DATE = "%d/%m/%Y"
CONTRACT_LABELS = {"cdi": "CDI", "cdd": "CDD", "interim": N_("Interim"),
                   "freelance": N_("Freelance"), "internship": N_("Internship"),
                   "apprenticeship": N_("Apprenticeship"), "other": N_("Other")}
WORKING_TIMES = {"full_time": N_("full time"), "part_time": N_("part time")}
# OCDS's procurementMethod codes and BOAMP's procedure codes
PROCEDURES = {"open": N_("open procedure"), "ouvert": N_("open procedure"),
              "selective": N_("restricted procedure"), "restreint": N_("restricted procedure"),
              "limited": N_("limited procedure"), "direct": N_("direct award"),
              "procedure_adaptee": N_("adapted procedure")}
SALARY_BASES = {"gross": N_("gross"), "net": N_("net")}
SALARY_PERIODS = {"hour": N_("an hour"), "day": N_("a day"), "week": N_("a week"),
                  "month": N_("a month"), "year": N_("a year"), "show": N_("a performance")}
# A crawl run's outcome (store.run_outcome.RunOutcome) and a source's health verdict
# (scheduling.health), as a person reads them
STATE_NAMES = {"ok": N_("ok"), "partial": N_("partial"), "failed": N_("failed"),
               "timeout": N_("timeout"), "offline": N_("offline"),
               "unconfigured": N_("unconfigured"), "running": N_("running"),
               "stopped": N_("stopped"), "interrupted": N_("interrupted"),
               "degraded": N_("degraded"), "broken": N_("broken"), "unknown": N_("unknown")}
CPV_SHOWN = 4  # CPV codes a full ``terms`` lists before "(+N)"
_as_of: datetime | None = None  # see read_as_of


class ShownListing(Protocol):
    """What these helpers read of a listing. The stored row (``store.models.Listing``) is
    one; read-only properties, so that any object with these attributes is one too."""

    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def city(self) -> str | None: ...
    @property
    def department(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def remote(self) -> bool: ...
    @property
    def contract_type(self) -> str | None: ...
    @property
    def working_time(self) -> str | None: ...
    @property
    def cpv(self) -> Sequence[str]: ...
    @property
    def deadline_at(self) -> datetime | None: ...
    @property
    def deadline_time_given(self) -> bool | None: ...


def state_name(state: str) -> str:
    """A run's outcome or a source's verdict in the reader's language."""
    return _(STATE_NAMES[state]) if state in STATE_NAMES else state


def kind_label(kind: str) -> str:
    """A listing's kind (``job``, ``tender``, ``award``) as the reader says it; an unknown
    code as it is."""
    labels = {"job": pgettext("listing kind", "job"),
              "tender": pgettext("listing kind", "tender"),
              "award": pgettext("listing kind", "award")}
    return labels.get(kind, kind)


def kind_short(kind: str) -> str:
    """A listing's kind in a table's narrow column (``emploi``, ``AO``, ``marché`` in
    French); an unknown code as it is."""
    labels = {"job": pgettext("listing kind, short", "job"),
              "tender": pgettext("listing kind, short", "tender"),
              "award": pgettext("listing kind, short", "award")}
    return labels.get(kind, kind)


def status_label(status: str) -> str:
    """A listing's status (``open``, ``closed``, ``cancelled``) as the reader says it; an
    unknown code as it is."""
    labels = {"open": pgettext("listing status", "open"),
              "closed": pgettext("listing status", "closed"),
              "cancelled": pgettext("listing status", "cancelled"),
              "awarded": pgettext("listing status", "awarded")}
    return labels.get(status, status)


def every_text(every: str) -> str:
    """An alert's rhythm (``daily``, ``weekly``, ``HH:MM``) as a person says it: ``every
    day``, ``every week``, ``every day at 07:30``."""
    if every == "daily":
        return _("every day")
    if every == "weekly":
        return _("every week")
    return _("every day at %(time)s") % {"time": every}


def procedure_label(procedure: str) -> str:
    """A tender's procedure as the reader says it: the codes of OCDS feeds (``selective``)
    and of BOAMP's data (``PROCEDURE_ADAPTEE``) in words; a source's own words as given."""
    label = PROCEDURES.get(procedure.strip().lower())
    return _(label) if label else procedure


def read_as_of(instant: datetime | None) -> None:
    """Judge days left and closing soon at ``instant`` in this process (None: the present)."""
    global _as_of
    _as_of = instant


def reading_now() -> datetime:
    """The instant listings are read at: the one given to :func:`read_as_of`, else now."""
    return _as_of or datetime.now(UTC)


def local(when: datetime | None, fmt: str = DATE_TIME) -> str:
    """An instant as local (Paris) time; "" for None."""
    return when.astimezone(LOCAL_TZ).strftime(fmt) if when else ""


def local_recent(when: datetime | None, now: datetime | None = None) -> str:
    """An instant of this year without its year, ``05/12 14:33`` (a column of crawl times,
    narrow); one of another year whole, ``05/12/2025 14:33``."""
    if when is None:
        return ""
    this_year = (now or datetime.now(UTC)).astimezone(LOCAL_TZ).year
    return local(when, "%d/%m %H:%M" if when.astimezone(LOCAL_TZ).year == this_year
                 else DATE_TIME)


def days_left(deadline: datetime | None, now: datetime | None = None) -> int | None:
    """Local calendar days from today to the deadline's day (0: today, negative: past)."""
    if deadline is None:
        return None
    now = now or reading_now()
    return (deadline.astimezone(LOCAL_TZ).date() - now.astimezone(LOCAL_TZ).date()).days


def department_name(code: str | None) -> str | None:
    """``Bouches-du-Rhône`` for ``13``; None for no code or one the geography lacks."""
    from aggregator.normalize.geography import areas

    found = areas().departments.get(code) if code else None
    return found.name if found else None


def region_name(code: str | None) -> str | None:
    """``Provence-Alpes-Côte d'Azur`` for ``93``; None for no code or an unknown one."""
    from aggregator.normalize.geography import areas

    found = areas().regions.get(code) if code else None
    return found.name if found else None


def country_name(code: str | None) -> str | None:
    """``Belgique`` for ``BE`` (in the reader's language: ``Belgium``); None for no code, the
    code itself for one CLDR does not name."""
    if not code:
        return None
    from babel import Locale  # here: a column of codes never needs it

    return Locale.parse(BABEL_LOCALES[language()]).territories.get(code.upper(), code)


def organization_text(listing: object) -> str:
    """The employer or buyer by name; a buyer named nowhere by its SIRET (DECP files of the
    2022 format give the buyer's SIRET alone), which `aggregator buyer` takes."""
    return getattr(listing, "organization", None) or getattr(listing, "buyer_id", None) or ""


# what a short place (:func:`place`) ends with that says where it is: a department
# "(973)", a country "DE"
PLACE_CODE = re.compile(r" (\([0-9AB]{2,3}\)|[A-Z]{2})$")


def place(listing: ShownListing, *, named: bool = False) -> str:
    """``Marseille 13e (13)``, ``Var (83)`` (no commune), ``Bruxelles BE``, ``remote``:
    short, for a column or a line. ``named`` (a digest's line): the department or country by
    its name, ``Marseille 13e (Bouches-du-Rhône)``, ``Var, Provence-Alpes-Côte d'Azur``,
    ``Bruxelles (Belgique)``."""
    # "Marseille 13e Arrondissement" → "Marseille 13e": the column is narrow
    city = (listing.city or "").replace(" Arrondissement", "")
    if named and listing.department:
        department = department_name(listing.department) or listing.department
        if city and department != city and not city.startswith(f"{department} "):
            return f"{city} ({department})"
        if city:  # Paris, Paris 16e: in Paris
            return city
        return ", ".join(p for p in (department, region_name(listing.region)) if p)
    if named and listing.country and listing.country != "FR":
        country = country_name(listing.country)
        return f"{city} ({country})" if city else country
    parts = [city or (department_name(listing.department) or "")]
    if listing.department:
        parts.append(f"({listing.department})")
    elif listing.country and listing.country != "FR":
        parts.append(listing.country)
    elif not city and listing.region:
        parts.append(region_name(listing.region) or "")
    elif listing.remote and not city:
        parts.append(_("remote"))
    return " ".join(p for p in parts if p) or place_as_given(listing)


def place_as_given(listing: object) -> str:
    """The source's own words for a place that could not be read (``Köln``: a city abroad
    whose country the source does not say; ``Europe``): shown rather than nothing."""
    details = getattr(listing, "details", None)
    given = details.get("location_text") if isinstance(details, dict) else None
    return given if isinstance(given, str) else ""


def cpv_labels(codes: Sequence[str] | None, lang: str | None = None) -> list[str]:
    """CPV codes as people read them, in the reader's language (``lang``: ``fr``/``en``):
    ``45310000 Travaux d'installation électrique``; an unknown code stays as it is."""
    from aggregator.normalize.cpv import with_label

    lang = lang or language()
    return [with_label(code, lang) for code in codes or ()]


def descriptor_texts(details: dict | None) -> list[str]:
    """A source's own keywords kept in a listing's details: ``365 Voirie`` (the label alone
    when the source gave no code)."""
    texts = []
    for entry in (details or {}).get("descriptors") or ():
        if isinstance(entry, dict):
            texts.append(" ".join(str(v) for v in (entry.get("code"), entry.get("label")) if v))
        elif entry:
            texts.append(str(entry))  # stored before descriptors had codes
    return texts


def source_files(details: dict | None) -> list[str]:
    """The files a listing was read from (an award met in a buyer's DECP file and in a
    consolidated one names both)."""
    extra = (details or {}).get("extra")
    files = extra.get("files") if isinstance(extra, dict) else None
    return [str(f) for f in files] if isinstance(files, list) else []


def place_in_full(listing: ShownListing, postal_code: str | None = None) -> str:
    """Where, with names, for someone reading one listing (``show``, a digest):
    ``Marseille 13e, 13013 — Bouches-du-Rhône (13), Provence-Alpes-Côte d'Azur``;
    ``Var (83), Provence-Alpes-Côte d'Azur`` when no commune is known; ``Bruxelles, 1000 —
    Belgique`` abroad."""
    commune = ", ".join(p for p in (listing.city, postal_code) if p)
    department = department_name(listing.department)
    if department:
        department = f"{department} ({listing.department})"
    elif listing.department:
        department = _("department %(code)s") % {"code": listing.department}
    area = ", ".join(p for p in (department, region_name(listing.region)) if p)
    abroad = country_name(listing.country) if listing.country != "FR" else None
    where = " — ".join(p for p in (commune, area, abroad) if p)
    if listing.remote:
        where = (_("%(place)s (remote)") % {"place": where}) if where else _("remote")
    return where or place_as_given(listing)


def place_source(details: dict | None) -> str:
    """Where a listing's place was taken from when not from the notice's place of work
    (``details["place_source"]``), as a reader says it; "" otherwise."""
    from aggregator.normalize.place_source import PLACE_FROM_BUYER

    source = (details or {}).get("place_source")
    return _("the buyer's address") if source == PLACE_FROM_BUYER else (source or "")


def terms(listing: ShownListing, *, full: bool = False) -> str:
    """A job's contract, a tender's CPV codes. Short (a table column): ``cdi`` (the filter's
    ``contract:`` value), ``45310000 45311000``. ``full`` (a digest): a job's ``CDI, full
    time``; a tender's codes are :func:`cpv_lines` there."""
    if not full:
        return listing.contract_type or " ".join((listing.cpv or [])[:2])
    if listing.kind != "job":
        return ""
    contract = listing.contract_type or ""
    parts = [_(CONTRACT_LABELS.get(contract, contract)) if contract else ""]
    if listing.working_time:
        time = listing.working_time
        parts.append(_(WORKING_TIMES[time]) if time in WORKING_TIMES
                     else time.replace("_", " "))
    return ", ".join(p for p in parts if p)


def cpv_lines(listing: ShownListing) -> list[str]:
    """A tender's first CPV codes in words, one a line, and how many more: ``CPV 45310000
    Travaux d'installation électrique``, …, ``(+1)``."""
    codes = list(listing.cpv or [])
    lines = [f"CPV {text}" for text in cpv_labels(codes[:CPV_SHOWN])]
    if len(codes) > CPV_SHOWN:
        lines.append(f"(+{len(codes) - CPV_SHOWN})")
    return lines


def deadline_when(listing: ShownListing, *, short: bool = False) -> str:
    """The local deadline, without the time when the source gave only a day; ``short``: a
    two-digit year (``12/12/26 16:00``)."""
    if listing.deadline_at is None:
        return ""
    fmt = DATE_TIME if listing.deadline_time_given is not False else DATE
    return local(listing.deadline_at, fmt.replace("%Y", "%y") if short else fmt)


def countdown(listing: ShownListing, now: datetime | None = None, *,
              words: bool = False) -> str:
    """Days left to an open listing's deadline: ``14d`` (``words``: ``14 days left``),
    ``today``, or ``passed`` (not closed yet by the store); "" when there is nothing to count."""
    if listing.deadline_at is None or listing.status != "open":
        return ""
    now = now or reading_now()
    if listing.deadline_at <= now:
        return _("passed")
    left = days_left(listing.deadline_at, now) or 0
    if left == 0:
        return _("today")
    if words:
        return ngettext("%(n)d day left", "%(n)d days left", left) % {"n": left}
    # TRANSLATORS: days left in a narrow column, "14d"
    return _("%(n)dd") % {"n": left}


def deadline_text(listing: ShownListing, *, short: bool = False,
                  now: datetime | None = None) -> str:
    """The local deadline and, while open, the days left: ``12/12/2026 16:00 (14d)``;
    ``short``: ``12/12/26 16:00 14d`` (the TUI's 20-character countdown column, which leaves
    "passed" out: the date already says it)."""
    text = deadline_when(listing, short=short)
    left = countdown(listing, now)
    if short:
        return f"{text} {left}" if left and left != _("passed") else text
    return f"{text} ({left})" if left else text


def closing_soon(listing: ShownListing, now: datetime | None = None) -> bool:
    """Open, its deadline still ahead and at most ``CLOSING_SOON_DAYS`` local days away
    (what ``deadline<7d`` matches)."""
    now = now or reading_now()
    deadline = listing.deadline_at
    return (listing.status == "open" and deadline is not None and deadline > now
            and (days_left(deadline, now) or 0) <= CLOSING_SOON_DAYS)


def winners(suppliers: Sequence[dict[str, str | None]] | None, *, ids: bool = False,
            sep: str = ", ") -> str:
    """An award's suppliers by name (their identifier when the name is missing); ``ids``:
    each name with its identifier, ``TRABET SAS (81153701800020)``, what `supplier` takes."""
    def named(supplier: dict[str, str | None]) -> str:
        name, ident = supplier.get("name"), supplier.get("id")
        if ids and name and ident and ident != name:
            return f"{name} ({ident})"
        return name or ident or "?"

    return sep.join(named(s) for s in suppliers or ())


def duration_text(seconds: float | None) -> str:
    """A run's length, short: ``1,7s`` (decimals as the language writes them), ``1m35s``,
    ``1h02m``."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{number(round(seconds, 1))}s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def _currency(code: str | None) -> str:
    return "€" if code == "EUR" else code or ""


def money(value: float, currency: str | None) -> str:
    """An amount as the language writes it, cents only where there are some: ``1 800 €``,
    ``11,65 €``, ``95 000 USD``."""
    return f"{number(round(value, 2))} {_currency(currency)}".strip()


class Pay(Protocol):
    """A job's salary columns (the stored row is one)."""

    @property
    def salary_min(self) -> float | None: ...
    @property
    def salary_max(self) -> float | None: ...
    @property
    def salary_currency(self) -> str | None: ...
    @property
    def salary_period(self) -> str | None: ...
    @property
    def salary_basis(self) -> str | None: ...


def salary_text(listing: Pay) -> str:
    """A job's pay as a person reads it: ``1 800–2 200 € brut par mois``, one figure when the
    source gave the same twice; empty when it gave none."""
    bounds = list(dict.fromkeys(v for v in (listing.salary_min, listing.salary_max) if v))
    if not bounds:
        return ""
    basis, period = listing.salary_basis, listing.salary_period
    return " ".join(part for part in (
        "–".join(number(round(v, 2)) for v in bounds), _currency(listing.salary_currency),
        _(SALARY_BASES[basis]) if basis in SALARY_BASES else basis or "",
        _(SALARY_PERIODS[period]) if period in SALARY_PERIODS else period or "") if part)


def amount_text(amount: float | None) -> str:
    """An award's amount in whole euros: ``80 000 €``."""
    return "" if amount is None else money(round(amount), "EUR")


class PastAward(Protocol):
    awarded_at: datetime | None
    amount: float | None
    suppliers: list[dict[str, str | None]] | None


def buyer_before_line(awards: Sequence[PastAward]) -> str:
    """"This buyer before" in one line: its latest award of the kind, and how many more."""
    if not awards:
        return ""
    latest = awards[0]
    line = " · ".join(part for part in (
        local(latest.awarded_at, "%d/%m/%Y") if latest.awarded_at else "",
        winners(latest.suppliers), amount_text(latest.amount)) if part)
    more = len(awards) - 1
    return line + (f" (+{more})" if more else "")
