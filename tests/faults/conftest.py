"""The fault-injection suite: crawls killed at several moments, signals, no network.

Each test drives the real `aggregator` command in subprocesses against local servers and
adds what it did and found to ``TALLY``; the numbers are printed at the end of the run (kills
sent, listings stored, duplicates found, runs left ``running``) so a regression shows up as a
number, not only as a failure.
"""

from __future__ import annotations

from collections import Counter

import pytest

TALLY: Counter[str] = Counter()
LABELS = {
    "kills": "kills (SIGKILL)",
    "terms": "stops (SIGTERM/SIGINT)",
    "listings": "listings stored",
    "duplicates": "duplicates",
    "open_runs": "runs left running",
}


@pytest.fixture
def tally() -> Counter[str]:
    return TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    terminalreporter.section("fault injection")
    terminalreporter.write_line(", ".join(f"{label}: {TALLY[key]}"
                                          for key, label in LABELS.items()))
