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
from pathlib import Path

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_ENV = "AGGREGATOR_LANGUAGE"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "aggregator"

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


def _catalogue() -> _gettext.NullTranslations:
    if _translation is None:
        set_language(None)
    assert _translation is not None
    return _translation


def _(message: str) -> str:
    """``message`` in the reader's language."""
    return _catalogue().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things (``"%(n)d new offer"``), in the reader's
    language; French counts 0 and 1 as singular."""
    return _catalogue().ngettext(singular, plural, n)
