"""`aggregator crawl`: run spiders into the store, with live progress and a summary."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from aggregator.cli import UserError, app
from aggregator.cli.numbers import decimal_number, whole_number
from aggregator.config import LOCAL_TZ
from aggregator.i18n import N_, _, long_date, ngettext
from aggregator.presentation import duration_text, state_name
from aggregator.run_notes import note_line
from aggregator.terminal.console import OUTCOME_STYLES, console, err_console, safe
from aggregator.terminal.fit import Column, fitted_table

if TYPE_CHECKING:  # the runner (and the store it imports) loads when a crawl starts
    from aggregator.crawling.runner import CrawlProgress


# A crawl's state (aggregator.crawling.runner.CrawlState) as the reader says it
CRAWL_STATES = {"waiting": N_("waiting"), "running": N_("running"), "done": N_("done")}


def source_line(p: CrawlProgress) -> str:
    """``boamp: skipped: …``, with the reader's colon (``boamp : ignorée : …``)."""
    return _("%(label)s:") % {"label": p.source} + " " + progress_state(p)


def progress_state(p: CrawlProgress) -> str:
    """Where a crawl is, in the reader's language; a skipped one says why."""
    if p.skip is not None:
        return p.skip.text(_)
    return _(CRAWL_STATES[p.state]) if p.state in CRAWL_STATES else str(p.state)


def _progress_table(progress: dict) -> Table:
    table = Table(title=_("Crawling"), title_justify="left", expand=False)
    for column in (_("source"), _("state")):
        table.add_column(column)
    for column in (_("requests"), _("items"), _("dropped"), _("time")):
        table.add_column(column, justify="right")
    for p in progress.values():
        elapsed = f"{time.monotonic() - p.started:.0f}s" if p.started else ""
        table.add_row(p.source, progress_state(p), str(p.requests), str(p.items),
                      str(p.dropped), elapsed)
    return table


# Left out in this order when the summary is wider than the terminal, each with the width
# below which it goes anyway; the source, its outcome, new items, drops and errors stay.
_SUMMARY_OPTIONAL = (("same", 120), ("changed", 110), ("time", 0), ("note", 0))


def summary_table(runs: list, width: int | None = None) -> RenderableType:
    from aggregator.store.run_outcome import RunOutcome

    right = {"justify": "right"}
    columns = [Column("source", _("source")), Column("outcome", _("outcome")),
               *(Column(name, heading, right) for name, heading in (
                   ("new", _("new")), ("changed", _("changed")), ("same", _("same")),
                   ("dropped", _("dropped")), ("errors", _("errors")), ("time", _("time")))),
               Column("note", _("note"), {"ratio": 1}, wraps=True, least=10)]
    rows = []
    for run in runs:
        duration = run.duration_seconds
        note = note_line(run.error_summary)
        if run.outcome is RunOutcome.RUNNING and "seeded" in (run.stats or {}):
            seeded = run.stats["seeded"]
            note = ngettext("seeded %(n)d request: `aggregator worker` crawls it",
                            "seeded %(n)d requests: `aggregator worker` crawls them",
                            seeded) % {"n": seeded}
        rows.append({
            "source": Text(run.source),
            "outcome": safe(state_name(run.outcome), style=OUTCOME_STYLES.get(run.outcome, "")),
            "new": Text(str(run.items_new)), "changed": Text(str(run.items_updated)),
            "same": Text(str(run.items_unchanged)), "dropped": Text(str(run.items_dropped)),
            "errors": Text(str(run.errors)),
            "time": Text(duration_text(duration)),
            "note": safe(note)})
    table = fitted_table(columns, rows, width or console.width, _SUMMARY_OPTIONAL,
                         title=_("Crawl summary"), title_justify="left")
    if any(column.header == _("note") for column in table.columns):
        return table
    # too narrow for the notes: each under the table, on its own line, so a failure still
    # says why
    notes = [Text.assemble((f"{row['source'].plain}: ", "bold"), row["note"])
             for row in rows if row["note"].plain]
    return Group(table, *notes)


def _note_what_the_store_holds(engine, runs: list, replay: Path | None) -> None:
    """A replay that read its set makes the store's reading instant the set's recording;
    a live crawl that read a source brings the store back to the present."""
    from aggregator.crawling.replay import read_manifest, recorded_as_of
    from aggregator.store.state import set_recorded_as_of

    if not any(run.outcome.read_source for run in runs):
        return
    if replay is None:
        set_recorded_as_of(engine, None)
        return
    instant = recorded_as_of(read_manifest(replay))
    set_recorded_as_of(engine, instant)
    if instant is not None:
        console.print(_("These are recorded listings: reading commands judge them as of "
                        "%(day)s (--as-of picks another day).") % {
                            "day": long_date(instant.astimezone(LOCAL_TZ).date())})


@app.command(help=_("Run spiders into the store and print a per-source summary."))
def crawl(
    sources: Annotated[list[str] | None, typer.Argument(metavar=_("SOURCE"),
        help=_("Sources to crawl (default: every enabled source)."))] = None,
    arg: Annotated[list[str] | None, typer.Option(
        "-a", "--arg", help=_("Spider argument NAME=VALUE, e.g. -a since=2026-11-01."))] = None,
    setting: Annotated[list[str] | None, typer.Option(
        "-s", "--set", help=_("Scrapy setting NAME=VALUE, e.g. -s BOAMP_API_URL=http://..."))
    ] = None,
    replay: Annotated[Path | None, typer.Option(
        help=_("Serve the recorded responses of this replay set instead of the network."))] = None,
    record: Annotated[Path | None, typer.Option(
        help=_("Save what the crawl receives into this directory (a replay set)."))] = None,
    fallback_replay: Annotated[bool, typer.Option(
        "--fallback-replay", help=_("When the network is unreachable, replay the bundled "
        "recorded responses instead (says so)."))] = False,
    distributed: Annotated[bool, typer.Option(
        "--distributed", help=_("Seed a distributed crawl: queue the start requests in Redis "
        "for `aggregator worker` processes to crawl."))] = False,
    jobs: Annotated[int, typer.Option(parser=whole_number("--jobs", 1, 64), metavar="N",
                                      help=_("Sources crawled at the same time."))] = 4,
    timeout: Annotated[float, typer.Option(
        parser=decimal_number("--timeout", 0.1, 7 * 24 * 60), metavar="N",
        help=_("Time limit per source, in minutes."))] = 60,
) -> None:
    from aggregator.config import load_config
    from aggregator.config.sources import check_arguments
    from aggregator.crawling import registry
    from aggregator.crawling import runner as crawling
    from aggregator.crawling.options import parse_pairs
    from aggregator.crawling.overrides import read_settings
    from aggregator.crawling.replay import BUNDLED_REPLAY, network_available, read_manifest
    from aggregator.store.engine import get_engine
    from aggregator.store.runs import get_run

    if replay and record:
        raise UserError(_("--replay and --record cannot be used together"))
    if distributed and (replay or record):
        raise UserError(_("--distributed crawls the network: no --replay or --record"))
    try:
        args = parse_pairs(arg or [], "-a")
        settings = read_settings(setting or [])
    except ValueError as exc:
        raise UserError(str(exc)) from None
    # One store per command: `-s DATABASE_URL=...` is where this command locks, records and
    # reports as well as where its crawls write.
    database_url = settings.pop("DATABASE_URL", None) or None
    if fallback_replay and replay is None and record is None and not network_available():
        replay = BUNDLED_REPLAY
        console.print(_("No network: replaying the bundled recorded responses from "
                        "%(replay)s (built from real responses recorded from each source).")
                      % {"replay": replay})
    known = registry.spider_names()
    if replay is not None:
        names = list(sources or read_manifest(replay)["sources"])
    else:
        names = list(sources or registry.enabled_sources())
    names = list(dict.fromkeys(names))  # "crawl boamp boamp" is one crawl
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(_("unknown source %(unknown)s (known: %(known)s)")
                        % {"unknown": ", ".join(unknown), "known": ", ".join(known)})
    for name in names:  # before any run is recorded
        try:
            check_arguments(name, args)
        except ValueError as exc:
            raise UserError(str(exc)) from None

    config = load_config()
    engine = get_engine(database_url)
    run_ids: dict[str, int | None] = {}
    requests = []
    for name in names:
        problem = None if replay else registry.configuration_problem(name, config, args,
                                                                       settings)
        if problem:
            run_ids[name] = crawling.record_unconfigured(name, problem, database_url)
        else:
            requests.append(crawling.CrawlRequest(name, args=args, settings=settings,
                                                  seed=distributed))

    progress: dict = {}
    done = threading.Event()
    stop = threading.Event()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            run_ids.update(crawling.run_crawls(requests, jobs=jobs, replay=replay, record=record,
                                               timeout=timeout * 60, on_start=progress.update,
                                               stop_event=stop, database_url=database_url))
        except BaseException as exc:  # shown by the main thread
            failures.append(exc)
        finally:
            done.set()

    def on_signal(signum: int, _frame: object) -> None:
        # The crawls run in their own sessions (a Ctrl-C reaches only this process): stop
        # them cleanly, keeping what they stored, within runner.STOP_GRACE_SECONDS.
        if not stop.is_set():
            console.print(_("Stopping the crawls (what they stored is kept)…"))
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        if console.is_terminal:
            with Live(_progress_table(progress), console=console, refresh_per_second=4,
                      transient=True) as live:
                while not done.wait(0.25):
                    live.update(_progress_table(progress))
        else:
            _print_as_they_finish(progress, done, engine)
        worker.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if failures:
        raise failures[0]
    runs = [run for name in names if (run_id := run_ids.get(name)) is not None
            and (run := get_run(engine, run_id)) is not None]
    console.print(summary_table(runs))
    if not distributed:
        _note_what_the_store_holds(engine, runs, replay)
    skipped = [p for p in progress.values() if p.skip is not None]
    for p in skipped:
        err_console.print(safe(source_line(p)))
    if stop.is_set():
        raise typer.Exit(130)
    # a source not crawled is work not done: cron must see it
    if skipped or any(run.outcome.fails_command for run in runs):
        raise typer.Exit(1)


def _print_as_they_finish(progress: dict, done: threading.Event, engine: object) -> None:
    """Output piped or redirected (cron, a log): one line per source as soon as it ends."""
    from aggregator.store.runs import get_run

    shown: set[str] = set()

    def show_finished() -> None:
        for p in list(progress.values()):
            if p.source in shown or not p.finished:
                continue
            shown.add(p.source)
            run = get_run(engine, p.run_id) if p.run_id is not None else None
            if run is None:
                console.print(safe(source_line(p)), soft_wrap=True)
                continue
            note = note_line(run.error_summary)
            line = ngettext("%(source)s: %(outcome)s — %(count)d listing",
                            "%(source)s: %(outcome)s — %(count)d listings", run.items_seen) % {
                "source": p.source, "outcome": state_name(run.outcome), "count": run.items_seen}
            console.print(safe(line + (f" — {note}" if note else "")), soft_wrap=True)

    while not done.wait(0.5):
        show_finished()
    show_finished()
