"""A crawl process dies with the process that started it.

`aggregator crawl` and the scheduler start one child per source in its own session (so that
a Ctrl-C in the terminal reaches only the parent, which stops them cleanly). If the parent
itself is killed, its children must not crawl on unsupervised, holding locks for a dead
owner: on Linux the kernel signals them when the parent dies (``PR_SET_PDEATHSIG``);
elsewhere a thread notices the parent is gone. Either way the child sends itself one SIGTERM,
which lets Scrapy close cleanly, keeping what was stored and recording the run ``stopped``.

The kernel's signal is SIGHUP, not SIGTERM: it comes again each time the orphan passes from
one dying thread of its parent to the next, and a second SIGTERM would make Scrapy stop
uncleanly. SIGHUP is turned into a single SIGTERM here.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 1.0
_told = threading.Event()  # the one SIGTERM has been sent


def die_with_parent(parent_pid: int) -> None:
    """Stop (one SIGTERM to itself) when ``parent_pid``, the process that started this one,
    dies. Call it from the main thread, early."""
    if sys.platform.startswith("linux"):
        signal.signal(signal.SIGHUP, _parent_died)
        if _set_pdeathsig(signal.SIGHUP):
            # The parent may have died before the request was made: then it is never sent.
            if os.getppid() != parent_pid:
                _parent_died()
            return
    threading.Thread(target=_watch, args=(parent_pid,), name="parent watch",
                     daemon=True).start()


def _parent_died(*_: object) -> None:
    if not _told.is_set():
        _told.set()
        os.kill(os.getpid(), signal.SIGTERM)


def _set_pdeathsig(sig: int) -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while not _told.wait(POLL_SECONDS):
        if os.getppid() != parent_pid:  # reparented: the parent is gone
            _parent_died()
