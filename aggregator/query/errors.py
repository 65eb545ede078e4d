"""What the filter language says when it cannot read something."""

from __future__ import annotations


class FilterError(ValueError):
    """A filter that cannot be read or run; the message names the problem."""


class BadValue(FilterError):
    """A value a key (or a command-line option) cannot take.

    ``value`` is the value as given, ``expected`` the forms it takes ("expected job or
    tender"): the text form says ``bad kind 'boat': expected job or tender``, the command
    line ``--kind 'boat': expected job or tender``.
    """

    def __init__(self, value: str, expected: str, problem: str = "bad value") -> None:
        self.value, self.expected, self.problem = value, expected, problem
        super().__init__(f"{problem} {value!r}: {expected}")
