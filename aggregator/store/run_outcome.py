"""How a crawl run ended, and what each ending means to the rest of the program.

The one place that knows, for each outcome, whether the run says something about the source
(its health verdict), whether it settles the source's scheduled slot, whether it makes
`aggregator crawl` exit with 1, and whether the crawl read the source through. Source health,
the scheduler and the crawl command ask the outcome; none of them lists outcomes itself. A
new outcome is one line of the table below.

(Its own module, not ``runs.py``: the ``crawl_runs`` model types its column with it, and
``runs.py`` imports the models.)
"""

from __future__ import annotations

from enum import StrEnum


class RunOutcome(StrEnum):
    judges_source: bool  # says something about the source: counts for its health verdict
    settles_slot: bool  # the scheduler's slot it started in is done (not crawled again)
    fails_command: bool  # `aggregator crawl` / `schedule --once` exit with status 1
    read_source: bool  # the crawl read the source through: its item count is what it had

    #                                judges  settles  fails  read
    RUNNING = "running",             False,  False,   False, False
    OK = "ok",                       True,   True,    False, True
    PARTIAL = "partial",             True,   True,    False, True  # read, with errors
    FAILED = "failed",               True,   True,    True,  False
    TIMEOUT = "timeout",             True,   True,    True,  False  # stopped at the time limit
    UNCONFIGURED = "unconfigured",   True,   True,    False, False  # cannot run as configured
    OFFLINE = "offline",             False,  False,   True,  False  # this machine had no network
    # stopped from outside (SIGTERM, Ctrl-C, a scheduler shutdown): says nothing of the source
    STOPPED = "stopped",             False,  False,   True,  False
    # its process died without closing it (SIGKILL, power loss): aggregator.store.owners
    INTERRUPTED = "interrupted",     False,  False,   True,  False

    def __new__(cls, value: str, judges_source: bool, settles_slot: bool,
                fails_command: bool, read_source: bool) -> RunOutcome:
        member = str.__new__(cls, value)
        member._value_ = value
        member.judges_source = judges_source
        member.settles_slot = settles_slot
        member.fails_command = fails_command
        member.read_source = read_source
        return member
