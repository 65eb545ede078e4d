"""`--as-of DATE` of the reading commands (search, list, show, export, tui).

Open/closed, "closing within" and days left are judged at one instant: the one given
(``search --as-of 2026-09-01``: what was open on 1 September), else the instant the store's
recorded listings were recorded, when it holds a replay (aggregator/store/state.py), else
now. A recorded store says so on the first line, with its date.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aggregator.cli import UserError
from aggregator.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Engine

AS_OF_HELP = _("Read the listings as they stood then: a day (YYYY-MM-DD, at its end), a "
               "local time (YYYY-MM-DDTHH:MM) or an ISO instant. Default: now, or the date of "
               "the recorded listings when the store holds a replay.")


def reading_instant(engine: Engine, given: str | None) -> tuple[datetime | None, str | None]:
    """(the instant to read at — None: now —, the line that says so, if any). Sets it for
    days left and closing soon in this process (aggregator.presentation.read_as_of)."""
    from aggregator.config import LOCAL_TZ
    from aggregator.i18n import long_date
    from aggregator.presentation import DATE_TIME, local, read_as_of
    from aggregator.query import BadValue
    from aggregator.query import read_as_of as parse_as_of
    from aggregator.store.state import recorded_as_of

    note = None
    if given is not None:
        try:
            instant: datetime | None = parse_as_of(given)
        except BadValue as exc:
            raise UserError(_("--as-of %(value)s: %(expected)s") % {
                "value": repr(given), "expected": exc.expected}) from None
        assert instant is not None
        note = _("As of %(when)s: open, closed and days left are judged then.") % {
            "when": local(instant, DATE_TIME)}
    else:
        instant = recorded_as_of(engine)
        if instant is not None:
            note = _("Recorded listings (a replay, no network), as of %(day)s: open, closed "
                     "and days left are judged on that day. A crawl with a network brings "
                     "today's; --as-of picks another day.") % {
                         "day": long_date(instant.astimezone(LOCAL_TZ).date())}
    read_as_of(instant)
    return instant, note
