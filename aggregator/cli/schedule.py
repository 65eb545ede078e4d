"""`aggregator schedule`: the daily refresh, as a long-running process or one pass (--once).

The scheduling rules (triggers, catch-up, locks, post-crawl steps, stopping) are described
in aggregator/scheduling/service.py.
"""

from __future__ import annotations

import signal
from typing import Annotated, Any

import typer

from aggregator.cli import app
from aggregator.cli.long_running import Verbose, read_set_options, start_log
from aggregator.i18n import _
from aggregator.terminal.console import console, err_console


@app.command(help=_("Crawl every enabled source on its schedule ([schedule] and "
            "[sources.NAME] schedule); stops cleanly on SIGTERM or Ctrl-C."))
def schedule(
    once: Annotated[bool, typer.Option(
        "--once", help=_("Crawl every source due now (not crawled since its latest scheduled "
        "time), run the post-crawl steps and exit — for cron or a systemd timer."))] = False,
    setting: Annotated[list[str] | None, typer.Option(
        "-s", "--set", help=_("Scrapy setting NAME=VALUE for every crawl, e.g. "
        "-s BOAMP_API_URL=http://..."))] = None,
    verbose: Verbose = False,
) -> None:
    from aggregator.config import load_config
    from aggregator.scheduling.logs import log_file_path
    from aggregator.scheduling.service import Scheduler

    settings = read_set_options(setting)
    config = load_config()
    start_log(log_file_path(config), verbose=verbose)
    service = Scheduler(config, settings=settings)
    if not once:
        raise typer.Exit(service.serve())

    def on_signal(signum: int, _frame: Any) -> None:
        err_console.print(_("%(signal)s: stopping the running crawls")
                          % {"signal": signal.Signals(signum).name})
        service.stop_crawls.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    run_ids = service.run_once()
    from aggregator.cli.crawl import summary_table
    from aggregator.store.runs import get_run

    runs = [run for run_id in run_ids.values() if (run := get_run(service.engine, run_id))]
    if runs:
        console.print(summary_table(runs))
    else:
        console.print(_("Nothing was due."))
    if service.stop_crawls.is_set():
        raise typer.Exit(0)
    if any(run.outcome.fails_command for run in runs):
        raise typer.Exit(1)
