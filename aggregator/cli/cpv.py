"""`aggregator cpv`: the CPV codes a trade's words name, or one code with the codes above and
below it, each with how many open tenders it has now.

    aggregator cpv nettoyage
    aggregator cpv school catering --lang en --json
    aggregator cpv 4531

The "open" count of a code is what ``aggregator search kind:tender cpv:<prefix>`` finds: its
prefix (``4531`` for 45310000) also covers every code below it. All counts come from one
grouped query (aggregator/query/cpv_counts.py).
"""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from aggregator.cli import UserError, app
from aggregator.cli.numbers import whole_number
from aggregator.i18n import N_, _, language, ngettext
from aggregator.terminal.console import console, safe

if TYPE_CHECKING:
    from aggregator.normalize.cpv import CpvCode, Suggestion

LANGUAGES = ("fr", "en")
# What people type for a code: digits, maybe with the check digit (45310000-3).
_CODE_LIKE = re.compile(r"\d[\d-]*")
# Sections of the suggestions table: codes whose label holds every word, broader codes
# holding them, codes whose label holds some of the words.
_GROUPS = {"exact": 0, "words": 0, "parent": 1, "some_words": 2}
_USAGE = N_("give a trade's words (aggregator cpv nettoyage) or one CPV code "
            "(aggregator cpv 4531)")
LEVELS = {"division": N_("division"), "group": N_("group"), "class": N_("class"),
          "category": N_("category"), "subcategory": N_("subcategory")}


def _code_or_words(args: list[str]) -> tuple[str | None, str]:
    """(the code typed, "") or (None, the words typed); UserError for anything else."""
    tokens = " ".join(args).split()
    if not tokens:
        raise UserError(_(_USAGE))
    codes = [t for t in tokens if _CODE_LIKE.fullmatch(t)]
    if codes and len(codes) < len(tokens):
        raise UserError(_("words and a code mixed in %(typed)r: %(usage)s")
                        % {"typed": " ".join(tokens), "usage": _(_USAGE)})
    if len(codes) > 1:
        raise UserError(_("one CPV code at a time, not %(codes)s") % {"codes": " ".join(codes)})
    return (codes[0], "") if codes else (None, " ".join(tokens))


def _record(code: CpvCode, lang: str, counts: dict[str, int]) -> dict[str, Any]:
    return {"code": code.code, "prefix": code.prefix, "level": code.level,
            "label": code.label(lang), "open_tenders": counts.get(code.prefix, 0)}


def _code_cell(code: CpvCode) -> Text:
    """The code with its prefix (what ``cpv:`` takes) in bold: 4531 0000."""
    return Text.assemble((code.prefix, "bold"), (code.code[len(code.prefix):], "dim"))


def _table(title: Text, *, level: bool = False) -> Table:
    table = Table(title=title, title_justify="left", caption_justify="left")
    if level:
        table.add_column(_("level"), no_wrap=True, style="dim")
    table.add_column(_("code"), no_wrap=True)
    table.add_column(_("label"))  # wraps between words
    table.add_column(_("open"), justify="right", no_wrap=True)
    table.caption = _("open: open tenders now with this code or one below it, as found by "
                      "kind:tender cpv:<the code's bold digits>")
    return table


def _suggestions_table(words: str, lang: str, found: list[Suggestion],
                       counts: dict[str, int]) -> Table:
    table = _table(safe(_("CPV codes for %(words)r") % {"words": words}))
    previous = None
    for suggestion in found:
        code = suggestion.code
        group = _GROUPS[suggestion.match]
        if previous is not None and group != previous:
            table.add_section()
        previous = group
        cell = safe(code.label(lang), style="bold" if suggestion.match == "exact" else "")
        if suggestion.match == "parent":
            cell.append(" · " + ngettext("%(n)d matching code below",
                                         "%(n)d matching codes below", suggestion.below)
                        % {"n": suggestion.below}, style="dim")
        table.add_row(_code_cell(code), cell, str(counts.get(code.prefix, 0)))
    return table


def _level(code: CpvCode) -> str:
    return _(LEVELS[code.level]) if code.level in LEVELS else code.level


def _code_table(code: CpvCode, lang: str, above: list[CpvCode], below: list[CpvCode],
                counts: dict[str, int]) -> Table:
    table = _table(Text(f"CPV {code.code}"), level=True)
    for parent in above:
        table.add_row(_level(parent), _code_cell(parent), safe(parent.label(lang)),
                      str(counts.get(parent.prefix, 0)))
    table.add_row(_level(code), _code_cell(code), safe(code.label(lang), style="bold"),
                  str(counts.get(code.prefix, 0)), end_section=bool(below))
    for child in below:
        table.add_row(_level(child), _code_cell(child), safe(child.label(lang)),
                      str(counts.get(child.prefix, 0)))
    return table


@app.command("cpv", help=_("CPV codes for a trade's words, or one code with its parents and "
            "children, each with how many open tenders it has now."))
def cpv(
    words: Annotated[list[str] | None, typer.Argument(
        metavar=_("WORDS"), help=_("A trade's words (nettoyage, restauration scolaire), or one "
        "CPV code or prefix (4531, 45310000)."), show_default=False)] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help=_("The labels searched and shown: fr or en (default: the language "
                         "messages are in)."))
    ] = None,
    limit: Annotated[int, typer.Option(parser=whole_number("--limit", 1, 10_000), metavar="N",
                                               help=_("How many codes to suggest."))] = 20,
    json_out: Annotated[bool, typer.Option(
        "--json", help=_("One JSON object per code (per line); with a code, one object."))
    ] = False,
) -> None:
    from aggregator.cli.as_of import reading_instant
    from aggregator.normalize import cpv as nomenclature
    from aggregator.query.cpv_counts import open_tender_counts
    from aggregator.store.engine import get_engine

    lang = lang or language()
    if lang not in LANGUAGES:
        raise UserError(_("--lang must be one of %(choices)s, not %(lang)r")
                        % {"choices": ", ".join(LANGUAGES), "lang": lang})
    typed_code, text = _code_or_words(words or [])

    if typed_code is not None:
        code = nomenclature.lookup(typed_code)
        if code is None:
            parsed = nomenclature.parse_code(typed_code)
            raise UserError(_("no CPV code %(code)s") % {"code": parsed} if parsed else
                            _("%(typed)r is no CPV code: 2 to 8 digits, e.g. 4531 or 45310000")
                            % {"typed": typed_code})
        above, below = nomenclature.parents(code.code), nomenclature.children(code.code)
        counts = open_tender_counts(get_engine(), [c.prefix for c in [*above, code, *below]],
                                    as_of=reading_instant(get_engine(), None)[0])
        if json_out:
            record = _record(code, lang, counts) | {
                "parents": [_record(c, lang, counts) for c in above],
                "children": [_record(c, lang, counts) for c in below]}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        console.print(_code_table(code, lang, above, below, counts))
        return

    found = nomenclature.suggest(text, lang, limit=limit)
    as_of = reading_instant(get_engine(), None)[0]  # a replayed store: when it was recorded
    counts = (open_tender_counts(get_engine(), [s.code.prefix for s in found], as_of=as_of)
              if found else {})
    if json_out:
        for suggestion in found:
            record = _record(suggestion.code, lang, counts) | {
                "match": suggestion.match, "matched": list(suggestion.matched),
                "below": suggestion.below}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    if not found:
        console.print(safe((_("No French CPV label holds %(words)r.") if lang == "fr" else
                            _("No English CPV label holds %(words)r.")) % {"words": text}))
        return
    console.print(_suggestions_table(text, lang, found, counts))
