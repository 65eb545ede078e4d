"""The language people read: French by default, English on request.

Messages are written in English in the code and wrapped in ``_()`` (or ``ngettext()`` for a
count); the French catalogue in ``aggregator/locale`` translates them (Babel extracts and
compiles it, see docs/contributing.md). The language is chosen once per process:
``AGGREGATOR_LANGUAGE``, else ``[ui] language`` in the configuration (passed to
:func:`set_language`), else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) when it names
English or French, else French.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_ENV = "AGGREGATOR_LANGUAGE"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "aggregator"
# Typer translates the words of its help ("default:", "required") through the standard
# library's global gettext; this catalogue holds them.
TYPER_DOMAIN = "typer"
# Babel's locale for each language: dates and numbers as people there write them.
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

_translation: _gettext.NullTranslations | None = None
_language: str | None = None


def _from_locale() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        code = value.split(".")[0].split("_")[0].lower()
        if code in LANGUAGES:
            return code
        if value and code not in ("c", "posix", ""):
            return None  # another language: the default applies
    return None


def language() -> str:
    """The language messages are shown in (``fr`` or ``en``)."""
    if _language is None:
        set_language(None)
    assert _language is not None
    return _language


def set_language(configured: str | None) -> str:
    """Choose the language: the environment, else ``configured``, else the locale, else
    French. Returns it."""
    global _language, _translation
    wanted = (os.environ.get(LANGUAGE_ENV) or configured or _from_locale()
              or DEFAULT_LANGUAGE).strip().lower()[:2]
    _language = wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE
    _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language],
                                        fallback=True)
    return _language


def configured_language(config_file: Path | None) -> str | None:
    """``[ui] language`` of a configuration file, read before anything else so that even
    ``--help`` speaks it; None when absent or unreadable (the file's own errors are reported
    by the command that loads it)."""
    if config_file is None:
        return None
    try:
        with config_file.open("rb") as handle:
            value = tomllib.load(handle).get("ui", {}).get("language")
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def translate_typer() -> None:
    """Make Typer's own words follow the chosen language (for the ``aggregator`` process: it
    sets the global gettext domain and ``LANGUAGE``)."""
    _gettext.bindtextdomain(TYPER_DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(TYPER_DOMAIN)
    os.environ["LANGUAGE"] = language()


def _catalogue() -> _gettext.NullTranslations:
    if _translation is None:
        set_language(None)
    assert _translation is not None
    return _translation


def _(message: str) -> str:
    """``message`` in the reader's language."""
    return _catalogue().gettext(message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue where it is defined (a table at import time);
    it is translated with ``_()`` where it is shown."""
    return message


def pgettext(context: str, message: str) -> str:
    """``message`` in the reader's language, where a word alone is ambiguous: ``context``
    says which sense is meant (``pgettext("listing status", "open")`` is "ouverte", not the
    "ouverts" of a count)."""
    return _catalogue().pgettext(context, message)


# The attribute of a log record holding its line in the reader's language (the log stays
# English): the console of `schedule` and `worker` shows that line instead
# (aggregator/scheduling/logs.py).
READER = "for_reader"


def for_reader(message: str) -> dict[str, str]:
    """``extra=`` of a log call whose console line is ``message``, already in the reader's
    language (the log file keeps the English one)."""
    return {READER: message}


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things (``"%(n)d new offer"``), in the reader's
    language; French counts 0 and 1 as singular."""
    return _catalogue().ngettext(singular, plural, n)


class WrittenForms:
    """English messages of fixed forms with variable parts (Click's errors, a crawl's
    notes), each form a regular expression matched whole with named groups, and its
    message (N_) taking those groups: :meth:`say` gives a text in the reader's language, as
    it is when no form matches. ``parts`` translates a group's value too."""

    def __init__(self, written: Iterable[tuple[str, str]], *, flags: int = 0,
                 parts: Mapping[str, Callable[[str], str]] | None = None) -> None:
        self._forms = [(re.compile(form, flags), message) for form, message in written]
        self._parts = parts or {}

    def say(self, text: str) -> str:
        for pattern, message in self._forms:
            match = pattern.fullmatch(text)
            if match:
                return _(message) % {name: self._parts.get(name, str)(value or "")
                                     for name, value in match.groupdict().items()}
        return text


def long_date(day: date) -> str:
    """A day written out: ``vendredi 4 décembre 2026``, ``Friday, 4 December 2026``."""
    from babel.dates import format_date  # Babel's locale data loads only when needed

    return format_date(day, format="full", locale=BABEL_LOCALES[language()])


# Digit grouping of whole numbers, as Babel's locales write it (a narrow no-break space in
# French): counts need no Babel, whose import costs ~100 ms of a command's start.
_THOUSANDS = {"fr": "\u202f", "en": ","}


def number(value: int | float) -> str:
    """A number as the language writes it: ``12 345`` in French, ``12,345`` in English."""
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}".replace(",", _THOUSANDS[language()])
    from babel.numbers import format_decimal  # decimals: Babel's rounding and separators

    return format_decimal(value, locale=BABEL_LOCALES[language()])
