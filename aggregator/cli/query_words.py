"""QUERY words on the command line: what `search`, `export`, `alerts add` and `tui` read.

The words are one compact query (aggregator/query), read by the one parser whether the shell
gave them as one argument or several: ``search 'livraison bitume'`` is ``search livraison
bitume``; a phrase is quoted inside the query: ``search '"mise en concurrence"'``.

A word starting with one dash is an exclusion (``search livraison -repas``), never an option:
an option is a word that is exactly one of the command's option names (``--kind``, ``-k``;
``--location=13`` too). A word starting with two dashes that no option has is refused, as a
mistyped option. ``--`` ends the options: every word after it belongs to the query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand

from aggregator.cli import UserError
from aggregator.i18n import _

if TYPE_CHECKING:
    from aggregator.query import Filter


def _option_names(params: list[Any]) -> dict[str, bool]:
    """Every option name of a command → whether it takes a value."""
    names: dict[str, bool] = {}
    for param in params:
        if param.param_type_name == "option":
            takes_value = not (param.is_flag or param.count)
            for name in (*param.opts, *param.secondary_opts):
                names[name] = takes_value
    return names


def separate_query_words(args: list[str], options: dict[str, bool]) -> list[str]:
    """``args`` with the options (and their values) first, then ``--`` and the other words
    in their order, so that the parser never takes a ``-word`` for an option."""
    front: list[str] = []
    words: list[str] = []
    rest = iter(args)
    for arg in rest:
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if arg == "--":
            words += rest
        elif name in options:
            front.append(arg)
            value = next(rest, None) if options[name] and "=" not in arg else None
            if value is not None:
                front.append(value)
        elif arg.startswith("--"):
            front.append(arg)  # a mistyped option: the parser says "No such option"
        else:
            words.append(arg)
    return [*front, "--", *words] if words else front


class QueryCommand(TyperCommand):
    """A command whose free words are a query: ``-word`` is an exclusion, not an option."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(
            ctx, separate_query_words(args, _option_names(self.get_params(ctx))))


def query_filter(words: list[str] | None, **paging: Any) -> Filter:
    """The filter QUERY words say (``paging``: limit, offset); a UserError naming the
    problem otherwise."""
    from aggregator.query import Filter, FilterError

    text = " ".join(words or ())
    try:
        return Filter.parse(text, **paging)
    except FilterError as exc:
        # a query of one word names it once: "invalid query 'dep:': dep needs a value"
        # (the word is followed by ": ", or " : " in French)
        error = str(exc)
        if error.startswith(repr(text)):
            error = error[len(repr(text)):].lstrip(" :")
        raise UserError(_("invalid query %(query)r: %(error)s")
                        % {"query": text, "error": error}) from None
