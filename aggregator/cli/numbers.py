"""Numbers typed on the command line (``--limit``, ``--offset``, ``--jobs``, ``--timeout``,
``show ID``): a bad one is refused in one line naming what was typed and what is expected, in
the reader's language, instead of Typer's usage block."""

from __future__ import annotations

from collections.abc import Callable

from aggregator.cli import UserError
from aggregator.i18n import _
from aggregator.i18n import number as format_number  # `number` names the value parsed


def whole_number(name: str, least: int = 0, most: int | None = None) -> Callable[[str], int]:
    """A Typer ``parser`` for option or argument ``name`` (``--limit``, ``ID``): the number
    typed, between ``least`` and ``most``; UserError otherwise."""

    def parse(value: str | int) -> int:
        if isinstance(value, int):  # the option's default, already a number
            return value
        text = value.strip()
        number = int(text) if text.lstrip("-").isdigit() and text.count("-") <= 1 else None
        if number is None or number < least or (most is not None and number > most):
            expected = (_("a whole number from %(least)d to %(most)d")
                        % {"least": least, "most": most} if most is not None
                        else _("a whole number of at least %(least)d") % {"least": least})
            raise UserError(_("%(name)s %(value)r: expected %(expected)s")
                            % {"name": name, "value": value, "expected": expected})
        return number

    parse.__name__ = "N"  # what Typer would show as the metavar
    return parse


def decimal_number(name: str, least: float, most: float) -> Callable[[str], float]:
    """As :func:`whole_number`, for a number that may have decimals (``0.5``, ``0,5``)."""

    def parse(value: str | float) -> float:
        if isinstance(value, int | float):  # the option's default
            return float(value)
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
        if number is None or not least <= number <= most:
            raise UserError(_("%(name)s %(value)r: expected %(expected)s") % {
                "name": name, "value": value,
                "expected": _("a number from %(least)s to %(most)s") % {
                    "least": format_number(least), "most": format_number(most)}})
        return number

    parse.__name__ = "N"
    return parse
