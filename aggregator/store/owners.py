"""Who owns a running crawl or a lock, and whether that owner is still alive.

An owner is a process: its host, its pid and its start time (a pid alone is reused by the
system). On this host an owner is dead as soon as no process has that pid and start time
(SIGKILL, a crash): no waiting for a lease. On another host (several machines sharing one
PostgreSQL store) it is dead when its heartbeat is older than ``STALE_AFTER``.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

HEARTBEAT_SECONDS = 15.0  # how often a live owner says so
STALE_AFTER = timedelta(minutes=2)  # an owner elsewhere silent this long is dead
_START_TOLERANCE = 1.0  # seconds: start times read twice may differ by rounding


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    started: float | None  # the process's start time (epoch seconds)

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


def process_started(pid: int) -> float | None:
    """When process ``pid`` of this host started (epoch seconds), None when there is none."""
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:  # dead, not yet reaped by its parent
            return None
        return process.create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.Error:  # not ours to inspect: it exists
        return 0.0


def this_process() -> Owner:
    """The owner that this process is."""
    return _owner(os.getpid())


@cache
def _owner(pid: int) -> Owner:  # by pid: a forked child is another owner
    return Owner(socket.gethostname(), pid, process_started(pid))


def this_host() -> str:
    return socket.gethostname()


def is_alive(host: str | None, pid: int | None, started: float | None,
             heartbeat_at: datetime | None, *, now: datetime | None = None,
             stale_after: timedelta = STALE_AFTER) -> bool:
    """Whether the owner (host, pid, start time) still runs; an owner elsewhere is judged by
    its heartbeat, one with no pid (distributed workers share a run) is never judged dead."""
    if pid is None:
        return True
    if host == this_host():
        actual = process_started(pid)
        if actual is None:
            return False
        return started is None or actual == 0.0 or abs(actual - started) < _START_TOLERANCE
    if heartbeat_at is None:
        return True  # an owner from before heartbeats: its lease decides
    return (now or datetime.now(UTC)) - heartbeat_at < stale_after
