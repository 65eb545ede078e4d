"""A crawl process dies with the process that started it.

`aggregator crawl` and the scheduler start one child per source in its own session (so that
a Ctrl-C in the terminal reaches only the parent, which stops them cleanly). If the parent
itself is killed, its children must not crawl on unsupervised, holding locks for a dead
owner: on Linux the kernel sends them SIGTERM when the parent dies (``PR_SET_PDEATHSIG``);
elsewhere a thread notices the parent is gone. SIGTERM lets Scrapy close cleanly, keeping
what was stored and recording the run ``stopped``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Receive SIGTERM when ``parent_pid`` (the process that started this one) dies."""
    if sys.platform.startswith("linux") and _set_pdeathsig(signal.SIGTERM):
        # The parent may have died before the request was made: then it is never sent.
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)
        return
    threading.Thread(target=_watch, args=(parent_pid,), name="parent watch",
                     daemon=True).start()


def _set_pdeathsig(sig: int) -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    stop = threading.Event()
    while not stop.wait(POLL_SECONDS):
        if os.getppid() != parent_pid:  # reparented: the parent is gone
            os.kill(os.getpid(), signal.SIGTERM)
            return
