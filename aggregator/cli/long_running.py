"""What the long-running commands (`schedule`, `worker`) share: their ``-v`` option, their
``-s`` settings read as `crawl` reads them, and their log, started before they run."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from aggregator.cli import UserError
from aggregator.i18n import _

Verbose = Annotated[bool, typer.Option(
    "-v", "--verbose", help=_("Also show the informational log on the console (without it: "
                              "warnings and errors only; the log file has everything)."))]


def read_set_options(values: list[str] | None) -> dict[str, str]:
    """The ``-s NAME=VALUE`` options, checked (aggregator.crawling.overrides); a bad one is
    refused in one line."""
    from aggregator.crawling.overrides import read_settings

    try:
        return read_settings(values or [])
    except ValueError as exc:
        raise UserError(str(exc)) from None


def start_log(path: Path, *, verbose: bool, level: int | str = logging.INFO) -> None:
    """Log to ``path`` (and warnings to the console, everything with ``verbose``), and say
    where."""
    from aggregator.scheduling.logs import configure_logging
    from aggregator.terminal.console import err_console

    configure_logging(path, verbose=verbose, level=level)
    err_console.print(_("Logging to %(path)s") % {"path": path})
