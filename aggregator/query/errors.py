"""What the filter language says when it cannot read something."""

from __future__ import annotations

from aggregator.i18n import N_, _


class FilterError(ValueError):
    """A filter that cannot be read or run; the message names the problem."""


class BadValue(FilterError):
    """A value a key (or a command-line option) cannot take.

    ``value`` is the value as given, ``expected`` the forms it takes ("expected job or
    tender"): the text form says ``bad kind 'boat': expected job or tender``, the command
    line ``--kind 'boat': expected job or tender``.
    """

    def __init__(self, value: str, expected: str, problem: str = N_("bad value")) -> None:
        self.value, self.expected, self.problem = value, _(expected), _(problem)
        # problem and expected may be N_() marked constants: translated here, when shown
        super().__init__(_("%(problem)s %(value)r: %(expected)s") % {
            "problem": _(problem), "value": value, "expected": _(expected)})
