"""A crawl run's note in the reader's language.

The crawl machinery stores its notes (``CrawlRun.error_summary``) in English and language
neutral: ``stopped: shutdown``, ``network unreachable: connection refused (example.org)``...
Stores written before keep them as they are, and the same store is read in French and in
English, so the note is translated where it is shown: `aggregator runs`, the crawl summary,
`aggregator sources` (health), the TUI's status bar. This module knows every fixed form
the machinery writes (aggregator.crawling.outcome, .runner, .launch, aggregator.store.runs,
aggregator.scheduling.service) with its variable part; text of any other form (an error
line of a crawl's log, an older note) is shown as it is.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable

from aggregator.i18n import N_, WrittenForms, _

# Scrapy's close reasons a note names (``stopped: REASON``); others are shown as they are.
CLOSE_REASONS = {
    "shutdown": N_("shutdown"),  # aggregator.crawling.outcome.STOP_REASON
    "closespider_timeout": N_("time limit reached"),
    "closespider_errorcount": N_("too many errors"),
    "closespider_itemcount": N_("item limit reached"),
    "closespider_pagecount": N_("page limit reached"),
    "cancelled": N_("cancelled"),
}
# What a network failure is called (the values of aggregator.crawling.outcome.NETWORK_ERRORS)
NETWORK_PROBLEMS = {
    "DNS lookup failed": N_("DNS lookup failed"),
    "connection refused": N_("connection refused"),
    "connection timed out": N_("connection timed out"),
    "no route to host": N_("no route to host"),
    "could not connect": N_("could not connect"),
    "connection lost": N_("connection lost"),
    "no network": N_("no network"),
}
WHY_NOT_STARTED = {"see the crawl's log": N_("see the crawl's log")}


def _known(table: dict[str, str]) -> Callable[[str], str]:
    return lambda value: _(table[value]) if value in table else value


def _problems(value: str) -> str:
    return ", ".join(_known(NETWORK_PROBLEMS)(part) for part in value.split(", "))


def _names(value: str) -> str:
    """``A and B`` (the variables a note names) → ``A et B``."""
    return _(" and ").join(value.split(" and "))


def network_problem(exc: BaseException) -> str | None:
    """The NETWORK_PROBLEMS name of the usual failures to reach a server (no such host,
    refused, no answer, cut), None for another exception."""
    if isinstance(exc, socket.gaierror):
        return "DNS lookup failed"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):  # socket.timeout too
        return "connection timed out"
    if isinstance(exc, ConnectionResetError):
        return "connection lost"
    return None


# redis-py's words for the usual failures to connect, as NETWORK_PROBLEMS names them
_REDIS_REASONS = {"Connection refused.": "connection refused",
                  "Name or service not known.": "DNS lookup failed",
                  "Temporary failure in name resolution.": "DNS lookup failed",
                  "No route to host.": "no route to host"}
_REDIS_ERROR = re.compile(r"Error -?\d+ connecting to (?P<where>\S+?)\. (?P<why>.+)")


def redis_error(text: str) -> str:
    """redis-py's ``Error 111 connecting to host:6379. Connection refused.`` as
    ``host:6379: connection refused`` in the reader's language (another text as it is)."""
    match = _REDIS_ERROR.fullmatch(text)
    if match is None or match["why"] not in _REDIS_REASONS:
        return text
    return _("%(server)s: %(problem)s") % {
        "server": match["where"], "problem": _(NETWORK_PROBLEMS[_REDIS_REASONS[match["why"]]])}


def problem_text(exc: BaseException) -> str:
    """Why a call to a server (Redis, the store) failed, in the reader's language: a usual
    network failure by its name, Redis's with the server (``127.0.0.1:1: connection
    refused``), another error's first line."""
    named = network_problem(exc)
    if named is not None:
        return _(NETWORK_PROBLEMS[named])
    text = str(exc).strip()
    return redis_error(text.splitlines()[0]) if text else type(exc).__name__


# the variable parts that are words of the machinery too
_PARTS: dict[str, Callable[[str], str]] = {
    "reason": _known(CLOSE_REASONS), "problems": _problems, "why": _known(WHY_NOT_STARTED),
    "names": _names, "error": redis_error}  # the others' errors are left as they are

# Each form as the code writes it (a regular expression, matched whole) and its message;
# the named groups are the message's placeholders. First match wins.
_WRITTEN = (
    # aggregator.scheduling.service: a crawl the scheduler's shutdown stopped
    (r"stopped: the scheduler was shutting down",
     N_("stopped: the scheduler was shutting down")),
    # aggregator.crawling.outcome.judge_crawl
    (r"stopped: (?P<reason>\S+)", N_("stopped: %(reason)s")),
    (r"stopped: (?P<reason>\S+) — (?P<error>.+)", N_("stopped: %(reason)s — %(error)s")),
    # TRANSLATORS: %(hosts)s is empty or the hosts in brackets, " (example.org)"
    (r"network unreachable: (?P<problems>[^()]+?)(?P<hosts> \([^()]*\))?",
     N_("network unreachable: %(problems)s%(hosts)s")),
    (r"no listing: (?P<problems>.+)", N_("no listing: %(problems)s")),
    (r"errors and no listing", N_("errors and no listing")),
    # aggregator.crawling.runner: a child stopped, killed or crashed
    (r"stopped after the time limit of (?P<seconds>\d+) s",
     N_("stopped after the time limit of %(seconds)s s")),
    (r"stopped before the crawl could close its run",
     N_("stopped before the crawl could close its run")),
    (r"the crawl process was killed \((?P<signal>\w+)\)",
     N_("the crawl process was killed (%(signal)s)")),
    (r"the crawl process exited with (?P<code>-?\d+)",
     N_("the crawl process exited with %(code)s")),
    # aggregator.crawling.launch
    (r"the crawl could not start — (?P<why>.+)", N_("the crawl could not start — %(why)s")),
    # aggregator.store.runs.close_dead_runs
    (r"its process (?P<process>\S+) ended without closing it \(killed\?\)",
     N_("its process %(process)s ended without closing it (killed?)")),
    # aggregator.scheduling.service: [distributed] enabled, Redis unreachable
    (r"cannot reach Redis: (?P<error>.+)", N_("cannot reach Redis: %(error)s")),
    # why a source cannot run as configured (its spider's configuration_problem, stored as
    # an unconfigured run's note and shown by the health of `aggregator sources`)
    (r"no boards configured: add some with `aggregator sources add (?P<source>\S+) BOARD` or "
     r"in aggregator\.toml",
     N_("no boards configured: add some with `aggregator sources add %(source)s BOARD` or in "
        "aggregator.toml")),
    (r"board (?P<board>'.*'): (?P<error>.+)", N_("board %(board)s: %(error)s")),
    (r"no career sites configured \(\[sources\.jobposting\] sites, or -a urls=\.\.\.\)",
     N_("no career sites configured ([sources.jobposting] sites, or -a urls=...)")),
    # stored by decp before it read the national dataset without files
    (r"no DECP files given \(\[sources\.decp\] urls, or -a urls=\.\.\.\)",
     N_("no DECP files given ([sources.decp] urls, or -a urls=...)")),
    (r"(?P<names>[A-Z_]+(?: and [A-Z_]+)*) not set \(France Travail API credentials, from "
     r"francetravail\.io\)",
     N_("%(names)s not set (France Travail API credentials, from francetravail.io)")),
    (r"(?P<names>[A-Z_]+(?: and [A-Z_]+)*) not set \(the API client of the career site, from "
     r"its Talentsoft administrator\)",
     N_("%(names)s not set (the API client of the career site, from its Talentsoft "
        "administrator)")),
)
_FORMS = WrittenForms(_WRITTEN, parts=_PARTS)


def run_note(line: str) -> str:
    """One line of a run's note in the reader's language (a form the code does not write:
    as it is)."""
    return _FORMS.say(line)


def note_line(summary: str | None) -> str:
    """The first line of a run's note (``error_summary``), in the reader's language; ""
    when there is none."""
    lines = (summary or "").strip().splitlines()
    return run_note(lines[0].strip()) if lines else ""
